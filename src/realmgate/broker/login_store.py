"""The store-side steps of a brokered login, without HTTP: what the web handlers call.

1. ``begin_login``: build the upstream redirect and remember its secrets under the ``state``,
   bound to the realm's login step (tab id) and to the browser's auth-session cookie.
2. ``take_pending``: on the callback, consume that state (single use) and check the binding.
3. The connector's ``handle_callback`` gives a ``BrokeredIdentity``; from there
   ``first_login_flow.continue_login`` runs the login: ``find_lookups`` + ``first_login.decide``
   say what happens; between the first-login pages the identity is parked with
   ``park_identity``/``load_identity``.
4. ``create_user`` / ``link_user`` / ``update_on_login`` write the user and the link;
   ``session_marks`` says what the new user session records (broker ids, notes).
Also: the sessions an upstream back-channel logout ends, and the stored-token read with refresh.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from realmgate.broker.connector import BrokeredIdentity, ClientRequest, IdentityConnector, UpstreamLogin
from realmgate.broker.errors import StateInvalid
from realmgate.broker.first_login_decision import Lookups, new_link, new_user, sync_link, sync_user
from realmgate.broker.upstream_logout import LogoutTarget
from realmgate.crypto.secrets import Randomness, constant_time_equals
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.realm import Realm
from realmgate.model.session import SessionMarks, UserSession
from realmgate.model.user import FederatedIdentity, User
from realmgate.store.interface import Store, Tx
from realmgate.store.user_creation import add_user

STATE_PREFIX = "broker-state:"
IDENTITY_PREFIX = "broker-identity:"
BROKER_CLIENT = "broker"
READ_TOKEN_ROLE = "read-token"

# User-session notes, with Keycloak's names.
NOTE_IDENTITY_PROVIDER = "identity_provider"
NOTE_IDENTITY_PROVIDER_IDENTITY = "identity_provider_identity"
NOTE_FEDERATED_ID_TOKEN = "FEDERATED_ID_TOKEN"


@dataclass(frozen=True, slots=True)
class PendingLogin:
    """What a broker ``state`` stands for between the redirect and the callback.

    ``tab_id`` is the realm's login step the upstream login continues; ``link_session_id`` is
    set instead when a logged-in user links an account (``/broker/{alias}/link``).
    """

    realm_id: str
    alias: str
    auth_session_id: str
    login: UpstreamLogin
    tab_id: str | None = None
    link_session_id: str | None = None

    def to_json(self) -> str:
        data = asdict(self)
        data["login"] = self.login.to_json()
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> PendingLogin:
        data = json.loads(text)
        data["login"] = UpstreamLogin.from_json(data["login"])
        return cls(**data)


def client_request(
    *,
    login_hint: str | None = None,
    max_age: int | None = None,
    prompt: str | None = None,
    locale: str | None = None,
    acr_values: str | None = None,
    **parameters: str | None,
) -> ClientRequest:
    """What of the client's authorization request may travel upstream (``forwardParameters``
    picks among ``parameters``; ``acr_values`` is the one Keycloak forwards by default)."""
    params = {k: v for k, v in {"acr_values": acr_values, **parameters}.items() if v}
    return ClientRequest(login_hint=login_hint, max_age=max_age, prompt=prompt, locale=locale, parameters=params)


async def begin_login(
    tx: Tx,
    *,
    realm: Realm,
    idp: IdentityProvider,
    connector: IdentityConnector,
    client: ClientRequest,
    redirect_uri: str,
    auth_session_id: str,
    now: int,
    tab_id: str | None = None,
    link_session_id: str | None = None,
) -> UpstreamLogin:
    """The upstream redirect; its secrets are kept for the realm's login lifespan."""
    login = connector.login_url(client, redirect_uri=redirect_uri)
    pending = PendingLogin(realm.id, idp.alias, auth_session_id, login, tab_id, link_session_id)
    await tx.single_use.put(STATE_PREFIX + login.state, pending.to_json(), now + realm.access_code_lifespan_login)
    return login


async def take_pending(
    tx: Tx, state: str | None, *, realm_id: str, alias: str, auth_session_id: str | None, now: int
) -> PendingLogin:
    """Consume the callback's ``state``: ``StateInvalid`` unless it exists, is unused, and was
    started for this realm and provider in this browser (auth-session cookie)."""
    if not state:
        raise StateInvalid("no state")
    raw = await tx.single_use.consume(STATE_PREFIX + state, now)
    if raw is None:
        raise StateInvalid("state unknown, expired or already used")
    pending = PendingLogin.from_json(raw)
    if pending.realm_id != realm_id or pending.alias != alias:
        raise StateInvalid("state of another realm or provider")
    if not auth_session_id or not constant_time_equals(auth_session_id, pending.auth_session_id):
        raise StateInvalid("state of another browser")
    return pending


async def find_lookups(tx: Tx, realm: Realm, identity: BrokeredIdentity, username: str) -> Lookups:
    """The users ``first_login.decide`` needs: by link, by proposed username, by email."""
    link = await tx.federated_identities.get_by_upstream(realm.id, identity.alias, identity.id)
    linked = await tx.users.get(realm.id, link.user_id) if link is not None else None
    by_email: Sequence[User] = ()
    if identity.email:
        by_email = await tx.users.get_by_email(realm.id, identity.email.lower())
    return Lookups(linked, await tx.users.get_by_username(realm.id, username), by_email)


async def park_identity(
    tx: Tx, identity: BrokeredIdentity, pending: PendingLogin, *, realm: Realm, now: int, ids: Randomness
) -> str:
    """Keep the identity between first-login pages; returns the key the pages carry."""
    key = ids.new_secret(24)
    value = json.dumps({"identity": identity.to_json(), "pending": pending.to_json()})
    await tx.single_use.put(IDENTITY_PREFIX + key, value, now + realm.access_code_lifespan_user_action)
    return key


async def load_identity(tx: Tx, key: str, *, now: int) -> tuple[BrokeredIdentity, PendingLogin] | None:
    raw = await tx.single_use.get(IDENTITY_PREFIX + key, now) if key else None
    if raw is None:
        return None
    data = json.loads(raw)
    return BrokeredIdentity.from_json(data["identity"]), PendingLogin.from_json(data["pending"])


async def drop_identity(tx: Tx, key: str) -> None:
    await tx.single_use.delete(IDENTITY_PREFIX + key)


async def _grant_read_token(tx: Tx, realm_id: str, user_id: str) -> None:
    broker = await tx.clients.get_by_client_id(realm_id, BROKER_CLIENT)
    role = await tx.roles.get_client_role(realm_id, broker.id, READ_TOKEN_ROLE) if broker else None
    if role is not None:
        await tx.users.grant_roles(realm_id, user_id, [role.id])


async def create_user(
    tx: Tx,
    *,
    realm: Realm,
    idp: IdentityProvider,
    identity: BrokeredIdentity,
    username: str,
    now: int,
    ids: Randomness,
) -> User:
    """``CREATE``: the new user (with the realm's default roles) and its link;
    ``broker/read-token`` with addReadTokenRoleOnCreate.
    Raises the store's ``Conflict`` if the username or email was taken meanwhile."""
    user = new_user(identity, idp=idp, realm_id=realm.id, user_id=ids.new_id(), username=username, now_ms=now * 1000)
    await add_user(tx, realm, user)
    await tx.federated_identities.add(new_link(identity, idp=idp, realm_id=realm.id, user_id=user.id))
    if idp.add_read_token_role_on_create:
        await _grant_read_token(tx, realm.id, user.id)
    return user


async def link_user(tx: Tx, *, realm: Realm, idp: IdentityProvider, identity: BrokeredIdentity, user: User) -> None:
    """Link an existing account, only after the user proved to own it (re-authentication or
    an active session for account linking). ``Conflict`` when already linked."""
    await tx.federated_identities.add(new_link(identity, idp=idp, realm_id=realm.id, user_id=user.id))


async def update_on_login(
    tx: Tx,
    *,
    realm: Realm,
    idp: IdentityProvider,
    identity: BrokeredIdentity,
    user: User,
    pinned: Collection[str] = (),
) -> User:
    """A later login through the link: sync mode applied to the user and the link."""
    updated = sync_user(user, identity, idp, pinned=pinned)
    if updated != user:
        await tx.users.update(updated)
    link = await tx.federated_identities.get_by_upstream(realm.id, identity.alias, identity.id)
    if link is not None:
        synced = sync_link(link, identity, idp)
        if synced != link:
            await tx.federated_identities.update(synced)
    return updated


def session_notes(identity: BrokeredIdentity) -> dict[str, str]:
    """Notes a brokered user session keeps (the ID token is the logout's ``id_token_hint``)."""
    notes = {NOTE_IDENTITY_PROVIDER: identity.alias, NOTE_IDENTITY_PROVIDER_IDENTITY: identity.username}
    if identity.id_token:
        notes[NOTE_FEDERATED_ID_TOKEN] = identity.id_token
    return notes


def session_marks(identity: BrokeredIdentity, mapper_notes: Mapping[str, str] | None = None) -> SessionMarks:
    """What the user session of this login records: the upstream session and user it came from,
    the broker's notes, and the mappers' session notes (which win on a clash)."""
    notes = {**session_notes(identity), **(mapper_notes or {})}
    return SessionMarks(identity.broker_session_id, identity.broker_user_id, notes)


async def sessions_for_logout(tx: Tx, realm_id: str, targets: Sequence[LogoutTarget]) -> list[UserSession]:
    """The local sessions an upstream back-channel logout ends."""
    found: dict[str, UserSession] = {}
    for target in targets:
        if target.broker_session_id is not None:
            matches = await tx.sessions.find_by_broker_session(realm_id, target.broker_session_id)
        elif target.broker_user_id is not None:
            matches = await tx.sessions.find_by_broker_user(realm_id, target.broker_user_id)
        else:
            continue
        found.update((s.id, s) for s in matches)
    return list(found.values())


async def stored_token(
    store: Store, *, realm_id: str, alias: str, user_id: str, connector: IdentityConnector, now: int
) -> str | None:
    """The stored upstream token response for ``GET /broker/{alias}/token``, refreshed first
    when it expires within ``minValidityToken``; ``None`` when nothing is stored.

    The upstream call happens between two short transactions, never inside one.
    """
    async with store.tx() as tx:
        link = _link_for(await tx.federated_identities.list_for_user(realm_id, user_id), alias)
    if link is None or link.token is None:
        return None
    if not connector.needs_refresh(link.token, now=now):
        return link.token
    fresh = await connector.refresh(link.token)
    async with store.tx() as tx:
        current = _link_for(await tx.federated_identities.list_for_user(realm_id, user_id), alias)
        if current is not None:
            await tx.federated_identities.update(replace(current, token=fresh))
    return fresh


def _link_for(links: Sequence[FederatedIdentity], alias: str) -> FederatedIdentity | None:
    return next((link for link in links if link.identity_provider == alias), None)
