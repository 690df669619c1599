"""Mappers that read the user, the session or constants."""

from __future__ import annotations

import json
from collections.abc import Mapping

from realmgate.model.user import User
from realmgate.protocol.mappers.base import Claims, MapperFn, MappingContext, map_value, set_claim

# Keycloak's UserModel property names, as a mapper's ``user.attribute`` names them.
_PROPERTIES = {
    "username": lambda u: u.username,
    "email": lambda u: u.email,
    "firstName": lambda u: u.first_name,
    "lastName": lambda u: u.last_name,
    "emailVerified": lambda u: u.email_verified,
    "enabled": lambda u: u.enabled,
    "id": lambda u: u.id,
    "createdTimestamp": lambda u: u.created_timestamp,
}


def user_attribute(user: User, name: str) -> list[str]:
    """Attribute values; the profile attributes (username, email, ...) also count as attributes."""
    if name in user.attributes:
        return list(user.attributes[name])
    getter = _PROPERTIES.get(name)
    if getter is not None:
        value = getter(user)
        if value is not None:
            return [value if isinstance(value, str) else json.dumps(value)]
    return []


def _property(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    getter = _PROPERTIES.get(config.get("user.attribute", ""))
    if getter is not None:
        map_value(config, claims, getter(ctx.user))


def _attribute(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    values = user_attribute(ctx.user, config.get("user.attribute", ""))
    map_value(config, claims, values or None)


def _full_name(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    parts = [p for p in (ctx.user.first_name, ctx.user.last_name) if p]
    if parts:
        set_claim(claims, "name", " ".join(parts))


def _address(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    address: dict[str, object] = {}
    for field in ("formatted", "street", "locality", "region", "postal_code", "country"):
        attribute = config.get(f"user.attribute.{field}", field)
        values = user_attribute(ctx.user, attribute)
        if values:
            address["street_address" if field == "street" else field] = values[0]
    if address:
        set_claim(claims, "address", address)


def _group_membership(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    full_path = config.get("full.path", "true") == "true"
    names = [
        ctx.config.group_path(g) if full_path else ctx.config.groups[g].name
        for g in ctx.group_ids
        if g in ctx.config.groups
    ]
    map_value({**config, "multivalued": "true"}, claims, sorted(names) or None)


def _hardcoded(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    map_value(config, claims, config.get("claim.value"))


def _sub(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    set_claim(claims, "sub", ctx.user.id)


def _acr(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    set_claim(claims, "acr", "1" if ctx.fresh_login else "0")


def _session_note(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    note = ctx.session_notes.get(config.get("user.session.note", ""))
    map_value(config, claims, note)


USER_MAPPERS: dict[str, MapperFn] = {
    "oidc-usermodel-property-mapper": _property,
    "oidc-usermodel-attribute-mapper": _attribute,
    "oidc-full-name-mapper": _full_name,
    "oidc-address-mapper": _address,
    "oidc-group-membership-mapper": _group_membership,
    "oidc-hardcoded-claim-mapper": _hardcoded,
    "oidc-sub-mapper": _sub,
    "oidc-acr-mapper": _acr,
    "oidc-usersessionmodel-note-mapper": _session_note,
}
