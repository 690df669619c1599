"""``oidc-user-attribute-idp-mapper`` "Attribute Importer": one claim into one user attribute.

``email``, ``firstName`` and ``lastName`` (any case) go to the profile fields (first value);
any other name becomes a multi-valued attribute holding every scalar of the claim.
On FORCE (and LEGACY, which Keycloak treats the same) the attribute follows the upstream:
a claim that disappeared removes the attribute, and, unlike Keycloak (issue #40434), a
profile field whose claim disappeared is cleared too.
"""

from __future__ import annotations

from typing import ClassVar

from realmgate.broker.mappers.base import CLAIM_HELP, OIDC_PROVIDERS, Config, ConfigProperty, MapperType
from realmgate.broker.mappers.claims import ClaimPathError, scalar_strings, split_claim_path
from realmgate.broker.mappers.effects import PROFILE_FIELDS, Effect, ProfileField, attribute_effect
from realmgate.broker.mappers.inputs import MapperContext, UserState

CLAIM = "claim"
USER_ATTRIBUTE = "user.attribute"


class AttributeImporter(MapperType):
    id = "oidc-user-attribute-idp-mapper"
    name = "Attribute Importer"
    category = "Attribute Importer"
    help_text = (
        "Import declared claim if it exists in ID, access token or the claim set returned by the user "
        "profile endpoint into the specified user property or attribute."
    )
    properties = (
        ConfigProperty(CLAIM, "Claim", CLAIM_HELP),
        ConfigProperty(
            USER_ATTRIBUTE,
            "User Attribute Name",
            "User attribute name to store claim.  Use email, lastName, and firstName to map to those "
            "predefined user properties.",
        ),
    )
    providers = OIDC_PROVIDERS
    # The config key naming the target attribute (the social JSON importer names it otherwise).
    target_key: ClassVar[str] = USER_ATTRIBUTE

    def _values(self, config: Config, ctx: MapperContext) -> tuple[str, ...]:
        claim = config.get(CLAIM)
        return tuple(scalar_strings(ctx.claim(claim))) if claim else ()

    def _attribute(self, config: Config) -> str:
        return config.get(self.target_key, "").strip()

    def import_new_user(self, config: Config, ctx: MapperContext) -> list[Effect]:
        """The new user gets what the upstream sent; nothing sent, nothing set."""
        attribute = self._attribute(config)
        values = self._values(config, ctx)
        if not attribute or not values or not values[0]:
            return []
        return [attribute_effect(attribute, values)]

    def update(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        attribute = self._attribute(config)
        return [attribute_effect(attribute, self._values(config, ctx))] if attribute else []

    def config_error(self, config: Config) -> str | None:
        if not config.get(USER_ATTRIBUTE, "").strip():
            return "User Attribute Name is required"
        try:
            split_claim_path(config.get(CLAIM, ""))
        except ClaimPathError as exc:
            return str(exc)
        return None

    def profile_fields(self, config: Config) -> frozenset[ProfileField]:
        name = self._attribute(config).lower()
        return frozenset(f for f in PROFILE_FIELDS if f.lower() == name)


MAPPER = AttributeImporter()
