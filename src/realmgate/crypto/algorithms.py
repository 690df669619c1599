"""The one list of JWS algorithms realmgate signs with, and the one check of settings naming one.

Every algorithm in ``SIGNATURE_ALGORITHMS`` is produced for real: a realm that has no active key
for it gets a generated fallback key on first need, as Keycloak does. A setting that names
anything else is refused where it is set (admin API, partial import, realm import), so a client
can never be promised a signature it would not get; nothing falls back to RS256 in silence.

Keycloak's client attributes, and what each accepts besides ``""`` (use the realm default) or
absence: the token and JARM signature algorithms take a signature algorithm we produce;
``request.object.signature.alg`` also takes ``any`` and ``none`` and ``token.endpoint.auth.signing.alg``
also takes the HMAC algorithms of ``client_secret_jwt``. realmgate accepts neither request
objects nor JWT client authentication, so those two only ever narrow what is refused anyway.
``user.info.response.signature.alg`` takes a signature algorithm we produce (the UserInfo response
is then an ``application/jwt``) or ``unsigned`` (plain JSON, as when absent).
"""

from __future__ import annotations

from collections.abc import Mapping

RSA_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
EC_ALGORITHMS = ("ES256", "ES384", "ES512")
EDDSA = "EdDSA"  # as Keycloak names it in headers and JWKs; always on Ed25519 here
SIGNATURE_ALGORITHMS = (*RSA_ALGORITHMS, *EC_ALGORITHMS, EDDSA)
HMAC_ALGORITHMS = ("HS256", "HS384", "HS512")
DEFAULT_SIGNATURE_ALGORITHM = "RS256"  # Keycloak's when neither client nor realm names one

ACCESS_TOKEN_ALG = "access.token.signed.response.alg"
ID_TOKEN_ALG = "id.token.signed.response.alg"
USERINFO_ALG = "user.info.response.signature.alg"
AUTHORIZATION_ALG = "authorization.signed.response.alg"
REQUEST_OBJECT_ALG = "request.object.signature.alg"
TOKEN_ENDPOINT_AUTH_ALG = "token.endpoint.auth.signing.alg"
REALM_DEFAULT = "defaultSignatureAlgorithm"

_CLIENT_ATTRIBUTES: Mapping[str, tuple[str, ...]] = {
    ACCESS_TOKEN_ALG: SIGNATURE_ALGORITHMS,
    ID_TOKEN_ALG: SIGNATURE_ALGORITHMS,
    AUTHORIZATION_ALG: SIGNATURE_ALGORITHMS,
    USERINFO_ALG: ("unsigned", *SIGNATURE_ALGORITHMS),
    REQUEST_OBJECT_ALG: ("any", "none", *SIGNATURE_ALGORITHMS, *HMAC_ALGORITHMS),
    TOKEN_ENDPOINT_AUTH_ALG: (*SIGNATURE_ALGORITHMS, *HMAC_ALGORITHMS),
}


class UnsupportedAlgorithm(ValueError):
    """``setting`` (a client attribute or ``defaultSignatureAlgorithm``) names an algorithm
    realmgate cannot honour; the message lists what it can."""

    def __init__(self, setting: str, value: object, allowed: tuple[str, ...]) -> None:
        shown = value if isinstance(value, str) else type(value).__name__
        super().__init__(f"unsupported algorithm {shown!r} for {setting}; supported: {', '.join(allowed)}")
        self.setting = setting


def check_client_attributes(attributes: Mapping[str, object]) -> None:
    """Refuse a client whose algorithm attributes name something realmgate cannot honour."""
    for name, allowed in _CLIENT_ATTRIBUTES.items():
        value = attributes.get(name)
        if value is not None and value != "" and value not in allowed:
            raise UnsupportedAlgorithm(name, value, allowed)


def check_realm_default(value: object) -> None:
    """Refuse a realm ``defaultSignatureAlgorithm`` we do not sign with (empty means RS256)."""
    if value is not None and value != "" and value not in SIGNATURE_ALGORITHMS:
        raise UnsupportedAlgorithm(REALM_DEFAULT, value, SIGNATURE_ALGORITHMS)


def token_hash_name(algorithm: str) -> str:
    """The hashlib name of the hash behind ``at_hash``/``c_hash`` (OIDC Core §3.1.3.6) for an ID
    token signed with ``algorithm``: the signature's own hash, SHA-512 for EdDSA on Ed25519
    (as Keycloak's ``JavaAlgorithm.getJavaAlgorithmForHash``)."""
    if algorithm == EDDSA:
        return "sha512"
    if algorithm not in SIGNATURE_ALGORITHMS:
        raise ValueError(f"no token hash for {algorithm}")
    return "sha" + algorithm[2:]


def token_algorithm(client_value: str | None, realm_default: str | None, *, setting: str) -> str:
    """The algorithm a token is signed with, as Keycloak chooses it: the client's attribute, else
    the realm default, else RS256. A value stored before these checks existed is refused here
    too (``UnsupportedAlgorithm``) rather than replaced by another algorithm."""
    if client_value:
        if client_value not in SIGNATURE_ALGORITHMS:
            raise UnsupportedAlgorithm(setting, client_value, SIGNATURE_ALGORITHMS)
        return client_value
    if realm_default:
        check_realm_default(realm_default)
        return realm_default
    return DEFAULT_SIGNATURE_ALGORITHM
