"""The store contract: what the services need from persistence, with no SQL in sight.

Every call happens inside a transaction obtained from ``Store.tx()``; read-modify-write is
``get(..., for_update=True)`` then ``update(...)`` in the same transaction, so several server
instances on one database stay correct. ``add`` raises ``Conflict`` on a unique key clash;
``update``/``delete`` of a missing row raise ``NotFound``.

``config_version(realm_id)`` changes whenever anything a realm's configuration is made of
changes (realm, clients, roles, groups, client scopes, keys, identity providers and their
mappers), so in-process caches keyed by it see an edit made by any instance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from typing import Protocol

from realmgate.model.client import Client, ClientScope
from realmgate.model.component import Component
from realmgate.model.events import AdminEvent, Event
from realmgate.model.identity_provider import GrantKind, IdentityProvider, IdentityProviderMapper, MapperGrant
from realmgate.model.keys import RealmKey
from realmgate.model.login_failure import LoginFailure
from realmgate.model.organization import Organization
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.session import UserSession
from realmgate.model.user import Credential, FederatedIdentity, User


class StoreError(Exception):
    """Base of store errors; the message is safe to show to an administrator."""


class Conflict(StoreError):
    """A unique key (name, username, email, alias, ...) is already taken."""


class NotFound(StoreError):
    """The row to update or delete does not exist."""


class Unavailable(StoreError):
    """The database cannot be reached."""


class RealmRepo(Protocol):
    async def get(self, realm_id: str, *, for_update: bool = False) -> Realm | None: ...
    async def get_by_name(self, name: str) -> Realm | None: ...
    async def list(self) -> Sequence[Realm]: ...
    async def add(self, realm: Realm) -> None: ...
    async def update(self, realm: Realm) -> None: ...
    async def delete(self, realm_id: str) -> None:
        """Delete the realm and everything in it."""
        ...

    async def config_version(self, realm_id: str) -> int: ...
    async def touch(self, realm_id: str) -> None:
        """Move the config version without changing anything, so every instance drops what
        its in-process caches hold for the realm (``clear-keys-cache``, ``reload-keys``)."""
        ...


class ClientRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Client | None: ...
    async def get_by_client_id(self, realm_id: str, client_id: str) -> Client | None: ...
    async def list(
        self, realm_id: str, *, search: str | None = None, first: int = 0, max: int | None = None
    ) -> Sequence[Client]:
        """Clients ordered by client_id; ``search`` is a case-insensitive substring of client_id."""
        ...

    async def add(self, client: Client) -> None: ...
    async def update(self, client: Client) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None:
        """Delete the client, its roles, its service-account user and its client sessions."""
        ...


class RoleRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Role | None: ...
    async def get_many(self, realm_id: str, ids: Sequence[str]) -> Sequence[Role]: ...
    async def get_realm_role(self, realm_id: str, name: str) -> Role | None: ...
    async def get_client_role(self, realm_id: str, client_id: str, name: str) -> Role | None:
        """``client_id`` is the client's internal id."""
        ...

    async def list_realm_roles(self, realm_id: str) -> Sequence[Role]: ...
    async def list_client_roles(self, realm_id: str, client_id: str) -> Sequence[Role]: ...
    async def list_all(self, realm_id: str) -> Sequence[Role]: ...
    async def add(self, role: Role) -> None: ...
    async def update(self, role: Role) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None:
        """Delete the role and every mapping to it (users, groups, composites, scopes)."""
        ...


class GroupRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Group | None: ...
    async def list(self, realm_id: str) -> Sequence[Group]: ...
    async def add(self, group: Group) -> None: ...
    async def update(self, group: Group) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None:
        """Delete the group, its subgroups and their memberships."""
        ...


class ClientScopeRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> ClientScope | None: ...
    async def get_by_name(self, realm_id: str, name: str) -> ClientScope | None: ...
    async def list(self, realm_id: str) -> Sequence[ClientScope]: ...
    async def add(self, scope: ClientScope) -> None: ...
    async def update(self, scope: ClientScope) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None: ...


@dataclass(frozen=True, slots=True)
class UserQuery:
    """Admin user search. ``search`` matches username, email, first or last name (substring,
    or exact when ``exact``); the other fields filter by that field. ``attributes`` are exact."""

    search: str | None = None
    username: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    exact: bool = False
    enabled: bool | None = None
    attributes: tuple[tuple[str, str], ...] = ()
    include_service_accounts: bool = False
    first: int = 0
    max: int | None = 100


class UserRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> User | None: ...
    async def get_by_username(self, realm_id: str, username: str) -> User | None: ...
    async def get_by_email(self, realm_id: str, email: str) -> Sequence[User]: ...
    async def get_service_account(self, realm_id: str, client_id: str) -> User | None: ...
    async def find(self, realm_id: str, query: UserQuery) -> Sequence[User]:
        """Users ordered by username."""
        ...

    async def count(self, realm_id: str, query: UserQuery) -> int: ...
    async def add(self, user: User) -> None: ...
    async def update(self, user: User) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None:
        """Delete the user with credentials, mappings, links and sessions."""
        ...

    # Role mappings (direct only; composites are expanded by the services).
    async def role_ids(self, realm_id: str, user_id: str) -> Sequence[str]: ...
    async def grant_roles(self, realm_id: str, user_id: str, role_ids: Sequence[str]) -> None:
        """Idempotent: a role already granted is not granted twice."""
        ...

    async def revoke_roles(self, realm_id: str, user_id: str, role_ids: Sequence[str]) -> None: ...
    async def users_with_role(
        self, realm_id: str, role_id: str, *, first: int = 0, max: int | None = 100
    ) -> Sequence[User]: ...

    # Group membership.
    async def group_ids(self, realm_id: str, user_id: str) -> Sequence[str]: ...
    async def join_group(self, realm_id: str, user_id: str, group_id: str) -> None: ...
    async def leave_group(self, realm_id: str, user_id: str, group_id: str) -> None: ...
    async def group_members(
        self, realm_id: str, group_id: str, *, first: int = 0, max: int | None = 100
    ) -> Sequence[User]: ...


class CredentialRepo(Protocol):
    async def list(self, user_id: str) -> Sequence[Credential]: ...
    async def add(self, credential: Credential) -> None: ...
    async def update(self, credential: Credential) -> None: ...
    async def delete(self, user_id: str, id: str) -> None: ...


class FederatedIdentityRepo(Protocol):
    async def list_for_user(self, realm_id: str, user_id: str) -> Sequence[FederatedIdentity]: ...
    async def get_by_upstream(self, realm_id: str, alias: str, idp_user_id: str) -> FederatedIdentity | None: ...
    async def add(self, link: FederatedIdentity) -> None:
        """Unique on (realm, alias, idp_user_id) and on (user, alias): else ``Conflict``."""
        ...

    async def update(self, link: FederatedIdentity) -> None: ...
    async def delete(self, realm_id: str, user_id: str, alias: str) -> None: ...
    async def rename_alias(self, realm_id: str, old_alias: str, new_alias: str) -> None: ...


class IdentityProviderRepo(Protocol):
    async def get(self, realm_id: str, alias: str, *, for_update: bool = False) -> IdentityProvider | None: ...
    async def list(self, realm_id: str) -> Sequence[IdentityProvider]: ...
    async def add(self, idp: IdentityProvider) -> None: ...
    async def update(self, idp: IdentityProvider) -> None:
        """Matched by ``internal_id``, so the alias may change."""
        ...

    async def delete(self, realm_id: str, alias: str) -> None:
        """Delete the provider, its mappers and the links to it."""
        ...


class IdentityProviderMapperRepo(Protocol):
    async def get(self, realm_id: str, id: str) -> IdentityProviderMapper | None: ...
    async def list(self, realm_id: str, alias: str | None = None) -> Sequence[IdentityProviderMapper]: ...
    async def add(self, mapper: IdentityProviderMapper) -> None: ...
    async def update(self, mapper: IdentityProviderMapper) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None: ...


class KeyRepo(Protocol):
    async def list(self, realm_id: str) -> Sequence[RealmKey]: ...
    async def add(self, key: RealmKey) -> None: ...
    async def update(self, key: RealmKey) -> None: ...
    async def delete(self, realm_id: str, kid: str) -> None: ...


@dataclass(frozen=True, slots=True)
class OrganizationQuery:
    """Keycloak's organization search: ``search`` matches the name or a domain (substring,
    case-insensitive; equal when ``exact``); ``attributes`` (the ``q`` parameter) must all match,
    ``alias`` among them."""

    search: str | None = None
    exact: bool = False
    attributes: tuple[tuple[str, str], ...] = ()
    first: int = 0
    max: int | None = None


class OrganizationRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> Organization | None: ...
    async def find(self, realm_id: str, query: OrganizationQuery) -> Sequence[Organization]:
        """Organizations ordered by name."""
        ...

    async def count(self, realm_id: str, query: OrganizationQuery) -> int: ...
    async def owner_of_domain(self, realm_id: str, domain: str) -> str | None:
        """The id of the organization that has ``domain`` (any case), if any."""
        ...

    async def add(self, org: Organization) -> None:
        """Unique on (realm, name), (realm, alias) and each domain within the realm."""
        ...

    async def update(self, org: Organization) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None:
        """Delete the organization with its domains, memberships and identity provider links
        (the users and providers themselves stay)."""
        ...

    async def add_member(self, realm_id: str, org_id: str, user_id: str, membership_type: str) -> bool:
        """False when the user already is a member."""
        ...

    async def remove_member(self, realm_id: str, org_id: str, user_id: str) -> bool: ...
    async def is_member(self, realm_id: str, org_id: str, user_id: str) -> bool: ...
    async def members(
        self, realm_id: str, org_id: str, *, search: str | None, exact: bool, first: int, max: int | None
    ) -> Sequence[User]:
        """Members ordered by username; ``search`` as ``UserQuery.search``."""
        ...

    async def member_count(self, realm_id: str, org_id: str) -> int: ...
    async def of_member(self, realm_id: str, user_id: str) -> Sequence[Organization]: ...
    async def link_provider(self, realm_id: str, org_id: str, idp_internal_id: str) -> None:
        """``Conflict`` when the provider already belongs to an organization."""
        ...

    async def unlink_provider(self, realm_id: str, idp_internal_id: str) -> None: ...
    async def provider_owner(self, realm_id: str, idp_internal_id: str) -> str | None: ...
    async def provider_ids(self, realm_id: str, org_id: str) -> Sequence[str]:
        """Internal ids of the organization's identity providers."""
        ...


class ComponentRepo(Protocol):
    async def get(self, realm_id: str, id: str) -> Component | None: ...
    async def list(
        self, realm_id: str, *, parent: str | None = None, provider_type: str | None = None
    ) -> Sequence[Component]:
        """Ordered by provider type, then name, then id."""
        ...

    async def add(self, component: Component) -> None: ...
    async def update(self, component: Component) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None:
        """Delete the component and its sub-components."""
        ...


class SessionRepo(Protocol):
    async def get(self, realm_id: str, id: str, *, for_update: bool = False) -> UserSession | None: ...
    async def add(self, session: UserSession) -> None: ...
    async def update(self, session: UserSession) -> None: ...
    async def delete(self, realm_id: str, id: str) -> None: ...
    async def take(self, realm_id: str, ids: Sequence[str]) -> Sequence[UserSession]:
        """Delete these sessions and return them as they were when deleted; absent ids are
        skipped. Of two transactions ending the same session only one gets it back, so its
        clients are told once, with every client session it held at the end."""
        ...

    async def list_for_user(self, realm_id: str, user_id: str) -> Sequence[UserSession]: ...
    async def list_for_realm(self, realm_id: str, *, after: str = "", limit: int = 100) -> Sequence[UserSession]:
        """Up to ``limit`` sessions (online and offline) with an id greater than ``after``,
        ordered by id: a page that deleting the previous pages does not shift."""
        ...

    async def list_for_client(
        self, realm_id: str, client_id: str, *, first: int = 0, max: int | None = 100
    ) -> Sequence[UserSession]:
        """Sessions holding a client session of this client (internal id)."""
        ...

    async def count_by_client(self, realm_id: str) -> dict[str, int]:
        """Active session count per internal client id."""
        ...

    async def find_by_broker_session(self, realm_id: str, broker_session_id: str) -> Sequence[UserSession]: ...
    async def find_by_broker_user(self, realm_id: str, broker_user_id: str) -> Sequence[UserSession]: ...
    async def delete_for_realm(self, realm_id: str) -> int: ...
    async def take_expired(self, now: int, *, limit: int) -> Sequence[UserSession]:
        """Delete up to ``limit`` sessions (any realm) whose realm idle or max lifespan has
        passed at ``now`` and return them; of two concurrent callers each session goes to one."""
        ...


class SingleUseRepo(Protocol):
    """Short-lived values: authorization codes, broker state, login steps, used-code markers."""

    async def put(self, key: str, value: str, expires_at: int) -> None:
        """Store (or replace) ``value`` under ``key`` until ``expires_at`` (epoch seconds)."""
        ...

    async def get(self, key: str, now: int) -> str | None: ...
    async def consume(self, key: str, now: int) -> str | None:
        """Atomically return and delete: of two concurrent callers only one gets the value."""
        ...

    async def delete(self, key: str) -> None: ...
    async def purge_expired(self, now: int) -> int: ...


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


@dataclass(frozen=True, slots=True)
class EventQuery:
    types: tuple[str, ...] = ()
    client_id: str | None = None
    user_id: str | None = None
    date_from: int | None = None  # epoch ms
    date_to: int | None = None
    first: int = 0
    max: int | None = 100


class EventRepo(Protocol):
    async def add(self, event: Event) -> None: ...
    async def list(self, realm_id: str, query: EventQuery) -> Sequence[Event]:
        """Newest first."""
        ...

    async def clear(self, realm_id: str) -> None: ...
    async def add_admin(self, event: AdminEvent) -> None: ...
    async def list_admin(self, realm_id: str, first: int = 0, max: int | None = 100) -> Sequence[AdminEvent]: ...
    async def clear_admin(self, realm_id: str) -> None: ...


class LoginFailureRepo(Protocol):
    """Brute-force detection's per-user failure records (none until a user's first failure)."""

    async def get(self, realm_id: str, user_id: str) -> LoginFailure | None: ...
    async def get_many(self, realm_id: str, user_ids: Sequence[str]) -> Mapping[str, LoginFailure]:
        """The records of those of ``user_ids`` that have one, by user id."""
        ...

    async def change(self, realm_id: str, user_id: str, change: Callable[[LoginFailure], LoginFailure]) -> LoginFailure:
        """Lock the user's record (an empty one when there is none), store ``change(record)`` and
        return it: concurrent failures of one user, on any instance, are counted one after another."""
        ...

    async def delete(self, realm_id: str, user_id: str) -> bool:
        """Forget the user's failures; False when there were none."""
        ...

    async def delete_for_realm(self, realm_id: str) -> None: ...


class Tx(Protocol):
    """One database transaction; commits when the ``async with`` block exits normally."""

    realms: RealmRepo
    clients: ClientRepo
    roles: RoleRepo
    groups: GroupRepo
    client_scopes: ClientScopeRepo
    users: UserRepo
    credentials: CredentialRepo
    federated_identities: FederatedIdentityRepo
    identity_providers: IdentityProviderRepo
    idp_mappers: IdentityProviderMapperRepo
    mapper_grants: MapperGrantRepo  # which roles/groups identity provider mappers granted
    keys: KeyRepo
    organizations: OrganizationRepo
    components: ComponentRepo
    sessions: SessionRepo
    single_use: SingleUseRepo
    events: EventRepo
    login_failures: LoginFailureRepo


class Store(Protocol):
    def tx(self) -> AbstractAsyncContextManager[Tx]: ...
    def config_epoch(self) -> int:
        """A number that moves whenever any process commits a change to any realm's
        configuration (see ``config_version``) or to a user, its role mappings or its groups,
        read without a database round trip: a cache verified at one reading may be trusted
        while the readings stay equal. Where changes cannot be followed (a lost notification
        connection) no two readings are equal."""
        ...

    async def ping(self) -> None:
        """Raise ``Unavailable`` when the database cannot answer."""
        ...

    async def close(self) -> None: ...
