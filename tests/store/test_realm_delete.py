"""Deleting a realm removes everything in it and nothing outside it."""

from __future__ import annotations

import dataclasses

from sqlalchemy import func, select

from realmgate.model.client import ClientScope
from realmgate.model.component import Component
from realmgate.model.events import AdminEvent, Event
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper, MapperGrant
from realmgate.model.keys import RealmKey
from realmgate.model.organization import UNMANAGED, Organization, OrganizationDomain
from realmgate.model.user import Credential, FederatedIdentity
from realmgate.store.sql import SqlStore
from realmgate.store.sql.tables import metadata

from . import factories as f


async def _fill(store: SqlStore) -> str:
    """A realm with at least one row in every realm-scoped table."""
    realm = f.realm()
    client = f.client(realm.id, "app")
    role = f.role(realm.id, "r", client_id=client.id)
    parent = f.group(realm.id, "parent", role_ids=(role.id,))
    child = f.group(realm.id, "child", parent_id=parent.id)
    user = f.user(realm.id, "alice", attributes={"a": ("1",)})
    sa_user = f.user(realm.id, "service-account-app", service_account_client_id=client.id)
    async with store.tx() as tx:
        await tx.realms.add(realm)
        await tx.clients.add(client)
        await tx.client_scopes.add(ClientScope(id=f.new_id(), realm_id=realm.id, name="profile"))
        await tx.roles.add(role)
        await tx.groups.add(parent)
        await tx.groups.add(child)
        await tx.users.add(user)
        await tx.users.add(sa_user)
        await tx.users.grant_roles(realm.id, user.id, [role.id])
        await tx.users.join_group(realm.id, user.id, child.id)
        await tx.credentials.add(Credential(f.new_id(), user.id, "password", "{}", "{}"))
        idp = IdentityProvider(f.new_id(), realm.id, "up", "oidc")
        await tx.identity_providers.add(idp)
        org = Organization(
            f.new_id(),
            realm.id,
            f"org-{realm.id}",
            f"org-{realm.id}",
            domains=(OrganizationDomain(f"{realm.id}.example"),),
        )
        await tx.organizations.add(org)
        await tx.organizations.add_member(realm.id, org.id, user.id, UNMANAGED)
        await tx.organizations.link_provider(realm.id, org.id, idp.internal_id)
        await tx.components.add(Component(f.new_id(), realm.id, "policy", "max-clients", "policy-type", realm.id))
        await tx.idp_mappers.add(IdentityProviderMapper(f.new_id(), realm.id, "m", "up", "hardcoded-role-idp-mapper"))
        await tx.federated_identities.add(FederatedIdentity(realm.id, user.id, "up", "sub", "alice"))
        await tx.mapper_grants.add(realm.id, user.id, [MapperGrant("role", role.id, "up", f.new_id())])
        await tx.keys.add(RealmKey("kid", realm.id, "hmac-generated", "HS512", "sig", "OCT", "secret"))
        await tx.sessions.add(f.session(realm.id, user.id, clients=(client.id,)))
        await tx.events.add(Event(f.new_id(), realm.id, 1, "LOGIN"))
        await tx.events.add_admin(AdminEvent(f.new_id(), realm.id, 1, "CREATE", "USER", "users/x"))
        await tx.login_failures.change(realm.id, user.id, lambda r: dataclasses.replace(r, num_failures=1))
    return realm.id


async def _row_counts(store: SqlStore) -> dict[str, int]:
    async with store.engine.connect() as conn:
        return {
            table.name: int(await conn.scalar(select(func.count()).select_from(table)) or 0)
            for table in metadata.sorted_tables
        }


async def test_realm_delete_cascades_to_everything_in_it(store: SqlStore) -> None:
    await _fill(store)
    only_other = await _row_counts(store)
    doomed = await _fill(store)
    with_both = await _row_counts(store)
    empty_tables = {name for name, count in only_other.items() if count == 0}
    assert empty_tables == {"single_use"}  # the fill reaches every realm-scoped table
    assert all(with_both[name] > only_other[name] for name in only_other if name not in empty_tables)

    async with store.tx() as tx:
        await tx.realms.delete(doomed)
    assert await _row_counts(store) == only_other
