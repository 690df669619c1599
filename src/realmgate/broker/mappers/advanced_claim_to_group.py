"""``oidc-advanced-group-idp-mapper`` "Advanced Claim to Group": join a group when all claims match."""

from __future__ import annotations

from realmgate.broker.mappers.base import GROUP_TYPE, OIDC_PROVIDERS, Config, ConfigProperty
from realmgate.broker.mappers.granting import GROUP, GroupGrantingMapper
from realmgate.broker.mappers.inputs import MapperContext
from realmgate.broker.mappers.matching import (
    REGEX_PROPERTY,
    all_claims_match,
    claims_config_error,
    claims_property,
)


class AdvancedClaimToGroupMapper(GroupGrantingMapper):
    id = "oidc-advanced-group-idp-mapper"
    name = "Advanced Claim to Group"
    category = "Group Importer"
    help_text = "If all claims exists, assign the user to the specified group."
    properties = (
        claims_property(),
        REGEX_PROPERTY,
        ConfigProperty(GROUP, "Group", "Group to assign the user to if claim is present.", GROUP_TYPE),
    )
    providers = OIDC_PROVIDERS

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        return all_claims_match(config, ctx)

    def config_error(self, config: Config) -> str | None:
        return claims_config_error(config) or super().config_error(config)


MAPPER = AdvancedClaimToGroupMapper()
