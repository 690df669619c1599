"""Logout: RP-Initiated Logout 1.0 and Keycloak's back-channel ``POST logout``.

RP-initiated logout identifies the client by ``id_token_hint`` (any ID token this realm signed,
even expired, as the spec allows and Keycloak does) or ``client_id``; ``post_logout_redirect_uri``
must be registered in the client's ``post.logout.redirect.uris`` attribute (``##``-separated;
``+`` means the redirect URIs). When nothing identifies the client, the user confirms first, so
a stray link cannot log anyone out. Ending a session deletes it from the database (every
instance sees it at once) and owes its clients back-channel logout tokens, which the caller
posts after the commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlencode

from realmgate.model.client import Client
from realmgate.protocol import events
from realmgate.protocol.client_auth import authenticate_client
from realmgate.protocol.discovery import realm_url
from realmgate.protocol.errors import InvalidGrant, InvalidRequest
from realmgate.protocol.keys import verify_own
from realmgate.protocol.logout_tokens import Delivery
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.redirect_uri import base_url_of, client_root_url, match_redirect_uri
from realmgate.protocol.requests import AdapterLogoutRequest, EndpointCall, LogoutRequest
from realmgate.protocol.sessions import end_sessions
from realmgate.protocol.tokens import ID, read_refresh_token
from realmgate.store.interface import Tx

POST_LOGOUT_ATTRIBUTE = "post.logout.redirect.uris"


@dataclass(frozen=True, slots=True)
class LogoutPlan:
    """What an RP-initiated logout will do once (if needed) confirmed."""

    session_id: str | None  # the session named by the id_token_hint, else the SSO session
    redirect: str | None  # post-logout redirect, with ``state``
    confirm: bool  # ask the user first
    client: Client | None


def post_logout_uris(client: Client) -> list[str]:
    registered = [u for u in client.attributes.get(POST_LOGOUT_ATTRIBUTE, "").split("##") if u]
    expanded: list[str] = []
    for uri in registered:
        expanded.extend(client.redirect_uris if uri == "+" else [uri])
    return expanded


def _hint_claims(config: RealmConfig, hint: str) -> Mapping[str, object]:
    """An ID token this realm signed, expired or not (as Keycloak, which checks the signature
    only). Its ``iss`` may name another public URL of this realm: a token fetched through an
    internal token URL (a broker's back-end call) is still ours, and its signature proves it."""
    claims = verify_own(config, hint, symmetric=False)
    iss = claims.get("iss") if claims is not None else None
    own = realm_url("", config.realm.name)
    if claims is None or not isinstance(iss, str) or not iss.endswith(own) or claims.get("typ") != ID:
        raise InvalidRequest("Invalid id_token_hint")
    return claims


def plan_logout(config: RealmConfig, request: LogoutRequest, *, sso_session_id: str | None, issuer: str) -> LogoutPlan:
    """Validate an RP-initiated logout request; ``InvalidRequest`` errors become an error page.
    ``issuer`` (as this request sees it) resolves a ``${authBaseUrl}`` root URL."""
    hint, client_id = request.id_token_hint, request.client_id
    claims = _hint_claims(config, hint) if hint else None
    if claims is not None:
        azp = claims.get("azp") or claims.get("aud")
        if client_id is not None and client_id != azp:
            raise InvalidRequest("Parameter client_id different than the client in id_token_hint")
        client_id = azp if isinstance(azp, str) else None
    client = config.clients.get(client_id) if client_id else None
    if client_id is not None and client is None:
        raise InvalidRequest("Invalid parameter: client_id")
    redirect_uri = request.post_logout_redirect_uri
    redirect = None
    if redirect_uri is not None:
        if client is None:
            raise InvalidRequest(
                "Either the parameter client_id or the parameter id_token_hint is required when "
                "post_logout_redirect_uri is used."
            )
        root_url = client_root_url(client, base_url_of(issuer))
        if not match_redirect_uri(redirect_uri, post_logout_uris(client), root_url):
            raise InvalidRequest("Invalid redirect uri")
        state = request.state
        redirect = redirect_uri
        if state is not None:
            redirect += ("&" if "?" in redirect_uri else "?") + urlencode({"state": state})
    sid = claims.get("sid") if claims is not None else None
    return LogoutPlan(
        session_id=sid if isinstance(sid, str) else sso_session_id,
        redirect=redirect,
        confirm=client is None,
        client=client,
    )


async def backchannel_logout(
    tx: Tx, config: RealmConfig, request: AdapterLogoutRequest, call: EndpointCall
) -> list[Delivery]:
    """Keycloak adapters' ``POST logout`` with ``refresh_token`` (or an offline token): end that
    token's session; its clients, the caller's included, are told as on any logout."""
    client = authenticate_client(config, request.credentials, call.authorization)
    if request.refresh_token is None:
        raise InvalidRequest("Missing parameter: refresh_token")
    issuer, now = call.issuer, call.now
    claims = read_refresh_token(config, request.refresh_token, issuer=issuer, now=now)
    if claims is None:
        raise InvalidGrant("Invalid refresh token")
    if claims.get("azp") != client.client_id:
        raise InvalidGrant("Invalid refresh token", detail="token of another client")
    sid, sub = claims.get("sid"), claims.get("sub")
    if not isinstance(sid, str):
        return []
    items = await end_sessions(tx, config.realm, [sid], issuer=issuer, now=now, ids=call.ids)
    await events.record(
        tx,
        config,
        "LOGOUT",
        now=now,
        ids=call.ids,
        client_id=client.client_id,
        session_id=sid,
        user_id=sub if isinstance(sub, str) else None,
    )
    return items
