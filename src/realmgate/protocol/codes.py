"""Authorization codes: short-lived, single use, and replay-evident.

A code is a random value stored in ``tx.single_use`` (any instance may redeem it). Redeeming
atomically consumes it and leaves a "used" marker, which later records the ids of the tokens
the code produced. A second redemption finds the marker, so it is not just refused: the tokens
the first redemption issued are revoked and the client is detached from the session (RFC 6749
§4.1.2 "SHOULD revoke", OIDC code-reuse tests).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass

from realmgate.crypto.secrets import Randomness
from realmgate.protocol.bearer import revoke_jti
from realmgate.protocol.errors import InvalidGrant
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.sessions import detach_client
from realmgate.store.interface import Tx

CODE_NOT_VALID = "Code not valid"
# How long a used marker outlives the code (so late replays are still caught).
USED_MARKER_TTL = 600


@dataclass(frozen=True, slots=True)
class CodeData:
    client_id: str  # public client id
    redirect_uri: str
    session_id: str
    user_id: str
    scope: str
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    fresh_login: bool


def _key(prefix: str, code: str) -> str:
    return f"{prefix}:{hashlib.sha256(code.encode('utf-8')).hexdigest()}"


async def issue_code(tx: Tx, config: RealmConfig, data: CodeData, *, now: int, ids: Randomness) -> str:
    code = ids.new_secret(32)
    expires = now + config.realm.access_code_lifespan
    await tx.single_use.put(_key("code", code), json.dumps(asdict(data)), expires)
    return code


async def _revoke_replayed(tx: Tx, config: RealmConfig, marker: dict[str, object], now: int) -> None:
    tokens = marker.get("tokens")
    if isinstance(tokens, list):
        for jti, exp in tokens:
            await revoke_jti(tx, str(jti), int(exp), now=now)
    session_id, client_id = marker.get("session_id"), marker.get("client_internal_id")
    if isinstance(session_id, str) and isinstance(client_id, str):
        await detach_client(tx, config.realm, session_id, client_id)


async def redeem_code(tx: Tx, config: RealmConfig, code: str, *, now: int) -> CodeData:
    """The code's data, once. A replay raises ``invalid_grant`` after revoking its tokens."""
    raw = await tx.single_use.consume(_key("code", code), now)
    if raw is None:
        used = await tx.single_use.get(_key("code-used", code), now)
        if used is not None:
            await _revoke_replayed(tx, config, json.loads(used), now)
        raise InvalidGrant(CODE_NOT_VALID, detail="unknown, expired or reused code")
    data = CodeData(**json.loads(raw))
    client = config.clients.get(data.client_id)
    marker = {"session_id": data.session_id, "client_internal_id": client.id if client else "", "tokens": []}
    await tx.single_use.put(_key("code-used", code), json.dumps(marker), now + USED_MARKER_TTL)
    return data


async def record_issued(tx: Tx, code: str, tokens: list[tuple[str, int]], *, now: int) -> None:
    """Remember which tokens (jti, exp) a redeemed code produced, for revocation on replay."""
    key = _key("code-used", code)
    raw = await tx.single_use.get(key, now)
    if raw is None:
        return
    marker = json.loads(raw)
    marker["tokens"] = tokens
    await tx.single_use.put(key, json.dumps(marker), now + USED_MARKER_TTL)
