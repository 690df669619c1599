"""RP-Initiated Logout planning: who is logged out, where to, and when to ask first."""

from __future__ import annotations

import pytest
from tests.unit.protocol import kit

from realmgate.crypto import jws, realm_keys
from realmgate.protocol.end_session import plan_logout, post_logout_uris
from realmgate.protocol.errors import InvalidRequest
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.requests import parse_logout_request

ISSUER = kit.ISSUER


def id_token(**claims: object) -> str:
    key = realm_keys.active_key(kit.realm_key_set(), "RS256")
    assert key is not None
    body = {"iss": ISSUER, "typ": "ID", "aud": "app", "azp": "app", "sid": "s-1", "exp": 1, **claims}
    return jws.sign(body, key)


def config() -> RealmConfig:
    app = kit.client(attributes={"post.logout.redirect.uris": "+##https://bye.example/done"})
    return kit.config(app, kit.client("bare", redirect_uris=("https://bare.example/*",)))


def test_post_logout_uris_expand_plus_and_split_on_hashes() -> None:
    assert post_logout_uris(config().clients["app"]) == ["https://app.example/*", "https://bye.example/done"]
    assert post_logout_uris(config().clients["bare"]) == []


def test_expired_id_token_hint_names_session_and_client() -> None:
    plan = plan_logout(
        config(),
        parse_logout_request(
            {"id_token_hint": id_token(), "post_logout_redirect_uri": "https://bye.example/done", "state": "x y"}
        ),
        sso_session_id="cookie-session",
        issuer=ISSUER,
    )
    assert plan.session_id == "s-1" and not plan.confirm
    assert plan.redirect == "https://bye.example/done?state=x+y"


def test_hint_fetched_through_another_public_url_of_the_realm_is_accepted() -> None:
    """A broker fetches the upstream's tokens through an internal URL, so their ``iss`` names
    that URL; the browser then logs out through the public one with that very ID token."""
    internal = ISSUER.replace(ISSUER.split("/realms/")[0], "http://10.0.0.7:8080")
    plan = plan_logout(
        config(), parse_logout_request({"id_token_hint": id_token(iss=internal)}), sso_session_id=None, issuer=ISSUER
    )
    assert plan.session_id == "s-1" and plan.client is not None and plan.client.client_id == "app"


def test_nothing_identifying_the_client_asks_for_confirmation() -> None:
    plan = plan_logout(config(), parse_logout_request({}), sso_session_id="cookie-session", issuer=ISSUER)
    assert plan.confirm and plan.session_id == "cookie-session" and plan.redirect is None


@pytest.mark.parametrize(
    "params",
    [
        {"client_id": "app", "post_logout_redirect_uri": "https://evil.example/"},
        {"client_id": "bare", "post_logout_redirect_uri": "https://bare.example/x"},  # none registered
        {"post_logout_redirect_uri": "https://bye.example/done"},  # no client named
        {"id_token_hint": "not-a-jwt"},
        {"id_token_hint": id_token(iss="https://other/realms/x")},
        {"id_token_hint": id_token(iss=None)},
        {"id_token_hint": id_token()[:-4] + "AAAA"},  # signature broken
        {"id_token_hint": id_token(typ="Bearer")},
        {"id_token_hint": id_token(), "client_id": "bare"},
        {"client_id": "nobody"},
    ],
)
def test_refused(params: dict[str, str]) -> None:
    with pytest.raises(InvalidRequest):
        plan_logout(config(), parse_logout_request(params), sso_session_id=None, issuer=ISSUER)
