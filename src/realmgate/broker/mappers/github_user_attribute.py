"""``github-user-attribute-mapper`` "Attribute Importer": one field of the GitHub profile JSON
(``GET /user``) into one user attribute (Keycloak's ``AbstractJsonUserAttributeMapper``).

``jsonField`` is a path into the profile (``login``, ``plan.name``, ``emails[0]``), with the
claim-path syntax of the OIDC mappers; ``userAttribute`` the target, where ``email``,
``firstName`` and ``lastName`` set the profile fields. By sync mode, as in Keycloak: the first
login imports the value; FORCE sets it again on every login (a field that disappeared removes
the attribute); LEGACY and IMPORT leave an existing user alone. An array gives a multi-valued
attribute of its scalar items; an object gives nothing (Keycloak would store its JSON text).
Keycloak saves the mapper whatever its config says (an unset field or attribute does nothing
at login), so only a path that cannot be parsed is refused here.
"""

from __future__ import annotations

from realmgate.broker.github.config import GITHUB
from realmgate.broker.mappers.attribute_importer import AttributeImporter
from realmgate.broker.mappers.base import Config, ConfigProperty
from realmgate.broker.mappers.claims import ClaimPathError, claim_value, scalar_strings, split_claim_path
from realmgate.broker.mappers.effects import Effect
from realmgate.broker.mappers.inputs import MapperContext, UserState

JSON_FIELD = "jsonField"
USER_ATTRIBUTE = "userAttribute"


class GitHubUserAttributeMapper(AttributeImporter):
    id = "github-user-attribute-mapper"
    name = "Attribute Importer"
    category = "Attribute Importer"
    help_text = (
        "Import user profile information if it exists in Social provider JSON data into the specified user attribute."
    )
    properties = (
        ConfigProperty(
            JSON_FIELD,
            "Social Profile JSON Field Path",
            "Path of field in Social provider User Profile JSON data to get value from. You can use dot notation "
            "for nesting and square brackets for array index. Eg. 'contact.address[0].country'.",
        ),
        ConfigProperty(USER_ATTRIBUTE, "User Attribute Name", "User attribute name to store information into."),
    )
    providers = frozenset({GITHUB})
    target_key = USER_ATTRIBUTE

    def _values(self, config: Config, ctx: MapperContext) -> tuple[str, ...]:
        path = config.get(JSON_FIELD, "").strip()
        if not path:
            return ()
        values = (v.strip() for v in scalar_strings(claim_value((ctx.userinfo,), path)))
        return tuple(v for v in values if v)

    def update_legacy(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """Keycloak: "we do not update user profile from social provider"."""
        return []

    def config_error(self, config: Config) -> str | None:
        path = config.get(JSON_FIELD, "").strip()
        try:
            if path:
                split_claim_path(path)
        except ClaimPathError as exc:
            return str(exc)
        return None


MAPPER = GitHubUserAttributeMapper()
