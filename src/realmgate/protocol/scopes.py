"""Which client scopes apply to a request, and the ``scope`` string granted.

A client's default scopes always apply; its optional scopes apply when requested. ``openid`` is
not a client scope but marks an OIDC request. Any other requested name is refused with
``invalid_scope`` ("Invalid scopes: ..."), as Keycloak does. The granted ``scope`` lists
``openid`` (when asked) and the applied scopes whose ``include.in.token.scope`` is not false.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from realmgate.model.client import Client, ClientScope, ProtocolMapper
from realmgate.protocol.errors import InvalidScope
from realmgate.protocol.realm_cache import RealmConfig

OPENID = "openid"
OFFLINE_ACCESS = "offline_access"


@dataclass(frozen=True, slots=True)
class ScopeDecision:
    openid: bool
    applied: tuple[ClientScope, ...]

    @property
    def scope_string(self) -> str:
        names = [OPENID] if self.openid else []
        names += [s.name for s in self.applied if s.attributes.get("include.in.token.scope", "true") != "false"]
        return " ".join(names)

    @property
    def names(self) -> frozenset[str]:
        return frozenset(s.name for s in self.applied)

    @property
    def offline(self) -> bool:
        return OFFLINE_ACCESS in self.names


def split_scope(scope: str | None) -> list[str]:
    return [s for s in (scope or "").split(" ") if s]


def decide_scopes(config: RealmConfig, client: Client, requested: str | None) -> ScopeDecision:
    """Apply the client's default scopes and the requested optional ones."""
    wanted = split_scope(requested)
    defaults = [config.scopes[n] for n in client.default_client_scopes if n in config.scopes]
    optional_names = set(client.optional_client_scopes)
    default_names = {s.name for s in defaults}
    unknown = [n for n in wanted if n != OPENID and n not in optional_names and n not in default_names]
    if unknown:
        raise InvalidScope(f"Invalid scopes: {requested}")
    chosen = [config.scopes[n] for n in dict.fromkeys(wanted) if n in optional_names and n in config.scopes]
    return ScopeDecision(openid=OPENID in wanted, applied=tuple(defaults + chosen))


def narrow_scopes(config: RealmConfig, client: Client, granted: str, requested: str | None) -> ScopeDecision:
    """Scopes for a refresh: the requested subset of what was granted (all of it by default)."""
    granted_names = split_scope(granted)
    if requested is None:
        return decide_scopes(config, client, granted)
    wanted = split_scope(requested)
    outside = [n for n in wanted if n not in granted_names and n not in client.default_client_scopes]
    if outside:
        raise InvalidScope(f"Invalid scopes: {requested}")
    return decide_scopes(config, client, requested)


def mappers_for(client: Client, decision: ScopeDecision) -> Sequence[ProtocolMapper]:
    """Mappers of the applied scopes, then the client's own (which may override them)."""
    mappers: list[ProtocolMapper] = []
    for scope in decision.applied:
        mappers.extend(scope.protocol_mappers)
    mappers.extend(client.protocol_mappers)
    return mappers


def scope_role_ids(config: RealmConfig, client: Client, decision: ScopeDecision) -> set[str] | None:
    """Roles a token for this client may carry; None means every role (full scope allowed)."""
    if client.full_scope_allowed:
        return None
    allowed: set[str] = set(client.scope_role_ids)
    allowed.update(r.id for r in config.roles.values() if r.client_id == client.id)
    for scope in decision.applied:
        allowed.update(scope.scope_role_ids)
    return config.expand_roles(allowed)
