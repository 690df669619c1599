"""Who is calling the admin API, and may they do this?

Keycloak's model, which every admin client relies on:

- A bearer access token from the ``master`` realm may administer any realm; a token from realm R
  may administer R only.
- For a target realm R the admin roles are client roles: of the client ``R-realm`` in master when
  the token is from master, else of ``realm-management`` in R. ``realm-admin`` contains them all;
  the master realm role ``admin`` grants everything everywhere (including creating realms).
- Roles are effective roles: direct mappings, roles of the user's groups and their ancestors,
  with composites expanded. Role mappings are read on every call (they are per user and cheap);
  the realm's keys, role graph and client ids are cached per realm config version, which changes
  on any such edit by any instance.

Every check raises ``AdminError``: 401 when the token is missing or no longer valid (bad
signature, expired, wrong issuer or type, ended session, disabled user), 403 when the caller lacks
the role.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from realmgate.admin.errors import AdminError
from realmgate.crypto import jws
from realmgate.crypto.algorithms import SIGNATURE_ALGORITHMS
from realmgate.model.keys import RealmKey
from realmgate.model.realm import Realm
from realmgate.model.role import Role, expand_composites
from realmgate.model.user import User
from realmgate.store.interface import Tx

MASTER = "master"
SUPERUSER_ROLE = "admin"
CREATE_REALM_ROLE = "create-realm"
REALM_ADMIN = "realm-admin"
REALM_MANAGEMENT = "realm-management"

# The roles of ``realm-management`` (and of each ``{realm}-realm`` client in master).
ADMIN_ROLE_NAMES: tuple[str, ...] = (
    "view-realm",
    "manage-realm",
    "view-users",
    "manage-users",
    "query-users",
    "query-groups",
    "view-clients",
    "manage-clients",
    "query-clients",
    "create-client",
    "view-identity-providers",
    "manage-identity-providers",
    "view-events",
    "manage-events",
    "view-authorization",
    "manage-authorization",
    "impersonation",
    "query-realms",
)

# What suffices for each kind of access: a manage role implies its view role, a view role its
# query role, as in Keycloak's permission evaluation.
VIEW_REALM = frozenset({"view-realm", "manage-realm"})
MANAGE_REALM = frozenset({"manage-realm"})
QUERY_USERS = frozenset({"query-users", "view-users", "manage-users"})
VIEW_USERS = frozenset({"view-users", "manage-users"})
MANAGE_USERS = frozenset({"manage-users"})
QUERY_GROUPS = frozenset({"query-groups", "view-users", "manage-users"})
QUERY_CLIENTS = frozenset({"query-clients", "view-clients", "manage-clients"})
VIEW_CLIENTS = frozenset({"view-clients", "manage-clients"})
MANAGE_CLIENTS = frozenset({"manage-clients"})
CREATE_CLIENT = frozenset({"create-client", "manage-clients"})
VIEW_EVENTS = frozenset({"view-events", "manage-events"})
MANAGE_EVENTS = frozenset({"manage-events"})
VIEW_ROLES = VIEW_REALM | VIEW_USERS | VIEW_CLIENTS
ANY_ADMIN_ROLE = frozenset(ADMIN_ROLE_NAMES)


def management_client_name(token_realm: str, target_realm: str) -> str | None:
    """The client whose roles grant admin rights on ``target_realm`` to a token of ``token_realm``."""
    if token_realm == MASTER:
        return f"{target_realm}-realm"
    if token_realm == target_realm:
        return REALM_MANAGEMENT
    return None


@dataclass(frozen=True, slots=True)
class RealmSnapshot:
    """What admin checks read of one realm's configuration, valid for one config version: its
    keys (token verification), its roles by id (composites) and its clients' internal ids by
    clientId (the ``realm-management`` / ``{realm}-realm`` lookups)."""

    version: int
    keys: Sequence[RealmKey]
    roles: Mapping[str, Role]
    client_ids: Mapping[str, str]


class RealmSnapshots:
    """Per realm, the latest ``RealmSnapshot``; reloaded when the realm's config version moves,
    so an edit made through any instance is seen at once."""

    def __init__(self, max_realms: int = 256) -> None:
        self._max = max_realms
        self._snapshots: dict[str, RealmSnapshot] = {}

    async def get(self, tx: Tx, realm_id: str) -> RealmSnapshot:
        version = await tx.realms.config_version(realm_id)
        cached = self._snapshots.get(realm_id)
        if cached is not None and cached.version == version:
            return cached
        snapshot = RealmSnapshot(
            version=version,
            keys=tuple(await tx.keys.list(realm_id)),
            roles={role.id: role for role in await tx.roles.list_all(realm_id)},
            client_ids={c.client_id: c.id for c in await tx.clients.list(realm_id)},
        )
        if len(self._snapshots) >= self._max:
            self._snapshots.clear()
        self._snapshots[realm_id] = snapshot
        return snapshot


async def effective_role_ids(tx: Tx, realm_id: str, user_id: str, graph: Mapping[str, Role]) -> frozenset[str]:
    """Direct roles plus those of the user's groups (and their ancestors), composites expanded."""
    direct = list(await tx.users.role_ids(realm_id, user_id))
    group_ids = list(await tx.users.group_ids(realm_id, user_id))
    if group_ids:
        groups = {g.id: g for g in await tx.groups.list(realm_id)}
        seen: set[str] = set()
        for group_id in group_ids:
            current = groups.get(group_id)
            while current is not None and current.id not in seen:
                seen.add(current.id)
                direct.extend(current.role_ids)
                current = groups.get(current.parent_id) if current.parent_id else None
    return expand_composites(direct, graph)


@dataclass(frozen=True, slots=True)
class AdminIdentity:
    """An authenticated admin caller: the token's realm and user, and their effective roles."""

    realm: Realm
    user: User
    client_id: str | None
    role_ids: frozenset[str]
    config: RealmSnapshot
    # Admin roles per target realm, filled on first need within this one request.
    held: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)

    @property
    def role_graph(self) -> Mapping[str, Role]:
        return self.config.roles

    @property
    def superuser(self) -> bool:
        """Master's ``admin`` realm role: everything, everywhere."""
        if self.realm.name != MASTER:
            return False
        return any(
            (role := self.role_graph.get(rid)) is not None and role.client_id is None and role.name == SUPERUSER_ROLE
            for rid in self.role_ids
        )

    def realm_role_names(self) -> frozenset[str]:
        return frozenset(
            role.name
            for rid in self.role_ids
            if (role := self.role_graph.get(rid)) is not None and role.client_id is None
        )


async def admin_roles_in(tx: Tx, who: AdminIdentity, target_realm: str) -> frozenset[str]:
    """The admin role names ``who`` holds for ``target_realm`` (all of them for a superuser)."""
    if target_realm not in who.held:
        who.held[target_realm] = await _admin_roles_in(tx, who, target_realm)
    return who.held[target_realm]


async def _admin_roles_in(tx: Tx, who: AdminIdentity, target_realm: str) -> frozenset[str]:
    if who.superuser:
        return ANY_ADMIN_ROLE | {REALM_ADMIN}
    client_name = management_client_name(who.realm.name, target_realm)
    if client_name is None:
        return frozenset()
    client_id = who.config.client_ids.get(client_name)
    if client_id is None:
        return frozenset()
    names = frozenset(
        role.name
        for rid in who.role_ids
        if (role := who.role_graph.get(rid)) is not None and role.client_id == client_id
    )
    if REALM_ADMIN in names:
        return names | ANY_ADMIN_ROLE
    return names


async def require(tx: Tx, who: AdminIdentity, target_realm: str, any_of: Collection[str]) -> None:
    """403 unless ``who`` holds one of ``any_of`` for ``target_realm``."""
    held = await admin_roles_in(tx, who, target_realm)
    if not held.intersection(any_of):
        raise AdminError.forbidden()


async def can_touch_realm(tx: Tx, who: AdminIdentity, target_realm: str) -> bool:
    """Whether ``who`` holds any admin role for ``target_realm`` (realm listing shows only these)."""
    return bool(await admin_roles_in(tx, who, target_realm))


def grants_admin_rights(role: Role, realm: Realm, snapshot: RealmSnapshot) -> bool:
    """Whether holding ``role`` of ``realm`` (described by ``snapshot``) confers admin rights:
    a ``realm-management`` role, or in master a ``{realm}-realm`` client role, ``admin`` or
    ``create-realm``."""
    if role.client_id is None:
        return realm.name == MASTER and role.name in (SUPERUSER_ROLE, CREATE_REALM_ROLE)
    owner = next((name for name, cid in snapshot.client_ids.items() if cid == role.client_id), None)
    if owner == REALM_MANAGEMENT:
        return True
    return realm.name == MASTER and owner is not None and owner.endswith("-realm")


async def require_grantable(
    tx: Tx, who: AdminIdentity, realm: Realm, snapshot: RealmSnapshot, roles: Iterable[Role]
) -> None:
    """403 unless ``who`` holds every admin role it is about to hand out (by mapping or as a
    composite): managing users must not be a way to become realm-admin."""
    if who.superuser:
        return
    # A composite hands out everything it contains.
    reachable = expand_composites((r.id for r in roles), snapshot.roles)
    for role in (snapshot.roles[i] for i in reachable if i in snapshot.roles):
        if not grants_admin_rights(role, realm, snapshot) or role.id in who.role_ids:
            continue
        if realm.name != MASTER and role.name in await admin_roles_in(tx, who, realm.name):
            continue
        raise AdminError.forbidden()


def may_create_realms(who: AdminIdentity) -> bool:
    """Master's ``admin`` or ``create-realm`` role; a role of that name in any other realm
    grants nothing."""
    return who.superuser or (who.realm.name == MASTER and CREATE_REALM_ROLE in who.realm_role_names())


def require_create_realm(who: AdminIdentity) -> None:
    if not may_create_realms(who):
        raise AdminError.forbidden()


def _realm_from_issuer(issuer: object) -> str | None:
    if not isinstance(issuer, str) or "/realms/" not in issuer:
        return None
    name = issuer.rsplit("/realms/", 1)[1]
    return name if name and "/" not in name else None


class Authenticator:
    """Turns a bearer token into an ``AdminIdentity``, or raises 401."""

    def __init__(self, snapshots: RealmSnapshots | None = None) -> None:
        self._snapshots = snapshots or RealmSnapshots()

    async def snapshot(self, tx: Tx, realm_id: str) -> RealmSnapshot:
        return await self._snapshots.get(tx, realm_id)

    async def role_graph(self, tx: Tx, realm_id: str) -> Mapping[str, Role]:
        return (await self.snapshot(tx, realm_id)).roles

    async def authenticate(self, tx: Tx, token: str | None, *, issuer_base: str, now: int) -> AdminIdentity:
        """Verify ``token`` (signature, ``typ``, ``exp``, ``iss`` = ``issuer_base/realms/R``,
        session still active, user enabled) and load the caller's effective roles."""
        if not token:
            raise AdminError.unauthorized()
        try:
            unverified = jws.unverified_claims(token)
        except Exception:
            raise AdminError.unauthorized() from None
        realm_name = _realm_from_issuer(unverified.get("iss"))
        if realm_name is None:
            raise AdminError.unauthorized()
        realm = await tx.realms.get_by_name(realm_name)
        if realm is None or not realm.enabled:
            raise AdminError.unauthorized()
        snapshot = await self._snapshots.get(tx, realm.id)
        try:
            # Any algorithm we sign access tokens with (admin-cli may name one); never HMAC or none.
            claims = jws.verify(token, snapshot.keys, algorithms=SIGNATURE_ALGORITHMS)
        except Exception:
            raise AdminError.unauthorized() from None
        if claims.get("iss") != f"{issuer_base}/realms/{realm.name}":
            raise AdminError.unauthorized()
        if claims.get("typ") != "Bearer":
            raise AdminError.unauthorized()
        exp, iat = claims.get("exp"), claims.get("iat", 0)
        if not isinstance(exp, int) or exp <= now or not isinstance(iat, int):
            raise AdminError.unauthorized()
        user_id = claims.get("sub")
        if not isinstance(user_id, str):
            raise AdminError.unauthorized()
        user = await tx.users.get(realm.id, user_id)
        if user is None or not user.enabled or iat < max(user.not_before, realm.not_before):
            raise AdminError.unauthorized()
        await self._check_session(tx, realm, user, claims.get("sid") or claims.get("session_state"), now)
        role_ids = await effective_role_ids(tx, realm.id, user.id, snapshot.roles)
        azp = claims.get("azp")
        return AdminIdentity(
            realm=realm,
            user=user,
            client_id=azp if isinstance(azp, str) else None,
            role_ids=role_ids,
            config=snapshot,
        )

    @staticmethod
    async def _check_session(tx: Tx, realm: Realm, user: User, session_id: object, now: int) -> None:
        if session_id is None:
            # Client-credentials tokens of service accounts carry no session.
            if user.service_account_client_id is None:
                raise AdminError.unauthorized()
            return
        if not isinstance(session_id, str):
            raise AdminError.unauthorized()
        session = await tx.sessions.get(realm.id, session_id)
        if session is None or session.user_id != user.id or session.state != "ACTIVE":
            raise AdminError.unauthorized()
        if session.offline:
            return
        if now > session.last_refresh + realm.sso_session_idle_timeout:
            raise AdminError.unauthorized()
        if now > session.started + realm.sso_session_max_lifespan:
            raise AdminError.unauthorized()
