"""Mappers that read roles and the client: realm/client roles, audiences, allowed origins."""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.protocol.mappers.base import Claims, MapperFn, MappingContext, map_value, set_claim
from realmgate.protocol.redirect_uri import resolve_web_origins


def _prefixed(prefix: str | None, name: str) -> str:
    return f"{prefix}{name}" if prefix else name


def _realm_roles(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    prefix = config.get("usermodel.realmRoleMapping.rolePrefix")
    names = sorted(
        _prefixed(prefix, role.name)
        for role_id in ctx.role_ids
        if (role := ctx.config.roles.get(role_id)) is not None and role.client_id is None
    )
    map_value({**config, "multivalued": config.get("multivalued", "true")}, claims, names or None)


def client_roles_by_client(ctx: MappingContext) -> dict[str, list[str]]:
    """Role names per public client id, for the (scoped) roles of this token."""
    by_client: dict[str, list[str]] = {}
    for role_id in ctx.role_ids:
        role = ctx.config.roles.get(role_id)
        if role is None or role.client_id is None:
            continue
        client = ctx.config.client_by_internal_id(role.client_id)
        if client is not None:
            by_client.setdefault(client.client_id, []).append(role.name)
    return {k: sorted(v) for k, v in by_client.items()}


def _client_roles(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    only = config.get("usermodel.clientRoleMapping.clientId") or None
    prefix = config.get("usermodel.clientRoleMapping.rolePrefix")
    template = config.get("claim.name", "")
    for client_id, names in client_roles_by_client(ctx).items():
        if only is not None and client_id != only:
            continue
        per_client = {
            **config,
            "claim.name": template.replace("${client_id}", client_id),
            "multivalued": config.get("multivalued", "true"),
        }
        map_value(per_client, claims, [_prefixed(prefix, n) for n in names])


def _add_audience(claims: Claims, audience: str) -> None:
    existing = claims.get("aud")
    if existing is None:
        claims["aud"] = [audience]
    elif isinstance(existing, list):
        if audience not in existing:
            existing.append(audience)
    elif existing != audience:
        claims["aud"] = [existing, audience]


def _audience(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    for audience in (config.get("included.client.audience"), config.get("included.custom.audience")):
        if audience:
            _add_audience(claims, audience)


def _audience_resolve(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    for client_id in sorted(client_roles_by_client(ctx)):
        if client_id != ctx.client.client_id:
            _add_audience(claims, client_id)


def _allowed_origins(config: Mapping[str, str], ctx: MappingContext, claims: Claims) -> None:
    origins = resolve_web_origins(ctx.client, None)  # relative to ${authBaseUrl}: not known here
    if origins:
        set_claim(claims, "allowed-origins", origins)


ROLE_MAPPERS: dict[str, MapperFn] = {
    "oidc-usermodel-realm-role-mapper": _realm_roles,
    "oidc-usermodel-client-role-mapper": _client_roles,
    "oidc-audience-mapper": _audience,
    "oidc-audience-resolve-mapper": _audience_resolve,
    "oidc-allowed-origins-mapper": _allowed_origins,
}
