"""Provenance of role mappings and group memberships granted by identity provider mappers.

Why it exists: a FORCE mapper must revoke what it granted once the upstream stops saying
so, but must never take away a role an administrator granted, nor a role another mapper
still grants. Keycloak cannot tell these apart (it revokes admin-granted roles); realmgate
keeps one record per (user, role or group, provider alias, mapper id) in the store.

Rules the plan follows (``apply.plan_login``):

* a mapper that grants a target the user does not hold yet creates the mapping and a record;
* a mapper that grants a target the user holds *with* records adds its own record;
* a mapper that grants a target the user holds *without* any record (an admin grant, a
  default role, an imported mapping) adds nothing: that mapping stays the admin's;
* a mapper that stops granting drops only its own record; the mapping is revoked when its
  last record goes and no mapper granted it during this login.

What the admin API must do so admin grants stay "direct": when an administrator grants a
role (or adds a group membership) the user already holds through mappers, or removes one,
``forget`` the records of that user and target; the mapping is then the admin's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

GrantKind = Literal["role", "group"]


@dataclass(frozen=True, slots=True, order=True)
class MapperGrant:
    """``mapper_id`` of provider ``identity_provider`` granted ``target_id`` (a role or group id)."""

    kind: GrantKind
    target_id: str
    identity_provider: str
    mapper_id: str


class MapperGrantRepo(Protocol):
    """Store addition the broker flow and the admin API need (proposed ``tx.mapper_grants``).

    Table ``idp_mapper_grant(realm_id, user_id, kind, target_id, identity_provider,
    mapper_id)``, primary key on all six columns; rows go with the user, the role or group,
    the identity provider (alias renames carry over) and the mapper when those are deleted.
    """

    async def list(self, realm_id: str, user_id: str) -> Sequence[MapperGrant]:
        """Every record of the user, for all providers."""
        ...

    async def add(self, realm_id: str, user_id: str, grants: Sequence[MapperGrant]) -> None:
        """Idempotent insert."""
        ...

    async def remove(self, realm_id: str, user_id: str, grants: Sequence[MapperGrant]) -> None:
        """Delete exactly these records; absent ones are ignored."""
        ...

    async def forget(self, realm_id: str, user_id: str, kind: GrantKind, target_ids: Sequence[str]) -> None:
        """Delete every record of these targets (admin granted or removed them directly)."""
        ...
