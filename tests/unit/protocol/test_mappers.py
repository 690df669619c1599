"""Protocol mappers: which claims each mapper type writes, and for which token."""

from __future__ import annotations

from typing import Any

from tests.unit.protocol import kit

from realmgate.model.role import Group, Role
from realmgate.model.user import User
from realmgate.protocol.mappers import MappingContext, TokenKind, apply_mappers
from realmgate.protocol.mappers.base import claim_path, convert, set_claim
from realmgate.protocol.scopes import ScopeDecision, decide_scopes, mappers_for, scope_role_ids

USER = User(
    id="u1",
    realm_id="r1",
    username="alice",
    email="alice@example.com",
    first_name="Alice",
    last_name="Liddell",
    email_verified=True,
    attributes={"phoneNumber": ("+100",), "tags": ("a", "b"), "street": ("1 Road",), "country": ("UK",)},
)

# Roles: realm "user" is composite of "reader"; client "account" has "view-profile";
# client "api" has "write"; group /staff/admins grants realm "admin".
ACCOUNT = kit.client("account", id="id-account")
API = kit.client("api", id="id-api")
ROLES = [
    Role(id="r-user", realm_id="r1", name="user", composite_ids=("r-reader", "r-view")),
    Role(id="r-reader", realm_id="r1", name="reader"),
    Role(id="r-admin", realm_id="r1", name="admin"),
    Role(id="r-view", realm_id="r1", name="view-profile", client_id="id-account"),
    Role(id="r-write", realm_id="r1", name="write", client_id="id-api"),
]
GROUPS = [
    Group(id="g-staff", realm_id="r1", name="staff"),
    Group(id="g-admins", realm_id="r1", name="admins", parent_id="g-staff", role_ids=("r-admin",)),
]


def context(client_fields: dict[str, Any] | None = None, scope: str = "openid") -> tuple[MappingContext, ScopeDecision]:
    app = kit.client(**(client_fields or {}))
    config = kit.config(app, ACCOUNT, API, roles=ROLES, groups=GROUPS)
    decision = decide_scopes(config, app, scope)
    roles = config.expand_roles({"r-user", "r-write"} | config.group_role_ids({"g-admins"}))
    allowed = scope_role_ids(config, app, decision)
    if allowed is not None:
        roles &= allowed
    ctx = MappingContext(
        config=config,
        client=app,
        user=USER,
        role_ids=frozenset(roles),
        group_ids=("g-admins",),
        session_notes={"AUTH_TIME": str(kit.NOW)},
    )
    return ctx, decision


def claims(kind: TokenKind, **kwargs: Any) -> dict[str, object]:
    ctx, decision = context(**kwargs)
    return apply_mappers(mappers_for(ctx.client, decision), ctx, kind)


def test_access_token_claims_of_default_scopes() -> None:
    access = claims(TokenKind.ACCESS)
    assert access["preferred_username"] == "alice"
    assert access["name"] == "Alice Liddell"
    assert access["email_verified"] is True
    assert access["realm_access"] == {"roles": ["admin", "reader", "user"]}
    assert access["resource_access"] == {"account": {"roles": ["view-profile"]}, "api": {"roles": ["write"]}}
    assert access["aud"] == ["account", "api"]
    assert "allowed-origins" not in access  # no web origins registered
    assert access["acr"] == "1"
    assert access["auth_time"] == kit.NOW
    assert access["sub"] == "u1"


def test_id_token_has_profile_but_no_roles() -> None:
    id_claims = claims(TokenKind.ID)
    assert id_claims["email"] == "alice@example.com"
    assert "realm_access" not in id_claims and "aud" not in id_claims


def test_userinfo_has_no_acr_or_auth_time() -> None:
    info = claims(TokenKind.USERINFO)
    assert info["given_name"] == "Alice" and "acr" not in info and "auth_time" not in info


def test_introspection_follows_access_switch_when_unset() -> None:
    assert "realm_access" in claims(TokenKind.INTROSPECTION)


def test_limited_scope_keeps_only_scope_mapped_roles_and_own_client_roles() -> None:
    access = claims(TokenKind.ACCESS, client_fields={"full_scope_allowed": False, "scope_role_ids": ("r-reader",)})
    assert access["realm_access"] == {"roles": ["reader"]}
    assert "resource_access" not in access
    assert "aud" not in access


def test_audience_resolve_skips_the_requesting_client() -> None:
    access = claims(TokenKind.ACCESS, client_fields={"client_id": "api", "id": "id-api"})
    assert access["aud"] == ["account"]


def test_optional_scopes_add_their_claims() -> None:
    info = claims(TokenKind.USERINFO, scope="openid phone address")
    assert info["phone_number"] == "+100"
    assert info["address"] == {"street_address": "1 Road", "country": "UK"}
    assert "phone_number" not in claims(TokenKind.USERINFO)


def test_client_mappers_hardcoded_group_attribute_and_audience() -> None:
    own = (
        kit.mapper(
            "oidc-hardcoded-claim-mapper",
            "tier",
            **{"claim.name": "tier", "claim.value": "3", "jsonType.label": "int"},
        ),
        kit.mapper("oidc-group-membership-mapper", "groups", **{"claim.name": "groups", "full.path": "true"}),
        kit.mapper(
            "oidc-usermodel-attribute-mapper",
            "tags",
            **{"user.attribute": "tags", "claim.name": "x\\.tags", "multivalued": "true"},
        ),
        kit.mapper("oidc-audience-mapper", "aud", tokens="a", **{"included.custom.audience": "https://api"}),
        kit.mapper("oidc-hardcoded-claim-mapper", "off", tokens="", **{"claim.name": "off", "claim.value": "1"}),
    )
    access = claims(TokenKind.ACCESS, client_fields={"protocol_mappers": own})
    assert access["tier"] == 3
    assert access["groups"] == ["/staff/admins"]
    assert access["x.tags"] == ["a", "b"]
    assert "https://api" in access["aud"]  # type: ignore[operator]
    assert "off" not in access


def test_claim_paths_types_and_list_merge() -> None:
    assert claim_path("a.b\\.c") == ["a", "b.c"]
    assert convert("true", "boolean") is True and convert("x", "long") is None
    assert convert('{"k": 1}', "JSON") == {"k": 1}
    target: dict[str, object] = {}
    set_claim(target, "r.roles", ["a"])
    set_claim(target, "r.roles", ["b", "a"])
    assert target == {"r": {"roles": ["a", "b"]}}


def test_allowed_origins_from_web_origins_plus() -> None:
    access = claims(TokenKind.ACCESS, client_fields={"web_origins": ("+",)})
    assert access["allowed-origins"] == ["https://app.example"]
