"""``GET /realms/{realm}/broker/{alias}/link``: client-initiated account linking (Keycloak's
``clientInitiatedAccountLinking``), the way a logged-in user adds an upstream identity, and the
only way to use a ``linkOnly`` provider.

The client sends ``client_id``, ``redirect_uri``, ``nonce`` and
``hash = b64url(SHA-256(nonce + session id + client_id + alias))``, which proves it knows the
user's session. Refusals go back to ``redirect_uri`` with ``link_error`` (``not_logged_in``,
``not_allowed``, ``unknown_identity_provider``, ``invalid_hash``) and ``nonce``. The user needs
the ``account`` client's ``manage-account`` or ``manage-account-links`` role. After the
upstream login the callback (``finish``) links the identity to the session's user and returns
to ``redirect_uri``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from realmgate.broker import login_store
from realmgate.broker.connector import BrokeredIdentity
from realmgate.crypto.secrets import constant_time_equals
from realmgate.model.user import User
from realmgate.protocol import login_flow
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.redirect_uri import base_url_of, verify_redirect_uri
from realmgate.store.interface import Conflict, Tx
from realmgate.web.broker.provider_access import alias, connector, endpoint_url, log
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc.plumbing import issuer, now, query_params, randomness, sso_session, transaction
from realmgate.web.oidc.responses import realm_cookie_path
from realmgate.web.pages import error_page
from realmgate.web.security import set_cookie

LINK_PREFIX = "broker-link:"
ACCOUNT_CLIENT = "account"
LINK_ROLES = frozenset({"manage-account", "manage-account-links"})


def expected_hash(nonce: str, session_id: str, client_id: str, provider_alias: str) -> str:
    digest = hashlib.sha256(f"{nonce}{session_id}{client_id}{provider_alias}".encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _back(redirect_uri: str, **params: str) -> Response:
    separator = "&" if "?" in redirect_uri else "?"
    return RedirectResponse(redirect_uri + (separator + urlencode(params) if params else ""), status_code=302)


async def _may_link(tx: Tx, config: RealmConfig, user: User) -> bool:
    account = config.clients.get(ACCOUNT_CLIENT)
    if account is None:
        return False
    direct = set(await tx.users.role_ids(config.realm.id, user.id))
    groups = set(await tx.users.group_ids(config.realm.id, user.id))
    held = config.expand_roles(direct | config.group_role_ids(groups))
    return any(
        (role := config.roles.get(role_id)) is not None and role.client_id == account.id and role.name in LINK_ROLES
        for role_id in held
    )


@page_endpoint
async def start(request: Request) -> Response:
    params = query_params(request)
    nonce = params.get("nonce", "")
    async with transaction(request) as (tx, config):
        client = config.clients.get(params.get("client_id", ""))
        if client is None:
            return error_page(request, "Invalid client.", status=400)
        redirect_uri = verify_redirect_uri(
            params.get("redirect_uri"), client, required=True, base_url=base_url_of(issuer(request))
        )
        current = await sso_session(request, tx, config)
        if current is None:
            return _back(redirect_uri, link_error="not_logged_in", nonce=nonce)
        session, user = current
        idp = config.identity_providers.get(alias(request))
        if idp is None or not idp.enabled:
            return _back(redirect_uri, link_error="unknown_identity_provider", nonce=nonce)
        wanted = expected_hash(nonce, session.id, client.client_id, idp.alias)
        if not nonce or not constant_time_equals(params.get("hash", ""), wanted):
            return _back(redirect_uri, link_error="invalid_hash", nonce=nonce)
        if not await _may_link(tx, config, user):
            return _back(redirect_uri, link_error="not_allowed", nonce=nonce)
        auth_session_id = request.cookies.get(login_flow.AUTH_SESSION_COOKIE) or randomness(request).new_secret(24)
        upstream = await login_store.begin_login(
            tx,
            realm=config.realm,
            idp=idp,
            connector=connector(request, config, idp),
            client=login_store.client_request(),
            redirect_uri=endpoint_url(request, idp.alias),
            auth_session_id=auth_session_id,
            now=now(request),
            link_session_id=session.id,
        )
        back = json.dumps({"redirect_uri": redirect_uri, "nonce": nonce})
        await tx.single_use.put(
            LINK_PREFIX + upstream.state, back, now(request) + config.realm.access_code_lifespan_login
        )
    response = RedirectResponse(upstream.url, status_code=302)
    set_cookie(
        response,
        login_flow.AUTH_SESSION_COOKIE,
        auth_session_id,
        path=realm_cookie_path(config.realm.name),
        max_age=None,
    )
    return response


async def finish(request: Request, identity: BrokeredIdentity | None, pending: login_store.PendingLogin) -> Response:
    """The callback of a linking login (``identity`` None: the upstream refused or failed).
    A concurrent link of the same upstream identity (``Conflict``) rolls the transaction back."""
    redirect_uri, nonce = "", ""
    try:
        async with transaction(request) as (tx, config):
            raw = await tx.single_use.consume(LINK_PREFIX + pending.login.state, now(request))
            if raw is None:
                return error_page(request, "Your account linking timed out. Please start again.")
            back = json.loads(raw)
            redirect_uri, nonce = str(back["redirect_uri"]), str(back["nonce"])
            session = await tx.sessions.get(config.realm.id, pending.link_session_id or "")
            user = await tx.users.get(config.realm.id, session.user_id) if session is not None else None
            idp = config.identity_providers.get(pending.alias)
            if user is None or idp is None:
                return _back(redirect_uri, link_error="not_logged_in", nonce=nonce)
            if identity is None:
                return _back(redirect_uri, link_error="identity_provider_error", nonce=nonce)
            owner = await tx.federated_identities.get_by_upstream(config.realm.id, identity.alias, identity.id)
            if owner is not None and owner.user_id != user.id:
                log.info("broker %s: link refused: upstream identity linked to another user", idp.alias)
                return _back(redirect_uri, link_error="already_linked", nonce=nonce)
            if owner is None:
                await login_store.link_user(tx, realm=config.realm, idp=idp, identity=identity, user=user)
    except Conflict:
        return _back(redirect_uri, link_error="already_linked", nonce=nonce)
    return _back(redirect_uri)
