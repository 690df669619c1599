"""Protocol mappers: each Keycloak mapper type id is a small function that adds claims.

``apply_mappers`` runs the mappers that are switched on for one token kind (access, ID,
userinfo, introspection) over a ``MappingContext`` and returns the claims they produced.
Unknown mapper types are skipped (Keycloak has many; we implement those a fresh realm and
realm files commonly use).
"""

from __future__ import annotations

from collections.abc import Sequence

from realmgate.model.client import ProtocolMapper
from realmgate.protocol.mappers.base import Claims, MapperFn, MappingContext, TokenKind, enabled_for
from realmgate.protocol.mappers.roles import ROLE_MAPPERS
from realmgate.protocol.mappers.user import USER_MAPPERS

REGISTRY: dict[str, MapperFn] = {**USER_MAPPERS, **ROLE_MAPPERS}

__all__ = ["REGISTRY", "Claims", "MappingContext", "TokenKind", "apply_mappers"]


def apply_mappers(mappers: Sequence[ProtocolMapper], ctx: MappingContext, kind: TokenKind) -> Claims:
    claims: Claims = {}
    for mapper in mappers:
        fn = REGISTRY.get(mapper.protocol_mapper)
        if fn is None or mapper.protocol != "openid-connect" or not enabled_for(mapper, kind):
            continue
        fn(mapper.config, ctx, claims)
    return claims
