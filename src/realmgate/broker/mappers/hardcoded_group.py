"""``oidc-hardcoded-group-idp-mapper``: every user of the provider joins one group."""

from __future__ import annotations

from realmgate.broker.mappers.base import GROUP_TYPE, Config, ConfigProperty
from realmgate.broker.mappers.granting import GROUP, GroupGrantingMapper
from realmgate.broker.mappers.inputs import MapperContext


class HardcodedGroupMapper(GroupGrantingMapper):
    id = "oidc-hardcoded-group-idp-mapper"
    name = "Hardcoded Group"
    category = "Group Importer"
    help_text = "Assign the user to the specified group."
    properties = (ConfigProperty(GROUP, "Group", "Group to assign the user.", GROUP_TYPE),)

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        return True


MAPPER = HardcodedGroupMapper()
