"""The UserInfo endpoint (OIDC Core §5.3): claims about the token's user, by userinfo mappers.

A client whose ``user.info.response.signature.alg`` names an algorithm gets the claims as a
signed JWT (OIDC Core §5.3.2: with ``iss`` and ``aud``) instead of JSON."""

from __future__ import annotations

from dataclasses import dataclass

from realmgate.crypto import jws
from realmgate.crypto.algorithms import SIGNATURE_ALGORITHMS, USERINFO_ALG
from realmgate.model.client import Client
from realmgate.protocol import keys
from realmgate.protocol.bearer import validate_access_token
from realmgate.protocol.claims import mapped_claims, mapping_context
from realmgate.protocol.errors import InvalidToken, ServerError
from realmgate.protocol.mappers import Claims, TokenKind
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import EndpointCall
from realmgate.protocol.scopes import decide_scopes
from realmgate.store.interface import Tx

UNSIGNED = "unsigned"


@dataclass(frozen=True, slots=True)
class UserInfo:
    claims: Claims
    client_id: str  # the token's client, whose web origins govern CORS
    signed: str | None = None  # the claims as a JWT, when the client asks for signed UserInfo
    key_created: bool = False  # a fallback key was made for it: the realm cache must be refreshed


def signature_algorithm(client: Client) -> str | None:
    """The algorithm the client wants its UserInfo signed with, or None for plain JSON (absent,
    empty or ``unsigned``: unlike tokens, the realm's default algorithm does not apply)."""
    value = client.attributes.get(USERINFO_ALG)
    if not value or value == UNSIGNED:
        return None
    if value not in SIGNATURE_ALGORITHMS:  # stored before the admin API refused it
        raise ServerError("Unsupported signature algorithm", detail=f"client {client.client_id}: {value!r}")
    return value


async def userinfo(tx: Tx, config: RealmConfig, token: str | None, call: EndpointCall) -> UserInfo:
    """``token``: ``requests.bearer_token`` of the call (header, else the form's ``access_token``)."""
    issuer, now = call.issuer, call.now
    if not token:
        raise InvalidToken("Token not provided")
    valid = await validate_access_token(tx, config, token, issuer=issuer, now=now)
    if valid is None or valid.client is None:
        raise InvalidToken("Token verification failed")
    scope = valid.claims.get("scope")
    decision = decide_scopes(config, valid.client, scope if isinstance(scope, str) else "")
    notes = valid.session.notes if valid.session is not None else {}
    ctx = await mapping_context(tx, config, valid.client, valid.user, decision, session_notes=notes)
    claims: Claims = {"sub": valid.user.id}
    claims.update(mapped_claims(ctx, decision, TokenKind.USERINFO))
    claims["sub"] = valid.user.id
    algorithm = signature_algorithm(valid.client)
    if algorithm is None:
        return UserInfo(claims, valid.client.client_id)
    key, created = await keys.signing_key(tx, config, algorithm, now=now)
    signed = jws.sign({**claims, "iss": issuer, "aud": valid.client.client_id}, key, typ="JWT")
    return UserInfo(claims, valid.client.client_id, signed=signed, key_created=created)
