"""``hardcoded-user-session-attribute-idp-mapper``: a fixed note on every brokered user session."""

from __future__ import annotations

from realmgate.broker.mappers.base import Config, ConfigProperty, MapperType
from realmgate.broker.mappers.effects import Effect, SessionNote
from realmgate.broker.mappers.inputs import MapperContext

ATTRIBUTE = "attribute"
ATTRIBUTE_VALUE = "attribute.value"


class HardcodedSessionNoteMapper(MapperType):
    """Runs on every login: a session note is not user state, so sync modes do not apply."""

    id = "hardcoded-user-session-attribute-idp-mapper"
    name = "Hardcoded User Session Attribute"
    category = "Attribute Importer"
    help_text = "When user is imported from provider, hardcode a value to a specific user session attribute."
    properties = (
        ConfigProperty(ATTRIBUTE, "User Session Attribute", "Name of user session attribute you want to hardcode"),
        ConfigProperty(ATTRIBUTE_VALUE, "User Session Attribute Value", "Value you want to hardcode"),
    )

    def preprocess(self, config: Config, ctx: MapperContext) -> list[Effect]:
        name = config.get(ATTRIBUTE, "").strip()
        return [SessionNote(name, config.get(ATTRIBUTE_VALUE, ""))] if name else []

    def config_error(self, config: Config) -> str | None:
        return None if config.get(ATTRIBUTE, "").strip() else "User Session Attribute is required"


MAPPER = HardcodedSessionNoteMapper()
