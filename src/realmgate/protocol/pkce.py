"""Proof Key for Code Exchange (RFC 7636), methods ``S256`` and ``plain``.

The challenge is checked when the authorization request arrives (format, method, and the
client's ``pkce.code.challenge.method`` attribute that makes PKCE mandatory), and the verifier
when the code is redeemed. Comparison is constant-time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re

from realmgate.model.client import Client
from realmgate.protocol.errors import InvalidGrant, InvalidRequest

METHODS = ("plain", "S256")
CLIENT_ATTRIBUTE = "pkce.code.challenge.method"
# RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~".
_VALUE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def check_challenge(client: Client, challenge: str | None, method: str | None) -> tuple[str, str] | None:
    """Validate the authorization request's PKCE parameters; ``(challenge, method)`` or None."""
    required_method = client.attributes.get(CLIENT_ATTRIBUTE) or None
    if challenge is None:
        if method is not None:
            raise InvalidRequest("Missing parameter: code_challenge")
        if required_method is not None:
            raise InvalidRequest("Missing parameter: code_challenge_method")
        return None
    effective = method or "plain"
    if effective not in METHODS:
        raise InvalidRequest("Invalid parameter: code_challenge_method")
    if required_method is not None and effective != required_method:
        raise InvalidRequest("Invalid parameter: code challenge method is not configured one")
    if not _VALUE.match(challenge):
        raise InvalidRequest("Invalid parameter: code_challenge")
    return challenge, effective


def check_verifier(challenge: str | None, method: str | None, verifier: str | None) -> None:
    """Redeem-time check: a code bound to a challenge needs the matching verifier."""
    if challenge is None:
        if verifier is not None:
            raise InvalidGrant("PKCE code verifier specified but challenge not present in authorization")
        return
    if verifier is None:
        raise InvalidGrant("PKCE code verifier not specified")
    if not _VALUE.match(verifier):
        raise InvalidGrant("PKCE invalid code verifier")
    computed = s256(verifier) if method == "S256" else verifier
    if not hmac.compare_digest(computed.encode("ascii"), challenge.encode("ascii")):
        raise InvalidGrant("PKCE verification failed: Code mismatch")
