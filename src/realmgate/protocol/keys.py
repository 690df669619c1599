"""Which realm key signs what, and verification of our own tokens' signatures.

Access and ID tokens use the realm's active asymmetric key for the algorithm the client asks
for (``access.token.signed.response.alg`` / ``id.token.signed.response.alg``, else the realm
default, RS256). An EC key is created the first time a client asks for ES256/384/512. Refresh
tokens and the SSO cookie are signed with the realm's HS512 key, as Keycloak does: they are only
ever read by us.
"""

from __future__ import annotations

from realmgate.crypto import jws, realm_keys
from realmgate.model.client import Client
from realmgate.model.keys import RealmKey
from realmgate.protocol.errors import ServerError
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
EC_ALGORITHMS = ("ES256", "ES384", "ES512")
HMAC_ALGORITHM = "HS512"
ACCESS_ALG_ATTRIBUTE = "access.token.signed.response.alg"
ID_ALG_ATTRIBUTE = "id.token.signed.response.alg"


def wanted_algorithm(config: RealmConfig, client: Client, attribute: str) -> str:
    alg = client.attributes.get(attribute) or config.realm.default_signature_algorithm or "RS256"
    return alg if alg in ASYMMETRIC else "RS256"


async def signing_key(tx: Tx, config: RealmConfig, algorithm: str, *, now: int) -> tuple[RealmKey, bool]:
    """The key for ``algorithm`` and whether it was just created (the caller forgets its cache)."""
    key = realm_keys.active_key(config.keys, algorithm)
    if key is not None:
        return key, False
    if algorithm in EC_ALGORITHMS:
        created = realm_keys.generate_ec_key(
            config.realm.id, now=now, algorithm=algorithm, realm_name=config.realm.name
        )
        await tx.keys.add(created)
        return created, True
    raise ServerError("No active key", detail=f"realm {config.realm.name} has no active {algorithm} key")


def hmac_key(config: RealmConfig) -> RealmKey:
    key = realm_keys.active_key(config.keys, HMAC_ALGORITHM)
    if key is None:
        raise ServerError("No active key", detail=f"realm {config.realm.name} has no HS512 key")
    return key


def verify_own(config: RealmConfig, token: str, *, symmetric: bool) -> dict[str, object] | None:
    """Claims of a token we signed (HS512 when ``symmetric``), or None if the signature fails."""
    algorithms = (HMAC_ALGORITHM,) if symmetric else ASYMMETRIC
    try:
        return jws.verify(token, config.keys, algorithms=algorithms)
    except (jws.BadSignature, ValueError):
        return None
