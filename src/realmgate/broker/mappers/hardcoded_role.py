"""``oidc-hardcoded-role-idp-mapper``: every user of the provider gets one role."""

from __future__ import annotations

from realmgate.broker.mappers.base import Config
from realmgate.broker.mappers.effects import Effect
from realmgate.broker.mappers.granting import RoleGrantingMapper, role_property
from realmgate.broker.mappers.inputs import MapperContext, UserState


class HardcodedRoleMapper(RoleGrantingMapper):
    id = "oidc-hardcoded-role-idp-mapper"
    name = "Hardcoded Role"
    category = "Role Importer"
    help_text = "When user is imported from provider, hardcode a role mapping for it."
    properties = (
        role_property(
            "Role to grant to user.  Click 'Select Role' button to browse roles, or just type it in the "
            "textbox.  To reference a client role the syntax is clientname.clientrole, i.e. myclient.myrole"
        ),
    )

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        return True

    def update_legacy(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """Keycloak's legacy hardcoded role does nothing on later logins."""
        return []


MAPPER = HardcodedRoleMapper()
