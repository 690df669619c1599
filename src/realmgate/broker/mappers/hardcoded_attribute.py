"""``hardcoded-attribute-idp-mapper``: a fixed value for one user attribute."""

from __future__ import annotations

from realmgate.broker.mappers.base import Config, ConfigProperty, MapperType
from realmgate.broker.mappers.effects import PROFILE_FIELDS, Effect, ProfileField, attribute_effect
from realmgate.broker.mappers.inputs import MapperContext, UserState

ATTRIBUTE = "attribute"
ATTRIBUTE_VALUE = "attribute.value"


class HardcodedAttributeMapper(MapperType):
    id = "hardcoded-attribute-idp-mapper"
    name = "Hardcoded Attribute"
    category = "Attribute Importer"
    help_text = "When user is imported from provider, hardcode a value to a specific user attribute."
    properties = (
        ConfigProperty(ATTRIBUTE, "User Attribute", "Name of user attribute you want to hardcode"),
        ConfigProperty(ATTRIBUTE_VALUE, "User Attribute Value", "Value you want to hardcode"),
    )

    def _effects(self, config: Config) -> list[Effect]:
        name = config.get(ATTRIBUTE, "").strip()
        if not name:
            return []
        value = config.get(ATTRIBUTE_VALUE)
        return [attribute_effect(name, (value,) if value else ())]

    def import_new_user(self, config: Config, ctx: MapperContext) -> list[Effect]:
        return self._effects(config)

    def update(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        return self._effects(config)

    def config_error(self, config: Config) -> str | None:
        return None if config.get(ATTRIBUTE, "").strip() else "User Attribute is required"

    def profile_fields(self, config: Config) -> frozenset[ProfileField]:
        name = config.get(ATTRIBUTE, "").strip().lower()
        return frozenset(f for f in PROFILE_FIELDS if f.lower() == name)


MAPPER = HardcodedAttributeMapper()
