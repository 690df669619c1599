"""The clients and roles of a fresh Keycloak realm, as data.

``{realm}`` in a value is replaced by the realm name. Each role lists the names of other roles
of the same client it contains (Keycloak's composites, e.g. ``manage-account`` contains
``manage-account-links``). The master realm has no ``realm-management`` client: its own admin
roles live on the ``master-realm`` client, like every ``{realm}-realm`` client in master.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.builtin_scopes import attribute_mapper, with_fresh_ids
from realmgate.model.client import ProtocolMapper

MASTER = "master"
REALM_MANAGEMENT = "realm-management"
REALM_ADMIN = "realm-admin"


@dataclass(frozen=True, slots=True)
class RoleSpec:
    name: str
    composites: tuple[str, ...] = ()

    @property
    def description(self) -> str:
        return "${role_" + self.name + "}"


@dataclass(frozen=True, slots=True)
class ClientSpec:
    client_id: str
    fields: Mapping[str, object]
    roles: tuple[RoleSpec, ...] = ()
    mappers: tuple[str, ...] = ()  # names of protocol mappers built by ``client_mappers``
    # Roles of other clients in this client's scope mappings: (clientId, role name).
    scope_roles: tuple[tuple[str, str], ...] = field(default_factory=tuple)


ACCOUNT_ROLES = (
    RoleSpec("view-profile"),
    RoleSpec("manage-account", ("manage-account-links",)),
    RoleSpec("manage-account-links"),
    RoleSpec("view-applications"),
    RoleSpec("view-consent"),
    RoleSpec("manage-consent", ("view-consent",)),
    RoleSpec("delete-account"),
    RoleSpec("view-groups"),
)

_ADMIN_ROLE_NAMES = (
    "create-client",
    "impersonation",
    "manage-authorization",
    "manage-clients",
    "manage-events",
    "manage-identity-providers",
    "manage-realm",
    "manage-users",
    "query-clients",
    "query-groups",
    "query-realms",
    "query-users",
    "view-authorization",
    "view-clients",
    "view-events",
    "view-identity-providers",
    "view-realm",
    "view-users",
)
_ADMIN_COMPOSITES = {"view-clients": ("query-clients",), "view-users": ("query-users", "query-groups")}

ADMIN_ROLES: tuple[RoleSpec, ...] = tuple(RoleSpec(name, _ADMIN_COMPOSITES.get(name, ())) for name in _ADMIN_ROLE_NAMES)

_LIGHTWEIGHT = {"client.use.lightweight.access.token.enabled": "true"}
_CONSOLE_ATTRIBUTES = {"post.logout.redirect.uris": "+", "pkce.code.challenge.method": "S256"}


def admin_client_spec(client_id: str, name: str, *, realm_admin: bool) -> ClientSpec:
    """``realm-management`` in a realm (with the ``realm-admin`` composite of all its roles),
    or a ``{realm}-realm`` client in master (whose roles master's ``admin`` role contains)."""
    roles = (*ADMIN_ROLES, RoleSpec(REALM_ADMIN, _ADMIN_ROLE_NAMES)) if realm_admin else ADMIN_ROLES
    return ClientSpec(client_id, {"name": name, "bearer_only": True, "full_scope_allowed": False}, roles)


def builtin_client_specs(realm_name: str) -> list[ClientSpec]:
    """The built-in clients of realm ``realm_name``."""
    account_urls = {
        "root_url": "${authBaseUrl}",
        "base_url": f"/realms/{realm_name}/account/",
        "redirect_uris": (f"/realms/{realm_name}/account/*",),
        "public_client": True,
        "full_scope_allowed": False,
    }
    management = (
        admin_client_spec(f"{MASTER}-realm", f"{MASTER} Realm", realm_admin=False)
        if realm_name == MASTER
        else admin_client_spec(REALM_MANAGEMENT, "${client_realm-management}", realm_admin=True)
    )
    return [
        ClientSpec(
            "account",
            {**account_urls, "name": "${client_account}", "attributes": {"post.logout.redirect.uris": "+"}},
            ACCOUNT_ROLES,
        ),
        ClientSpec(
            "account-console",
            {
                **account_urls,
                "name": "${client_account-console}",
                "attributes": _CONSOLE_ATTRIBUTES,
                "direct_access_grants_enabled": False,
            },
            mappers=("audience resolve",),
            scope_roles=(("account", "manage-account"), ("account", "view-groups")),
        ),
        ClientSpec(
            "admin-cli",
            {
                "name": "${client_admin-cli}",
                "public_client": True,
                "standard_flow_enabled": False,
                "direct_access_grants_enabled": True,
                "attributes": _LIGHTWEIGHT,
            },
        ),
        ClientSpec(
            "broker",
            {"name": "${client_broker}", "bearer_only": True, "full_scope_allowed": False},
            (RoleSpec("read-token"),),
        ),
        management,
        ClientSpec(
            "security-admin-console",
            {
                "name": "${client_security-admin-console}",
                "root_url": "${authAdminUrl}",
                "base_url": f"/admin/{realm_name}/console/",
                "redirect_uris": (f"/admin/{realm_name}/console/*",),
                "web_origins": ("+",),
                "public_client": True,
                "attributes": {**_CONSOLE_ATTRIBUTES, **_LIGHTWEIGHT},
            },
            mappers=("locale",),
        ),
    ]


def client_mappers(names: tuple[str, ...], *, ids: Randomness) -> tuple[ProtocolMapper, ...]:
    """Fresh instances of the protocol mappers built-in clients carry, ids from ``ids``."""
    built: list[ProtocolMapper] = []
    for name in names:
        if name == "locale":
            built.append(attribute_mapper("locale", "locale", "locale"))
        elif name == "audience resolve":
            built.append(ProtocolMapper(id="", name=name, protocol_mapper="oidc-audience-resolve-mapper"))
        else:
            raise ValueError(f"no built-in mapper {name}")
    return with_fresh_ids(built, ids)
