"""``oidc-advanced-role-idp-mapper`` "Advanced Claim to Role": grant a role when all claims match."""

from __future__ import annotations

from realmgate.broker.mappers.base import OIDC_PROVIDERS, Config
from realmgate.broker.mappers.granting import RoleGrantingMapper, role_property
from realmgate.broker.mappers.inputs import MapperContext
from realmgate.broker.mappers.matching import (
    REGEX_PROPERTY,
    all_claims_match,
    claims_config_error,
    claims_property,
)


class AdvancedClaimToRoleMapper(RoleGrantingMapper):
    id = "oidc-advanced-role-idp-mapper"
    name = "Advanced Claim to Role"
    category = "Role Importer"
    help_text = "If all claims exists, grant the user the specified realm or client role."
    properties = (
        claims_property(),
        REGEX_PROPERTY,
        role_property(
            "Role to grant to user if claim is present. Click 'Select Role' button to browse roles, or just "
            "type it in the textbox. To reference a client role the syntax is clientname.clientrole, "
            "i.e. myclient.myrole"
        ),
    )
    providers = OIDC_PROVIDERS

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        return all_claims_match(config, ctx)

    def config_error(self, config: Config) -> str | None:
        return claims_config_error(config) or super().config_error(config)


MAPPER = AdvancedClaimToRoleMapper()
