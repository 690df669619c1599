"""Client authentication at the token, introspection, revocation and logout endpoints.

Supported: ``client_secret_basic`` (RFC 6749 §2.3.1: client id and secret are each
form-urlencoded, then joined by ``:`` and base64-encoded, so secrets holding ``+``, ``%`` or
``:`` survive), ``client_secret_post``, and ``none`` for public clients. Secrets are compared in
constant time. Every failure answers the same "Invalid client or Invalid client credentials"
so a caller cannot probe which client ids exist.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from dataclasses import dataclass
from urllib.parse import unquote_plus

from realmgate.model.client import Client
from realmgate.protocol.errors import InvalidClient, InvalidRequest
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import ClientCredentials

INVALID_CREDENTIALS = "Invalid client or Invalid client credentials"


@dataclass(frozen=True, slots=True)
class BasicCredentials:
    client_id: str
    secret: str
    raw_secret: str  # as sent, for clients that forget to form-encode


def parse_basic(header: str | None) -> BasicCredentials | None:
    """Decode an ``Authorization: Basic`` header; None when the header is not Basic."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise InvalidClient(INVALID_CREDENTIALS, detail="malformed Basic header") from exc
    raw_id, sep, raw_secret = decoded.partition(":")
    if not sep or not raw_id:
        raise InvalidClient(INVALID_CREDENTIALS, detail="Basic header without client id")
    return BasicCredentials(unquote_plus(raw_id), unquote_plus(raw_secret), raw_secret)


def _secret_matches(expected: str | None, offered: tuple[str, ...]) -> bool:
    if not expected:
        return False
    want = expected.encode("utf-8")
    matched = False
    for candidate in offered:  # no early exit: each candidate costs the same
        matched |= hmac.compare_digest(want, candidate.encode("utf-8"))
    return matched


def authenticate_client(config: RealmConfig, credentials: ClientCredentials, authorization: str | None) -> Client:
    """The authenticated client, or ``InvalidClient`` / ``InvalidRequest``."""
    basic = parse_basic(authorization)
    body_id, body_secret = credentials.client_id, credentials.client_secret
    if basic is not None:
        if body_secret is not None:
            raise InvalidRequest("Only one client authentication method may be used")
        if body_id is not None and body_id != basic.client_id:
            raise InvalidRequest("client_id parameter does not match the authorization header")
        client_id: str | None = basic.client_id
        offered: tuple[str, ...] = (basic.secret, basic.raw_secret)
    else:
        client_id = body_id
        offered = (body_secret,) if body_secret is not None else ()
    if client_id is None:
        raise InvalidClient("Missing parameter: client_id", status=400)
    client = config.clients.get(client_id)
    if client is None or not client.enabled or client.protocol != "openid-connect":
        raise InvalidClient(INVALID_CREDENTIALS, detail=f"unknown or disabled client {client_id}")
    if client.bearer_only:
        raise InvalidClient(INVALID_CREDENTIALS, detail="bearer-only client")
    if client.public_client:
        return client
    if client.client_authenticator_type != "client-secret":
        raise InvalidClient(INVALID_CREDENTIALS, detail=f"unsupported {client.client_authenticator_type}")
    if not offered:
        raise InvalidClient(INVALID_CREDENTIALS, detail="no client secret")
    if not _secret_matches(client.secret, offered):
        raise InvalidClient(INVALID_CREDENTIALS, detail="wrong client secret")
    return client
