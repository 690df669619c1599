"""Which realm key signs what, and verification of our own tokens' signatures.

Access and ID tokens use the realm's active asymmetric key for the algorithm chosen as Keycloak
chooses it (``access.token.signed.response.alg`` / ``id.token.signed.response.alg``, else the
realm's ``defaultSignatureAlgorithm``, else RS256). A realm with no active key for that algorithm
gets a fallback key on first need, whatever the algorithm. Refresh tokens and the SSO cookie are
signed with the realm's HS512 key, as Keycloak does: they are only ever read by us.
"""

from __future__ import annotations

from realmgate.crypto import jws, realm_keys
from realmgate.crypto.algorithms import (
    ACCESS_TOKEN_ALG,
    ID_TOKEN_ALG,
    SIGNATURE_ALGORITHMS,
    UnsupportedAlgorithm,
    token_algorithm,
)
from realmgate.model.client import Client
from realmgate.model.keys import RealmKey
from realmgate.protocol.errors import ServerError
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

HMAC_ALGORITHM = "HS512"
ACCESS_ALG_ATTRIBUTE = ACCESS_TOKEN_ALG
ID_ALG_ATTRIBUTE = ID_TOKEN_ALG


def wanted_algorithm(config: RealmConfig, client: Client, attribute: str) -> str:
    """The algorithm for the token ``attribute`` governs. A value the admin API would refuse
    (stored before it refused it) is a server error, never another algorithm in its place."""
    try:
        return token_algorithm(
            client.attributes.get(attribute), config.realm.default_signature_algorithm, setting=attribute
        )
    except UnsupportedAlgorithm as exc:
        raise ServerError(
            "Unsupported signature algorithm", detail=f"client {client.client_id} of {config.realm.name}: {exc}"
        ) from None


async def signing_key(tx: Tx, config: RealmConfig, algorithm: str, *, now: int) -> tuple[RealmKey, bool]:
    """The key for ``algorithm`` and whether the cached ``config`` lacked it (the caller then
    forgets its cache). Before a fallback key is made the store is asked again under the realm
    row's lock, so the access and ID token of one response, and concurrent first requests on
    every instance, share one key (the second waits for the first's commit, then finds it)."""
    key = realm_keys.active_key(config.keys, algorithm)
    if key is not None:
        return key, False
    await tx.realms.get(config.realm.id, for_update=True)
    key = realm_keys.active_key(await tx.keys.list(config.realm.id), algorithm)
    if key is None:
        key = realm_keys.generate_fallback_key(config.realm.id, algorithm, now=now, realm_name=config.realm.name)
        await tx.keys.add(key)
    return key, True


def hmac_key(config: RealmConfig) -> RealmKey:
    key = realm_keys.active_key(config.keys, HMAC_ALGORITHM)
    if key is None:
        raise ServerError("No active key", detail=f"realm {config.realm.name} has no HS512 key")
    return key


def verify_own(config: RealmConfig, token: str, *, symmetric: bool) -> dict[str, object] | None:
    """Claims of a token we signed (HS512 when ``symmetric``, else any algorithm we sign access
    and ID tokens with), or None if the signature fails."""
    algorithms = (HMAC_ALGORITHM,) if symmetric else SIGNATURE_ALGORITHMS
    try:
        return jws.verify(token, config.keys, algorithms=algorithms)
    except (jws.BadSignature, ValueError):
        return None
