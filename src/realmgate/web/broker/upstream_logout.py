"""Logout in both directions for brokered sessions (reference §4.5).

Outgoing: ``upstream_logout`` is installed as the OIDC logout's upstream step. A session whose
note ``identity_provider`` names an enabled provider with a ``logoutUrl`` is first logged out
upstream: server-side with ``backchannelSupported``, else by redirecting the browser there with
``state`` = the session id and ``post_logout_redirect_uri`` = ``.../endpoint/logout_response``,
which finishes the local logout. ``initiating_idp={alias}`` on the logout request skips it.

Incoming: ``.../logout/backchannel-logout`` takes an upstream ``logout_token`` and
``.../endpoint/k_logout`` a Keycloak ``LogoutAction``; both are always signature-checked, and
end the local sessions they name.
"""

from __future__ import annotations

import asyncio
import json

from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from realmgate.broker import login_store
from realmgate.broker.errors import BrokerError
from realmgate.broker.oidc.config import parse_config
from realmgate.broker.upstream_logout import (
    LogoutTarget,
    logout_response_url,
    verify_keycloak_logout_action,
    verify_logout_token,
)
from realmgate.model.session import UserSession
from realmgate.protocol.errors import OAuthError
from realmgate.protocol.logout_tokens import Delivery
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import end_sessions
from realmgate.store.interface import Tx
from realmgate.web.broker.provider_access import alias, connector, key_cache, log
from realmgate.web.errors import page_endpoint
from realmgate.web.oidc.end_session import finish_logout
from realmgate.web.oidc.plumbing import form_params, issuer, now, randomness, send_after, transaction
from realmgate.web.pages import error_page
from realmgate.web.urls import frontend_base

PENDING_PREFIX = "broker-logout:"
_pending_calls: set[asyncio.Task[bool]] = set()
PENDING_TTL = 600


async def upstream_logout(
    request: Request, tx: Tx, config: RealmConfig, session: UserSession, redirect: str | None
) -> Response | None:
    """The upstream step of a local logout (see module doc); None: log out locally now."""
    provider_alias = session.notes.get(login_store.NOTE_IDENTITY_PROVIDER, "")
    idp = config.identity_providers.get(provider_alias)
    if idp is None or not idp.enabled or request.query_params.get("initiating_idp") == provider_alias:
        return None
    try:
        upstream = connector(request, config, idp)
    except BrokerError as exc:
        log.warning("broker %s: no upstream logout: %s", provider_alias, exc.detail or exc.message)
        return None
    id_token = session.notes.get(login_store.NOTE_FEDERATED_ID_TOKEN)
    if upstream.backchannel_supported:
        # Not awaited: no HTTP call while the logout's transaction is open (the upstream may
        # be this very server); a failure is only logged, as in Keycloak.
        task = asyncio.create_task(upstream.backchannel_logout(id_token=id_token, state=session.id))
        _pending_calls.add(task)
        task.add_done_callback(_pending_calls.discard)
        return None
    back = logout_response_url(frontend_base(request), config.realm.name, idp.alias)
    url = upstream.logout_url(id_token=id_token, state=session.id, post_logout_redirect_uri=back)
    if url is None:
        return None
    await tx.single_use.put(PENDING_PREFIX + session.id, json.dumps({"redirect": redirect}), now(request) + PENDING_TTL)
    return RedirectResponse(url, status_code=302)


@page_endpoint
async def logout_response(request: Request) -> Response:
    """``GET /broker/{alias}/endpoint/logout_response?state={session id}``: back from the
    upstream's logout; ends the local session and goes where the local logout was going."""
    state = request.query_params.get("state", "")
    async with transaction(request) as (tx, config):
        raw = await tx.single_use.consume(PENDING_PREFIX + state, now(request)) if state else None
        if raw is None:
            log.info("broker %s: logout_response without a pending logout", alias(request))
            return error_page(request, "Logout failed: no logout in progress. Please log out again.")
        redirect = json.loads(raw).get("redirect")
        return await finish_logout(
            request, tx, config, state, redirect if isinstance(redirect, str) else None, upstream=False
        )


async def _realm_config(request: Request) -> RealmConfig:
    async with transaction(request) as (_, config):
        return config


async def _end_sessions(
    request: Request, config: RealmConfig, targets: list[LogoutTarget]
) -> tuple[int, list[Delivery]]:
    """End the local sessions ``targets`` name; how many ended, and their clients' logout tokens."""
    async with transaction(request) as (tx, _):
        sessions = await login_store.sessions_for_logout(tx, config.realm.id, targets)
        ids = [s.id for s in sessions]
        return len(ids), await end_sessions(
            tx, config.realm, ids, issuer=issuer(request), now=now(request), ids=randomness(request)
        )


async def _posted_logout_token(request: Request) -> str:
    """The form's ``logout_token``, or "" when the body is no form at all. A decision, not error
    rendering: a body without a readable token is refused as every unusable token is (400
    "Invalid logout token"), not with the form parser's own ``invalid_request`` description."""
    try:
        return (await form_params(request)).get("logout_token", "")
    except OAuthError:
        return ""


async def backchannel_logout(request: Request) -> Response:
    """``POST /realms/{r}/protocol/openid-connect/logout/backchannel-logout`` (OIDC Back-Channel
    Logout 1.0): 200 when the token verified (whether or not a session matched), else 400.
    The token is verified between transactions: it may need the upstream's JWKS."""
    token = await _posted_logout_token(request)
    config = await _realm_config(request)
    providers = []
    for idp in config.identity_providers.values():
        try:
            providers.append((idp, parse_config(idp.provider_id, idp.config)))
        except BrokerError:
            continue
    try:
        if not token:
            raise BrokerError("no logout token", detail="logout token missing")
        targets = await verify_logout_token(token, providers, keys=key_cache(request, config), now=now(request))
    except BrokerError as exc:
        log.warning("back-channel logout refused: %s", exc.detail or exc.message)
        body = {"error": "invalid_request", "error_description": "Invalid logout token"}
        return JSONResponse(body, status_code=400)
    ended, items = await _end_sessions(request, config, targets)
    log.info("back-channel logout from %s ended %d session(s)", ",".join(t.alias for t in targets), ended)
    return send_after(request, Response(status_code=200, headers={"cache-control": "no-store"}), items)


async def keycloak_logout(request: Request) -> Response:
    """``POST /broker/{alias}/endpoint/k_logout``: an upstream Keycloak's admin logout of our
    adapter sessions (keycloak-oidc only); the body is the signed ``LogoutAction``, verified
    between transactions like a logout token."""
    token = (await request.body()).decode("ascii", errors="replace").strip()
    config = await _realm_config(request)
    idp = config.identity_providers.get(alias(request))
    if idp is None or not idp.enabled or idp.provider_id != "keycloak-oidc":
        return Response(status_code=404)
    try:
        cfg = parse_config(idp.provider_id, idp.config)
        broker_ids = await verify_keycloak_logout_action(
            token, idp, cfg, keys=key_cache(request, config), now=now(request)
        )
    except BrokerError as exc:
        log.warning("broker %s: k_logout refused: %s", idp.alias, exc.detail or exc.message)
        return Response(status_code=400)
    targets = [LogoutTarget(idp.alias, broker_session_id=b, broker_user_id=None) for b in broker_ids]
    _, items = await _end_sessions(request, config, targets)
    return send_after(request, Response(status_code=200), items)
