"""Several logins in a row: each plan's records feed the next login, as the store would."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from tests.unit.broker.mappers.mappers_kit import context, mapper

from realmgate.broker.mappers.apply import plan_login, preprocess
from realmgate.broker.mappers.inputs import MapperContext, UserState
from realmgate.broker.mappers.refs import ResolvedDirectory
from realmgate.model.identity_provider import IdentityProviderMapper

DIRECTORY = ResolvedDirectory(roles={"app-admin": "R_ADMIN", "viewer": "R_VIEW"})
EXT = mapper("keycloak-oidc-role-to-role-idp-mapper", {"external.role": "manager", "role": "app-admin"})
CLAIM = mapper("oidc-role-idp-mapper", {"claim": "groups", "claim.value": "/admins", "role": "app-admin"})


def upstream(*, roles: Sequence[str] = (), groups: Sequence[str] = ()) -> MapperContext:
    return context(access_token={"realm_access": {"roles": list(roles)}}, id_token={"groups": list(groups)})


def login(
    state: UserState | None, mappers: Sequence[IdentityProviderMapper], ctx: MapperContext, sync_mode: str
) -> UserState:
    """Plan a login and persist its role changes and records the way the flow will."""
    plan = plan_login(
        preprocessing=preprocess(mappers=mappers, ctx=ctx),
        provider_config={"syncMode": sync_mode},
        ctx=ctx,
        user=state,
        directory=DIRECTORY,
    )
    before = state or UserState(username="alice")
    assert not (plan.grant_role_ids & before.role_ids), "a held role was granted again"
    return dataclasses.replace(
        before,
        role_ids=(before.role_ids | plan.grant_role_ids) - plan.revoke_role_ids,
        mapper_grants=(before.mapper_grants | plan.grants_added) - plan.grants_removed,
    )


def test_force_follows_the_upstream_across_logins() -> None:
    state = login(None, [EXT], upstream(roles=["manager"]), "FORCE")
    assert state.role_ids == {"R_ADMIN"}
    state = login(state, [EXT], upstream(roles=["manager"]), "FORCE")
    assert state.role_ids == {"R_ADMIN"}
    state = login(state, [EXT], upstream(), "FORCE")
    assert state.role_ids == frozenset() and state.mapper_grants == frozenset()
    state = login(state, [EXT], upstream(roles=["manager"]), "FORCE")
    assert state.role_ids == {"R_ADMIN"}


def test_import_keeps_the_first_login_roles() -> None:
    state = login(None, [EXT], upstream(roles=["manager"]), "IMPORT")
    state = login(state, [EXT], upstream(), "IMPORT")
    assert state.role_ids == {"R_ADMIN"}


def test_legacy_revokes_but_never_grants_again() -> None:
    state = login(None, [CLAIM], upstream(groups=["/admins"]), "LEGACY")
    state = login(state, [CLAIM], upstream(), "LEGACY")
    assert state.role_ids == frozenset()
    state = login(state, [CLAIM], upstream(groups=["/admins"]), "LEGACY")
    assert state.role_ids == frozenset()


def test_admin_grant_after_mapper_grant_survives_force() -> None:
    state = login(None, [EXT], upstream(roles=["manager"]), "FORCE")
    # The admin grants the role explicitly: the admin API forgets the mapper records.
    state = dataclasses.replace(state, mapper_grants=frozenset())
    state = login(state, [EXT], upstream(), "FORCE")
    assert state.role_ids == {"R_ADMIN"}


def test_two_mappers_one_role_across_logins() -> None:
    state = login(None, [EXT, CLAIM], upstream(roles=["manager"], groups=["/admins"]), "FORCE")
    assert len(state.mapper_grants) == 2
    state = login(state, [EXT, CLAIM], upstream(groups=["/admins"]), "FORCE")
    assert state.role_ids == {"R_ADMIN"} and len(state.mapper_grants) == 1
    state = login(state, [EXT, CLAIM], upstream(roles=["manager"]), "FORCE")
    assert state.role_ids == {"R_ADMIN"} and len(state.mapper_grants) == 1
    state = login(state, [EXT, CLAIM], upstream(), "FORCE")
    assert state.role_ids == frozenset() and state.mapper_grants == frozenset()
