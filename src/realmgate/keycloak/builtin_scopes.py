"""The client scopes (and their protocol mappers) of a fresh Keycloak realm.

Facts from Keycloak's ``OIDCLoginProtocolFactory`` (``initBuiltIns`` and
``createDefaultClientScopesImpl``) and the SAML ``role_list`` scope: names, descriptions,
consent attributes, mapper types and their config keys, and which scopes are the realm's
default and optional scopes. Scope and mapper ids are fresh per realm, from the caller's
``Randomness`` (``with_fresh_ids``): the builders here leave them empty.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from realmgate.crypto.secrets import Randomness
from realmgate.model.client import ClientScope, ProtocolMapper

OIDC = "openid-connect"
SAML = "saml"

DEFAULT_SCOPES: tuple[str, ...] = ("role_list", "profile", "email", "roles", "web-origins", "acr", "basic")
OPTIONAL_SCOPES: tuple[str, ...] = ("offline_access", "address", "phone", "microprofile-jwt")
# Realm default scopes of another protocol, never attached to OIDC clients.
SAML_SCOPES = frozenset({"role_list"})


def _flags(*, access: bool = True, id_token: bool = True, userinfo: bool = True) -> dict[str, str]:
    flags = {"introspection.token.claim": "true"}
    if access:
        flags["access.token.claim"] = "true"
    if id_token:
        flags["id.token.claim"] = "true"
    if userinfo:
        flags["userinfo.token.claim"] = "true"
    return flags


def _mapper(name: str, kind: str, config: dict[str, str], protocol: str = OIDC) -> ProtocolMapper:
    return ProtocolMapper(id="", name=name, protocol_mapper=kind, protocol=protocol, config=config)


def attribute_mapper(name: str, attribute: str, claim: str, json_type: str = "String") -> ProtocolMapper:
    """``oidc-usermodel-attribute-mapper`` into access, ID token, userinfo and introspection."""
    config = {**_flags(), "user.attribute": attribute, "claim.name": claim, "jsonType.label": json_type}
    return _mapper(name, "oidc-usermodel-attribute-mapper", config)


def _property_mapper(name: str, prop: str, claim: str, json_type: str) -> ProtocolMapper:
    config = {**_flags(), "user.attribute": prop, "claim.name": claim, "jsonType.label": json_type}
    return _mapper(name, "oidc-usermodel-property-mapper", config)


def _role_mapper(name: str, kind: str, claim: str, *, id_token: bool, userinfo: bool) -> ProtocolMapper:
    config = {
        **_flags(id_token=id_token, userinfo=userinfo),
        "user.attribute": "foo",
        "claim.name": claim,
        "jsonType.label": "String",
        "multivalued": "true",
    }
    return _mapper(name, kind, config)


def _address_mapper() -> ProtocolMapper:
    config = _flags()
    for part in ("formatted", "country", "postal_code", "street", "region", "locality"):
        config[f"user.attribute.{part}"] = part
    return _mapper("address", "oidc-address-mapper", config)


def _scope(
    realm_id: str,
    name: str,
    description: str,
    attributes: dict[str, str],
    mappers: tuple[ProtocolMapper, ...] = (),
    *,
    protocol: str = OIDC,
    scope_role_ids: tuple[str, ...] = (),
) -> ClientScope:
    return ClientScope(
        id="",
        realm_id=realm_id,
        name=name,
        description=description,
        protocol=protocol,
        attributes=attributes,
        protocol_mappers=mappers,
        scope_role_ids=scope_role_ids,
    )


def _consent(text: str, *, in_token: bool | None = True) -> dict[str, str]:
    attrs = {"display.on.consent.screen": "true", "consent.screen.text": text}
    if in_token is not None:
        attrs["include.in.token.scope"] = "true" if in_token else "false"
    return attrs


def _no_consent(*, in_token: bool) -> dict[str, str]:
    return {"display.on.consent.screen": "false", "include.in.token.scope": "true" if in_token else "false"}


def _profile_mappers() -> tuple[ProtocolMapper, ...]:
    full_name = _mapper("full name", "oidc-full-name-mapper", _flags())
    attributes = (
        ("family name", "lastName", "family_name", "String"),
        ("given name", "firstName", "given_name", "String"),
        ("middle name", "middleName", "middle_name", "String"),
        ("nickname", "nickname", "nickname", "String"),
        ("username", "username", "preferred_username", "String"),
        ("profile", "profile", "profile", "String"),
        ("picture", "picture", "picture", "String"),
        ("website", "website", "website", "String"),
        ("gender", "gender", "gender", "String"),
        ("birthdate", "birthdate", "birthdate", "String"),
        ("zoneinfo", "zoneinfo", "zoneinfo", "String"),
        ("locale", "locale", "locale", "String"),
        ("updated at", "updatedAt", "updated_at", "long"),
    )
    return (full_name, *(attribute_mapper(*row) for row in attributes))


def with_fresh_ids(mappers: Iterable[ProtocolMapper], ids: Randomness) -> tuple[ProtocolMapper, ...]:
    """``mappers`` each with a new id from ``ids``."""
    return tuple(dataclasses.replace(mapper, id=ids.new_id()) for mapper in mappers)


def builtin_client_scopes(realm_id: str, *, offline_access_role_id: str | None, ids: Randomness) -> list[ClientScope]:
    """Fresh instances of Keycloak's built-in client scopes for one realm, ids from ``ids``."""
    return [
        dataclasses.replace(scope, id=ids.new_id(), protocol_mappers=with_fresh_ids(scope.protocol_mappers, ids))
        for scope in _builtin_scopes(realm_id, offline_access_role_id)
    ]


def _builtin_scopes(realm_id: str, offline_access_role_id: str | None) -> list[ClientScope]:
    auth_time = _mapper(
        "auth_time",
        "oidc-usersessionmodel-note-mapper",
        {
            **_flags(userinfo=False),
            "user.session.note": "AUTH_TIME",
            "claim.name": "auth_time",
            "jsonType.label": "long",
        },
    )
    offline_roles = (offline_access_role_id,) if offline_access_role_id else ()
    return [
        _scope(
            realm_id,
            "offline_access",
            "OpenID Connect built-in scope: offline_access",
            _consent("${offlineAccessScopeConsentText}", in_token=None),
            scope_role_ids=offline_roles,
        ),
        _scope(
            realm_id,
            "role_list",
            "SAML role list",
            _consent("${samlRoleListScopeConsentText}", in_token=None),
            (
                _mapper(
                    "role list",
                    "saml-role-list-mapper",
                    {"single": "false", "attribute.nameformat": "Basic", "attribute.name": "Role"},
                    protocol=SAML,
                ),
            ),
            protocol=SAML,
        ),
        _scope(
            realm_id,
            "profile",
            "OpenID Connect built-in scope: profile",
            _consent("${profileScopeConsentText}"),
            _profile_mappers(),
        ),
        _scope(
            realm_id,
            "email",
            "OpenID Connect built-in scope: email",
            _consent("${emailScopeConsentText}"),
            (
                attribute_mapper("email", "email", "email"),
                _property_mapper("email verified", "emailVerified", "email_verified", "boolean"),
            ),
        ),
        _scope(
            realm_id,
            "address",
            "OpenID Connect built-in scope: address",
            _consent("${addressScopeConsentText}"),
            (_address_mapper(),),
        ),
        _scope(
            realm_id,
            "phone",
            "OpenID Connect built-in scope: phone",
            _consent("${phoneScopeConsentText}"),
            (
                attribute_mapper("phone number", "phoneNumber", "phone_number"),
                attribute_mapper("phone number verified", "phoneNumberVerified", "phone_number_verified", "boolean"),
            ),
        ),
        _scope(
            realm_id,
            "roles",
            "OpenID Connect scope for add user roles to the access token",
            _consent("${rolesScopeConsentText}", in_token=False),
            (
                _role_mapper(
                    "realm roles",
                    "oidc-usermodel-realm-role-mapper",
                    "realm_access.roles",
                    id_token=False,
                    userinfo=False,
                ),
                _role_mapper(
                    "client roles",
                    "oidc-usermodel-client-role-mapper",
                    "resource_access.${client_id}.roles",
                    id_token=False,
                    userinfo=False,
                ),
                _mapper("audience resolve", "oidc-audience-resolve-mapper", _flags(id_token=False, userinfo=False)),
            ),
        ),
        _scope(
            realm_id,
            "web-origins",
            "OpenID Connect scope for add allowed web origins to the access token",
            {**_no_consent(in_token=False), "consent.screen.text": ""},
            (
                _mapper(
                    "allowed web origins",
                    "oidc-allowed-origins-mapper",
                    _flags(id_token=False, userinfo=False),
                ),
            ),
        ),
        _scope(
            realm_id,
            "microprofile-jwt",
            "Microprofile - JWT built-in scope",
            _no_consent(in_token=True),
            (
                attribute_mapper("upn", "username", "upn"),
                _role_mapper("groups", "oidc-usermodel-realm-role-mapper", "groups", id_token=True, userinfo=True),
            ),
        ),
        _scope(
            realm_id,
            "acr",
            "OpenID Connect scope for add acr (authentication context class reference) to the token",
            _no_consent(in_token=False),
            (_mapper("acr loa level", "oidc-acr-mapper", _flags(userinfo=False)),),
        ),
        _scope(
            realm_id,
            "basic",
            "OpenID Connect scope for add all basic claims to the token",
            _no_consent(in_token=False),
            (auth_time, _mapper("sub", "oidc-sub-mapper", _flags(id_token=False, userinfo=False))),
        ),
    ]
