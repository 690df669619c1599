"""PKCE (RFC 7636): the appendix B vector, plain, and the client's required method."""

from __future__ import annotations

import pytest

from realmgate.model.client import Client
from realmgate.protocol import pkce
from realmgate.protocol.errors import InvalidGrant, InvalidRequest

VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def _client(method: str | None = None) -> Client:
    attributes = {pkce.CLIENT_ATTRIBUTE: method} if method else {}
    return Client(id="c", realm_id="r", client_id="app", attributes=attributes)


def test_rfc7636_appendix_b_vector() -> None:
    assert pkce.s256(VERIFIER) == CHALLENGE
    pkce.check_verifier(CHALLENGE, "S256", VERIFIER)


def test_wrong_verifier_is_invalid_grant() -> None:
    with pytest.raises(InvalidGrant):
        pkce.check_verifier(CHALLENGE, "S256", VERIFIER[:-1] + "A")


def test_plain_method_compares_verbatim() -> None:
    pkce.check_verifier(VERIFIER, "plain", VERIFIER)
    with pytest.raises(InvalidGrant):
        pkce.check_verifier(VERIFIER, "plain", CHALLENGE)


def test_missing_verifier_when_challenged() -> None:
    with pytest.raises(InvalidGrant):
        pkce.check_verifier(CHALLENGE, "S256", None)


def test_verifier_without_challenge_is_refused() -> None:
    with pytest.raises(InvalidGrant):
        pkce.check_verifier(None, None, VERIFIER)


def test_no_pkce_is_fine_when_not_required() -> None:
    assert pkce.check_challenge(_client(), None, None) is None
    pkce.check_verifier(None, None, None)


def test_method_defaults_to_plain() -> None:
    assert pkce.check_challenge(_client(), VERIFIER, None) == (VERIFIER, "plain")


def test_client_requiring_s256() -> None:
    with pytest.raises(InvalidRequest):
        pkce.check_challenge(_client("S256"), None, None)
    with pytest.raises(InvalidRequest):
        pkce.check_challenge(_client("S256"), VERIFIER, "plain")
    assert pkce.check_challenge(_client("S256"), CHALLENGE, "S256") == (CHALLENGE, "S256")


@pytest.mark.parametrize(("challenge", "method"), [("short", "S256"), (CHALLENGE, "S512"), ("a" * 129, "plain")])
def test_malformed_challenges(challenge: str, method: str) -> None:
    with pytest.raises(InvalidRequest):
        pkce.check_challenge(_client(), challenge, method)
