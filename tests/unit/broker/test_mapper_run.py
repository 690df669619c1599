"""Identity provider mappers applied in a brokered login's transaction, on a real database.

Each test drives ``broker.mapper_run`` the way the first-login flow does (load the run, create
or find the user, then ``run.apply``) and reads back what the store holds: role mappings, group
memberships, provenance records, profile and attributes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace

from tests.store import factories as f
from tests.unit.ids import CountingRandomness

from realmgate.broker import login_store
from realmgate.broker.connector import BrokeredIdentity
from realmgate.broker.first_login_decision import proposed_username
from realmgate.broker.mapper_run import MapperOutcome, MapperRun
from realmgate.crypto.secrets import SYSTEM, Randomness
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper
from realmgate.model.realm import Realm
from realmgate.model.user import User
from realmgate.store.sql import SqlStore

ALIAS = "slave"


@dataclass
class World:
    store: SqlStore
    realm: Realm
    idp: IdentityProvider
    roles: dict[str, str]  # name -> id
    groups: dict[str, str]  # path -> id


async def _world(store: SqlStore, *, sync_mode: str = "FORCE") -> World:
    realm = await f.add_realm(store)
    idp = IdentityProvider(
        internal_id=f.new_id(),
        realm_id=realm.id,
        alias=ALIAS,
        provider_id="keycloak-oidc",
        config={"syncMode": sync_mode},
    )
    roles = {name: f.role(realm.id, name) for name in ("app-admin", "viewer", "auditor")}
    parent = f.group(realm.id, "staff")
    child = f.group(realm.id, "ops", parent_id=parent.id)
    async with store.tx() as tx:
        await tx.identity_providers.add(idp)
        for role in roles.values():
            await tx.roles.add(role)
        await tx.groups.add(parent)
        await tx.groups.add(child)
    return World(store, realm, idp, {n: r.id for n, r in roles.items()}, {"/staff": parent.id, "/staff/ops": child.id})


async def _mapper(w: World, type_id: str, config: Mapping[str, str], name: str | None = None) -> IdentityProviderMapper:
    mapper = IdentityProviderMapper(
        id=f.new_id(),
        realm_id=w.realm.id,
        name=name or f"{type_id}-{f.new_id()[:6]}",
        identity_provider_alias=ALIAS,
        identity_provider_mapper=type_id,
        config=dict(config),
    )
    async with w.store.tx() as tx:
        await tx.idp_mappers.add(mapper)
    return mapper


def _identity(*, roles: tuple[str, ...] = (), sub: str = "u-1", **claims: object) -> BrokeredIdentity:
    id_token = {"sub": sub, "preferred_username": "alice", "email": "alice@slave.test", **claims}
    return BrokeredIdentity(
        alias=ALIAS,
        provider_id="keycloak-oidc",
        id=sub,
        username="alice",
        email="alice@slave.test",
        first_name="Alice",
        last_name="Liddell",
        id_token_claims=id_token,
        access_token_claims={"sub": sub, "realm_access": {"roles": list(roles)}},
    )


async def _login(w: World, identity: BrokeredIdentity, ids: Randomness = SYSTEM) -> MapperOutcome:
    """One brokered login as the first-login flow runs it: load (preprocess), find or create, apply."""
    async with w.store.tx() as tx:
        run = await MapperRun.load(tx, realm=w.realm, idp=w.idp, identity=identity, ids=ids)
        link = await tx.federated_identities.get_by_upstream(w.realm.id, ALIAS, run.identity.id)
        if link is None:
            username = proposed_username(run.identity, w.realm, mapper_username=run.username)
            user = await login_store.create_user(
                tx, realm=w.realm, idp=w.idp, identity=run.identity, username=username, now=1, ids=ids
            )
            created = True
        else:
            found = await tx.users.get(w.realm.id, link.user_id)
            assert found is not None
            user, created = found, False
        return await run.apply(tx, user=user, created=created)


async def _held(w: World, user: User) -> tuple[set[str], set[str]]:
    async with w.store.tx() as tx:
        roles = set(await tx.users.role_ids(w.realm.id, user.id))
        groups = set(await tx.users.group_ids(w.realm.id, user.id))
    return roles, groups


def _external(role: str, local: str, **extra: str) -> dict[str, str]:
    return {"external.role": role, "role": local, **extra}


async def test_external_role_force_grants_then_revokes(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin"))
    user = (await _login(w, _identity(roles=("manager",)))).user
    assert w.roles["app-admin"] in (await _held(w, user))[0]
    async with store.tx() as tx:
        records = await tx.mapper_grants.list(w.realm.id, user.id)
    assert [(g.kind, g.target_id, g.identity_provider) for g in records] == [("role", w.roles["app-admin"], ALIAS)]

    again = (await _login(w, _identity(roles=("manager",)))).user
    assert again.id == user.id
    async with store.tx() as tx:
        assert (await tx.users.role_ids(w.realm.id, user.id)).count(w.roles["app-admin"]) == 1

    await _login(w, _identity(roles=()))
    assert w.roles["app-admin"] not in (await _held(w, user))[0]
    async with store.tx() as tx:
        assert await tx.mapper_grants.list(w.realm.id, user.id) == []


async def test_import_mode_keeps_the_role(store: SqlStore) -> None:
    w = await _world(store, sync_mode="IMPORT")
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin"))
    user = (await _login(w, _identity(roles=("manager",)))).user
    await _login(w, _identity(roles=()))
    assert w.roles["app-admin"] in (await _held(w, user))[0]


async def test_mapper_force_wins_over_provider_import(store: SqlStore) -> None:
    w = await _world(store, sync_mode="IMPORT")
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin", syncMode="FORCE"))
    user = (await _login(w, _identity(roles=("manager",)))).user
    await _login(w, _identity(roles=()))
    assert w.roles["app-admin"] not in (await _held(w, user))[0]


async def test_admin_granted_role_survives_force(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin"))
    user = (await _login(w, _identity(roles=("manager",)))).user
    async with store.tx() as tx:  # what the admin role-mapping endpoint does
        await tx.users.grant_roles(w.realm.id, user.id, [w.roles["app-admin"]])
        await tx.mapper_grants.forget(w.realm.id, user.id, "role", [w.roles["app-admin"]])
    await _login(w, _identity(roles=()))
    assert w.roles["app-admin"] in (await _held(w, user))[0]


async def test_role_already_held_at_first_login_is_not_adopted(store: SqlStore) -> None:
    """A role the user holds before any mapper ran (here: a second provider's link to an
    existing account is simulated by granting before the first login's apply) stays the admin's."""
    w = await _world(store)
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin"))
    identity = _identity(roles=("manager",))
    async with store.tx() as tx:
        user = await login_store.create_user(
            tx, realm=w.realm, idp=w.idp, identity=identity, username="alice", now=1, ids=SYSTEM
        )
        await tx.users.grant_roles(w.realm.id, user.id, [w.roles["app-admin"]])
        run = await MapperRun.load(tx, realm=w.realm, idp=w.idp, identity=identity, ids=SYSTEM)
        await run.apply(tx, user=user, created=True)
        assert await tx.mapper_grants.list(w.realm.id, user.id) == []
    await _login(w, _identity(roles=()))
    assert w.roles["app-admin"] in (await _held(w, user))[0]


async def test_two_mappers_one_role_revoked_only_when_neither_matches(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin"))
    await _mapper(w, "oidc-role-idp-mapper", {"claim": "groups", "claim.value": "admins", "role": "app-admin"})
    user = (await _login(w, _identity(roles=("manager",), groups=["admins"]))).user
    await _login(w, _identity(roles=(), groups=["admins"]))
    assert w.roles["app-admin"] in (await _held(w, user))[0]
    await _login(w, _identity(roles=(), groups=[]))
    assert w.roles["app-admin"] not in (await _held(w, user))[0]


async def test_groups_attributes_profile_and_notes(store: SqlStore) -> None:
    w = await _world(store)
    claims = json.dumps([{"key": "org.unit", "value": "op.*"}])
    await _mapper(
        w,
        "oidc-advanced-group-idp-mapper",
        {"claims": claims, "are.claim.values.regex": "true", "group": "/staff/ops"},
    )
    await _mapper(w, "oidc-hardcoded-group-idp-mapper", {"group": "/staff"})
    await _mapper(w, "oidc-user-attribute-idp-mapper", {"claim": "department", "user.attribute": "department"})
    await _mapper(w, "oidc-user-attribute-idp-mapper", {"claim": "work_email", "user.attribute": "email"})
    await _mapper(w, "hardcoded-attribute-idp-mapper", {"attribute": "source", "attribute.value": "slave"})
    await _mapper(w, "hardcoded-user-session-attribute-idp-mapper", {"attribute": "tier", "attribute.value": "gold"})
    outcome = await _login(w, _identity(org={"unit": "operations"}, department="R&D", work_email="A@Work.test"))
    user = outcome.user
    assert (await _held(w, user))[1] == {w.groups["/staff"], w.groups["/staff/ops"]}
    async with store.tx() as tx:
        stored = await tx.users.get(w.realm.id, user.id)
    assert stored is not None
    assert stored.attributes["department"] == ("R&D",)
    assert stored.attributes["source"] == ("slave",)
    assert stored.email == "a@work.test"
    assert outcome.session_notes == {"tier": "gold"}

    marks = login_store.session_marks(_identity(), outcome.session_notes)
    assert marks.notes["tier"] == "gold" and marks.notes["identity_provider"] == "slave"
    assert marks.apply(f.session(w.realm.id, user.id)).notes["tier"] == "gold"

    await _login(w, _identity(org={"unit": "sales"}, department="Sales", work_email="a@work.test"))
    async with store.tx() as tx:
        stored = await tx.users.get(w.realm.id, user.id)
    assert stored is not None and stored.attributes["department"] == ("Sales",)
    assert (await _held(w, user))[1] == {w.groups["/staff"]}


async def test_username_template_names_the_new_user(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "oidc-username-idp-mapper", {"template": "${ALIAS}.${CLAIM.preferred_username}"})
    user = (await _login(w, _identity())).user
    assert user.username == "slave.alice"
    assert (await _login(w, _identity())).user.id == user.id


async def test_username_template_uuid_and_the_new_user_id_come_from_the_login_s_randomness(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "oidc-username-idp-mapper", {"template": "${UUID}"})
    ids = CountingRandomness(71)
    user = (await _login(w, _identity(), ids)).user
    assert (user.username, user.id) == (ids.nth_id(1), ids.nth_id(2))


async def test_missing_or_wrong_claims_grant_nothing(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "oidc-role-idp-mapper", {"claim": "groups", "claim.value": "admins", "role": "viewer"})
    claims = json.dumps([{"key": "org.unit", "value": "ops"}])
    await _mapper(w, "oidc-advanced-role-idp-mapper", {"claims": claims, "role": "auditor"})
    await _mapper(w, "oidc-user-attribute-idp-mapper", {"claim": "department", "user.attribute": "department"})
    outcome = await _login(w, _identity(groups={"not": "a list"}, org="flat", department={"x": 1}))
    roles, groups = await _held(w, outcome.user)
    assert not roles & {w.roles["viewer"], w.roles["auditor"]} and groups == set()
    assert "department" not in outcome.user.attributes


async def test_mapper_naming_a_deleted_role_breaks_nothing(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "keycloak-oidc-role-to-role-idp-mapper", _external("manager", "app-admin"))
    await _mapper(w, "oidc-hardcoded-role-idp-mapper", {"role": "viewer"})
    async with store.tx() as tx:
        await tx.roles.delete(w.realm.id, w.roles["app-admin"])
    user = (await _login(w, _identity(roles=("manager",)))).user
    assert (await _held(w, user))[0] >= {w.roles["viewer"]}


async def test_later_login_without_mappers_keeps_the_provider_sync(store: SqlStore) -> None:
    w = await _world(store)
    user = (await _login(w, _identity())).user
    changed = replace(_identity(), first_name="Alicia")
    outcome = await _login(w, changed)
    assert outcome.user.id == user.id and outcome.user.first_name == "Alicia"


async def test_username_template_broker_id_keys_the_link(store: SqlStore) -> None:
    w = await _world(store)
    await _mapper(w, "oidc-username-idp-mapper", {"template": "${CLAIM.email}", "target": "BROKER_ID"})
    user = (await _login(w, _identity(sub="s-1"))).user
    async with store.tx() as tx:
        links = await tx.federated_identities.list_for_user(w.realm.id, user.id)
    assert [link.idp_user_id for link in links] == ["alice@slave.test"]
    # A new upstream sub with the same email is the same local user: the link is keyed by the template.
    assert (await _login(w, _identity(sub="s-2"))).user.id == user.id
