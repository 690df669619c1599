"""Builders for protocol tests: a realm snapshot with Keycloak-like client scopes and real keys."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from realmgate.crypto import realm_keys
from realmgate.crypto.secrets import SYSTEM
from realmgate.model.client import Client, ClientScope, ProtocolMapper
from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.protocol.realm_cache import RealmConfig

ISSUER = "https://sso.example/realms/test"
NOW = 1_700_000_000


def new_id() -> str:
    return str(uuid.uuid4())


def mapper(kind: str, name: str, *, tokens: str = "aiu", **config: str) -> ProtocolMapper:
    """A mapper switched on for access (a), id (i), userinfo (u) and introspection (n) tokens."""
    switches = {
        "access.token.claim": "a" in tokens,
        "id.token.claim": "i" in tokens,
        "userinfo.token.claim": "u" in tokens,
    }
    values = {k: "true" if v else "false" for k, v in switches.items()}
    if "n" in tokens:
        values["introspection.token.claim"] = "true"
    return ProtocolMapper(id=new_id(), name=name, protocol_mapper=kind, config={**values, **config})


def _prop(name: str, attribute: str, claim: str, json_type: str = "String") -> ProtocolMapper:
    return mapper(
        "oidc-usermodel-property-mapper",
        name,
        **{"user.attribute": attribute, "claim.name": claim, "jsonType.label": json_type},
    )


def scope(name: str, *mappers: ProtocolMapper, in_token: bool = True, roles: Iterable[str] = ()) -> ClientScope:
    return ClientScope(
        id=new_id(),
        realm_id="r1",
        name=name,
        protocol_mappers=tuple(mappers),
        attributes={"include.in.token.scope": "true" if in_token else "false"},
        scope_role_ids=tuple(roles),
    )


def keycloak_scopes() -> dict[str, ClientScope]:
    """The fresh-realm scopes that matter for claims (a subset of Keycloak's)."""
    scopes = [
        scope(
            "profile",
            _prop("username", "username", "preferred_username"),
            _prop("given name", "firstName", "given_name"),
            _prop("family name", "lastName", "family_name"),
            mapper("oidc-full-name-mapper", "full name"),
        ),
        scope(
            "email",
            _prop("email", "email", "email"),
            _prop("email verified", "emailVerified", "email_verified", "boolean"),
        ),
        scope(
            "roles",
            mapper(
                "oidc-usermodel-realm-role-mapper",
                "realm roles",
                tokens="a",
                **{"claim.name": "realm_access.roles", "multivalued": "true"},
            ),
            mapper(
                "oidc-usermodel-client-role-mapper",
                "client roles",
                tokens="a",
                **{"claim.name": "resource_access.${client_id}.roles", "multivalued": "true"},
            ),
            mapper("oidc-audience-resolve-mapper", "audience resolve", tokens="a"),
            in_token=False,
        ),
        scope(
            "web-origins",
            mapper("oidc-allowed-origins-mapper", "allowed origins", tokens="a"),
            in_token=False,
        ),
        scope("acr", mapper("oidc-acr-mapper", "acr loa level", tokens="ai"), in_token=False),
        scope(
            "basic",
            mapper("oidc-sub-mapper", "sub", tokens="an"),
            mapper(
                "oidc-usersessionmodel-note-mapper",
                "auth_time",
                tokens="ai",
                **{"user.session.note": "AUTH_TIME", "claim.name": "auth_time", "jsonType.label": "long"},
            ),
            in_token=False,
        ),
        scope("address", mapper("oidc-address-mapper", "address")),
        scope("offline_access"),
        scope(
            "phone",
            mapper(
                "oidc-usermodel-attribute-mapper",
                "phone number",
                **{"user.attribute": "phoneNumber", "claim.name": "phone_number"},
            ),
        ),
    ]
    return {s.name: s for s in scopes}


DEFAULTS = ("profile", "email", "roles", "web-origins", "acr", "basic")
OPTIONALS = ("address", "phone", "offline_access")


def client(client_id: str = "app", **fields: Any) -> Client:
    values: dict[str, Any] = {
        "id": f"id-{client_id}",
        "realm_id": "r1",
        "client_id": client_id,
        "secret": "s3cr+t%2F:x",
        "redirect_uris": ("https://app.example/*",),
        "default_client_scopes": DEFAULTS,
        "optional_client_scopes": OPTIONALS,
        "direct_access_grants_enabled": True,
    }
    values.update(fields)
    return Client(**values)


@functools.cache
def realm_key_set() -> tuple[RealmKey, ...]:
    return tuple(realm_keys.generate_default_keys("r1", now=NOW, realm_name="test", ids=SYSTEM))


def config(
    *clients: Client,
    roles: Iterable[Role] = (),
    groups: Iterable[Group] = (),
    realm: Mapping[str, Any] | None = None,
    keys: Iterable[RealmKey] | None = None,
) -> RealmConfig:
    the_clients = clients or (client(),)
    return RealmConfig(
        realm=replace(Realm(id="r1", name="test"), **(realm or {})),
        version=1,
        clients={c.client_id: c for c in the_clients},
        clients_by_internal_id={c.id: c for c in the_clients},
        scopes=keycloak_scopes(),
        roles={r.id: r for r in roles},
        groups={g.id: g for g in groups},
        keys=tuple(keys) if keys is not None else realm_key_set(),
    )
