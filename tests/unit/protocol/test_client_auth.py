"""Client authentication: RFC 6749 §2.3.1 Basic encoding, POST secrets, public clients."""

from __future__ import annotations

import base64
from urllib.parse import quote_plus

import pytest
from tests.unit.protocol import kit

from realmgate.protocol.client_auth import INVALID_CREDENTIALS, authenticate_client, parse_basic
from realmgate.protocol.errors import InvalidClient, InvalidRequest
from realmgate.protocol.requests import parse_client_credentials

SECRET = "s3cr+t%2F:x"


def basic(client_id: str, secret: str, *, encode: bool = True) -> str:
    pair = f"{quote_plus(client_id)}:{quote_plus(secret)}" if encode else f"{client_id}:{secret}"
    return "Basic " + base64.b64encode(pair.encode()).decode()


def test_basic_header_is_form_decoded() -> None:
    creds = parse_basic(basic("my app", SECRET))
    assert creds is not None
    assert (creds.client_id, creds.secret) == ("my app", SECRET)


def test_non_basic_header_is_ignored_and_garbage_refused() -> None:
    assert parse_basic("Bearer abc") is None
    assert parse_basic(None) is None
    with pytest.raises(InvalidClient):
        parse_basic("Basic !!!not-base64")
    with pytest.raises(InvalidClient):
        parse_basic("Basic " + base64.b64encode(b"no-colon").decode())


def test_secret_with_plus_percent_and_colon_via_basic() -> None:
    config = kit.config()
    assert authenticate_client(config, parse_client_credentials({}), basic("app", SECRET)).client_id == "app"


def test_unencoded_basic_secret_is_also_accepted() -> None:
    # Many clients do not form-encode: "+" must not silently become a space and fail.
    config = kit.config()
    assert (
        authenticate_client(config, parse_client_credentials({}), basic("app", SECRET, encode=False)).client_id == "app"
    )


def test_client_secret_post() -> None:
    config = kit.config()
    assert (
        authenticate_client(
            config, parse_client_credentials({"client_id": "app", "client_secret": SECRET}), None
        ).client_id
        == "app"
    )


@pytest.mark.parametrize(
    ("params", "header"),
    [
        ({"client_id": "app", "client_secret": "wrong"}, None),
        ({}, "wrong"),
        ({"client_id": "app"}, None),
        ({"client_id": "nobody", "client_secret": SECRET}, None),
    ],
)
def test_bad_credentials_all_look_the_same(params: dict[str, str], header: str | None) -> None:
    config = kit.config()
    auth = basic("app", "wrong") if header == "wrong" else None
    with pytest.raises(InvalidClient) as caught:
        authenticate_client(config, parse_client_credentials(params), auth)
    assert caught.value.status == 401
    assert caught.value.description == INVALID_CREDENTIALS


def test_disabled_client_is_refused() -> None:
    config = kit.config(kit.client(enabled=False))
    with pytest.raises(InvalidClient):
        authenticate_client(config, parse_client_credentials({"client_id": "app", "client_secret": SECRET}), None)


def test_public_client_needs_no_secret() -> None:
    config = kit.config(kit.client("spa", public_client=True, secret=None))
    assert authenticate_client(config, parse_client_credentials({"client_id": "spa"}), None).client_id == "spa"


def test_two_methods_at_once_are_refused() -> None:
    config = kit.config()
    with pytest.raises(InvalidRequest):
        authenticate_client(config, parse_client_credentials({"client_secret": SECRET}), basic("app", SECRET))
