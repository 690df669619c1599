"""Claims of a token, computed by running the protocol mappers over the user and client.

The user's effective roles are its direct roles, the roles of its groups (and their ancestor
groups), with composites expanded, then limited to what the client may see (full scope, or the
client's and its client scopes' scope mappings).
"""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.model.client import Client
from realmgate.model.user import User
from realmgate.protocol.mappers import Claims, MappingContext, TokenKind, apply_mappers
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.scopes import ScopeDecision, mappers_for, scope_role_ids
from realmgate.store.interface import Tx


async def mapping_context(
    tx: Tx,
    config: RealmConfig,
    client: Client,
    user: User,
    decision: ScopeDecision,
    *,
    session_notes: Mapping[str, str],
    fresh_login: bool = True,
) -> MappingContext:
    direct = set(await tx.users.role_ids(config.realm.id, user.id))
    group_ids = tuple(await tx.users.group_ids(config.realm.id, user.id))
    effective = config.expand_roles(direct | config.group_role_ids(set(group_ids)))
    allowed = scope_role_ids(config, client, decision)
    if allowed is not None:
        effective &= allowed
    return MappingContext(
        config=config,
        client=client,
        user=user,
        role_ids=frozenset(effective),
        group_ids=group_ids,
        session_notes=session_notes,
        fresh_login=fresh_login,
    )


def mapped_claims(ctx: MappingContext, decision: ScopeDecision, kind: TokenKind) -> Claims:
    return apply_mappers(mappers_for(ctx.client, decision), ctx, kind)
