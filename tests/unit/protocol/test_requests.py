"""``protocol.requests``: the back-channel parsers, and when their errors surface."""

from __future__ import annotations

import pytest

from realmgate.protocol.errors import InvalidRequest
from realmgate.protocol.params import single_valued
from realmgate.protocol.requests import (
    ClientCredentials,
    ClientCredentialsGrant,
    CodeGrant,
    DeviceCodeGrant,
    PasswordGrant,
    RefreshGrant,
    bearer_token,
    parse_adapter_logout,
    parse_device_authorization,
    parse_logout_request,
    parse_token_query,
    parse_token_request,
)
from realmgate.protocol.token_endpoint import GRANTS

DEVICE = "urn:ietf:params:oauth:grant-type:device_code"


def test_a_duplicated_parameter_is_refused_before_any_parser_runs() -> None:
    with pytest.raises(InvalidRequest, match="duplicated parameter: code"):
        parse_token_request(single_valued([("grant_type", "authorization_code"), ("code", "a"), ("code", "b")]))


@pytest.mark.parametrize("params", [{}, {"grant_type": ""}, {"code": "c"}])
def test_no_grant_type_is_refused_at_once(params: dict[str, str]) -> None:
    with pytest.raises(InvalidRequest, match="Missing form parameter: grant_type"):
        parse_token_request(params)


def test_an_unknown_grant_type_has_no_fields_and_keeps_its_credentials() -> None:
    request = parse_token_request({"grant_type": "implicit", "client_id": "app", "client_secret": ""})
    assert request.grant_type == "implicit" and request.fields is None
    assert request.credentials == ClientCredentials("app", None)  # empty counts as absent


def test_every_grant_the_endpoint_runs_has_a_parser() -> None:
    for grant_type in GRANTS:
        assert parse_token_request({"grant_type": grant_type}).fields is not None


def test_fields_of_each_grant() -> None:
    code = parse_token_request({"grant_type": "authorization_code", "code": "c", "redirect_uri": "https://a/cb"})
    assert code.grant(CodeGrant) == CodeGrant("c", "https://a/cb", None)
    refresh = parse_token_request({"grant_type": "refresh_token", "refresh_token": "r", "scope": "openid"})
    assert refresh.grant(RefreshGrant) == RefreshGrant("r", "openid")
    password = parse_token_request({"grant_type": "password", "username": "alice", "scope": ""})
    assert password.grant(PasswordGrant) == PasswordGrant("alice", "", None)  # no password: a wrong one
    service = parse_token_request({"grant_type": "client_credentials", "scope": "email"})
    assert service.grant(ClientCredentialsGrant) == ClientCredentialsGrant("email")
    device = parse_token_request({"grant_type": DEVICE, "device_code": "d"})
    assert device.grant(DeviceCodeGrant) == DeviceCodeGrant("d")


@pytest.mark.parametrize(
    ("grant_type", "kind", "missing"),
    [
        ("authorization_code", CodeGrant, "code"),
        ("refresh_token", RefreshGrant, "refresh_token"),
        ("password", PasswordGrant, "username"),
        (DEVICE, DeviceCodeGrant, "device_code"),
    ],
)
def test_a_missing_field_is_refused_only_when_the_grant_reads_it(
    grant_type: str, kind: type[CodeGrant | RefreshGrant | PasswordGrant | DeviceCodeGrant], missing: str
) -> None:
    request = parse_token_request({"grant_type": grant_type, "client_id": "app", missing: ""})
    assert request.credentials.client_id == "app"  # the client can still be authenticated first
    with pytest.raises(InvalidRequest, match=f"^Missing parameter: {missing}$"):
        request.grant(kind)


def test_reading_a_request_as_another_grant_is_a_bug() -> None:
    with pytest.raises(TypeError):
        parse_token_request({"grant_type": "client_credentials"}).grant(CodeGrant)


def test_the_other_back_channel_requests() -> None:
    query = parse_token_query({"token": "t", "token_type_hint": "refresh_token", "client_id": "app"})
    assert (query.token, query.token_type_hint, query.credentials.client_id) == ("t", "refresh_token", "app")
    assert parse_token_query({"token": ""}).token is None
    assert parse_adapter_logout({"refresh_token": ""}).refresh_token is None
    logout = parse_logout_request({"id_token_hint": "h", "post_logout_redirect_uri": "https://a/", "state": "s"})
    assert (logout.id_token_hint, logout.client_id, logout.post_logout_redirect_uri, logout.state) == (
        "h",
        None,
        "https://a/",
        "s",
    )
    assert parse_device_authorization({"client_id": "tv"}).scope == ""


def test_bearer_token_from_the_header_before_the_form() -> None:
    assert bearer_token("Bearer abc ", {"access_token": "form"}) == "abc"
    assert bearer_token("bearer abc", {}) == "abc"
    assert bearer_token("Basic abc", {"access_token": "form"}) == "form"
    assert bearer_token("Bearer ", {}) is None
    assert bearer_token(None, {"access_token": ""}) is None
