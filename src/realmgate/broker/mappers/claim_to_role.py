"""``oidc-role-idp-mapper`` "Claim to Role": grant a role when a claim has a value.

An array claim matches when it contains the value; numbers and booleans compare typed
(``"42"`` matches ``42``, ``"true"`` matches ``true``).
"""

from __future__ import annotations

from realmgate.broker.mappers.base import CLAIM_HELP, OIDC_PROVIDERS, Config, ConfigProperty
from realmgate.broker.mappers.claims import ClaimPathError, split_claim_path, value_equals
from realmgate.broker.mappers.granting import RoleGrantingMapper, role_property
from realmgate.broker.mappers.inputs import MapperContext

CLAIM = "claim"
CLAIM_VALUE = "claim.value"


class ClaimToRoleMapper(RoleGrantingMapper):
    id = "oidc-role-idp-mapper"
    name = "Claim to Role"
    category = "Role Importer"
    help_text = "If a claim exists, grant the user the specified realm or client role."
    properties = (
        ConfigProperty(CLAIM, "Claim", CLAIM_HELP),
        ConfigProperty(
            CLAIM_VALUE,
            "Claim Value",
            "Value the claim must have.  If the claim is an array, then the value must be contained in the array.",
        ),
        role_property(
            "Role to grant to user if claim is present.  Click 'Select Role' button to browse roles, or just "
            "type it in the textbox.  To reference a client role the syntax is clientname.clientrole, "
            "i.e. myclient.myrole"
        ),
    )
    providers = OIDC_PROVIDERS

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        claim = config.get(CLAIM)
        return bool(claim) and value_equals(config.get(CLAIM_VALUE, ""), ctx.claim(claim or ""))

    def config_error(self, config: Config) -> str | None:
        try:
            split_claim_path(config.get(CLAIM, ""))
        except ClaimPathError as exc:
            return str(exc)
        return super().config_error(config)


MAPPER = ClaimToRoleMapper()
