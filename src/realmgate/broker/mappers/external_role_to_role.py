"""``keycloak-oidc-role-to-role-idp-mapper`` "External Role to Role" (``keycloak-oidc`` only).

Looks for ``external.role`` in the upstream *access token*: ``role`` in
``realm_access.roles``, ``client.role`` in ``resource_access.<client>.roles`` (split at the
last dot, as Keycloak's ``parseRole``). Without a validated access token nothing matches.
"""

from __future__ import annotations

from realmgate.broker.mappers.base import KEYCLOAK_OIDC_ONLY, Config, ConfigProperty
from realmgate.broker.mappers.claims import resolve_path, value_equals
from realmgate.broker.mappers.effects import Effect
from realmgate.broker.mappers.granting import RoleGrantingMapper, role_property
from realmgate.broker.mappers.inputs import MapperContext, UserState

EXTERNAL_ROLE = "external.role"


def external_role_path(external_role: str) -> tuple[list[str | int], str]:
    """(path of the roles array in the access token, role name) for ``role`` or ``client.role``."""
    client, dot, role = external_role.rpartition(".")
    if not dot:
        return ["realm_access", "roles"], external_role
    return ["resource_access", client, "roles"], role


class ExternalRoleToRoleMapper(RoleGrantingMapper):
    id = "keycloak-oidc-role-to-role-idp-mapper"
    name = "External Role to Role"
    category = "Role Importer"
    help_text = (
        "Looks for an external role in a keycloak access token.  If external role exists, grant the user "
        "the specified realm or client role."
    )
    properties = (
        ConfigProperty(
            EXTERNAL_ROLE,
            "External role",
            "External role to check for.  To reference a client role the syntax is clientname.clientrole, "
            "i.e. myclient.myrole",
        ),
        role_property(
            "Role to grant to user if external role is present.  Click 'Select Role' button to browse roles, "
            "or just type it in the textbox.  To reference a client role the syntax is "
            "clientname.clientrole, i.e. myclient.myrole"
        ),
    )
    providers = KEYCLOAK_OIDC_ONLY

    def applies(self, config: Config, ctx: MapperContext) -> bool:
        external = config.get(EXTERNAL_ROLE)
        if not external or ctx.access_token is None:
            return False
        path, role = external_role_path(external)
        roles = resolve_path(ctx.access_token, path)
        return isinstance(roles, list) and value_equals(role, roles)

    def update_legacy(self, config: Config, ctx: MapperContext, user: UserState) -> list[Effect]:
        """Keycloak: "The legacy mapper actually did nothing although it pretended to do something"."""
        return []

    def config_error(self, config: Config) -> str | None:
        if not config.get(EXTERNAL_ROLE, "").strip():
            return "External role is required"
        return super().config_error(config)


MAPPER = ExternalRoleToRoleMapper()
