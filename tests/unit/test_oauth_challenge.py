"""``web.errors.challenge``: which OAuth errors get a ``WWW-Authenticate`` challenge, and that
what it echoes stays one RFC 7230 quoted-string each."""

from __future__ import annotations

from realmgate.protocol.errors import InsufficientScope, InvalidClient, InvalidGrant, InvalidToken
from realmgate.web.errors import challenge


def test_schemes_follow_the_error() -> None:
    assert challenge(InvalidClient("bad"), "r") == 'Basic realm="r", error="invalid_client", error_description="bad"'
    assert challenge(InvalidToken("gone"), "r") == 'Bearer realm="r", error="invalid_token", error_description="gone"'
    assert challenge(InsufficientScope("no"), "r") == (
        'Bearer realm="r", error="insufficient_scope", error_description="no"'
    )


def test_no_challenge_without_an_authentication_failure() -> None:
    assert challenge(InvalidClient("Missing parameter: client_id", status=400), "r") is None
    assert challenge(InvalidGrant("Code not valid"), "r") is None


def test_quotes_and_backslashes_are_escaped() -> None:
    assert challenge(InvalidToken('say "hi" \\ bye'), 'my"realm') == (
        'Bearer realm="my\\"realm", error="invalid_token", error_description="say \\"hi\\" \\\\ bye"'
    )
