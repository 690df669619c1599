"""``web.errors``: every OAuth error of the back-channel endpoints becomes its answer in one
translator — status, body, ``WWW-Authenticate``, CORS, or the page a browser endpoint asks for —
exercised through the real app in-process."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.applications import Starlette
from tests.unit.protocol.conftest import PASSWORD, SECRET, World

from realmgate.app import build_app
from realmgate.settings import Settings
from realmgate.web.app_context import AppContext

BASE = "http://sso.test"
OIDC = "/realms/test/protocol/openid-connect"
ORIGIN = "https://app.example"


@pytest.fixture
async def app(world: World) -> AsyncIterator[Starlette]:
    app = build_app(Settings(run_setup=False), store=world.store)
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def http(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE) as client:
        yield client


async def test_a_failed_client_gets_basic_challenge_json_and_cors(http: httpx.AsyncClient) -> None:
    form = {"grant_type": "client_credentials", "client_id": "app", "client_secret": "wrong"}
    response = await http.post(f"{OIDC}/token", data=form, headers={"origin": ORIGIN})
    assert response.status_code == 401
    assert response.json() == {
        "error": "invalid_client",
        "error_description": "Invalid client or Invalid client credentials",
    }
    assert response.headers["www-authenticate"] == (
        'Basic realm="test", error="invalid_client", error_description="Invalid client or Invalid client credentials"'
    )
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert response.headers["cache-control"] == "no-store"


async def test_an_error_before_the_client_is_known_keeps_cors_and_has_no_challenge(http: httpx.AsyncClient) -> None:
    response = await http.post(f"{OIDC}/token", data={"client_id": "app"}, headers={"origin": ORIGIN})
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Missing form parameter: grant_type"}
    assert "www-authenticate" not in response.headers
    assert response.headers["access-control-allow-origin"] == ORIGIN


async def test_an_origin_the_client_does_not_allow_gets_no_cors(http: httpx.AsyncClient) -> None:
    form = {"grant_type": "password", "client_id": "app", "client_secret": SECRET}
    response = await http.post(f"{OIDC}/token", data=form, headers={"origin": "https://evil.example"})
    assert response.status_code == 400
    assert response.json()["error_description"] == "Missing parameter: username"
    assert "access-control-allow-origin" not in response.headers


async def test_a_duplicated_parameter_is_invalid_request(http: httpx.AsyncClient) -> None:
    body = "grant_type=password&username=alice&username=bob&client_id=app"
    response = await http.post(
        f"{OIDC}/token", content=body, headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "duplicated parameter: username"}


async def test_a_failed_password_login_is_counted_once(app: Starlette, http: httpx.AsyncClient) -> None:
    form = {"grant_type": "password", "client_id": "app", "client_secret": SECRET, "username": "alice"}
    assert (await http.post(f"{OIDC}/token", data={**form, "password": "wrong"})).status_code == 401
    assert (await http.post(f"{OIDC}/token", data={**form, "password": PASSWORD})).status_code == 200
    ctx = app.state.ctx
    assert isinstance(ctx, AppContext)
    rendered = ctx.metrics.render()
    assert 'realmgate_logins_total{result="failure"} 1' in rendered, rendered
    assert 'realmgate_logins_total{result="success"} 1' in rendered


async def test_a_bad_bearer_token_gets_the_bearer_challenge(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{OIDC}/userinfo", headers={"authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.json() == {"error": "invalid_token", "error_description": "Token verification failed"}
    assert response.headers["www-authenticate"] == (
        'Bearer realm="test", error="invalid_token", error_description="Token verification failed"'
    )


async def test_an_unknown_realm_is_keycloaks_404(http: httpx.AsyncClient) -> None:
    response = await http.post("/realms/nope/protocol/openid-connect/token", data={"grant_type": "password"})
    assert response.status_code == 404
    assert response.json() == {"error": "Realm does not exist"}


async def test_the_stored_token_endpoint_answers_in_keycloaks_rest_shape(http: httpx.AsyncClient) -> None:
    response = await http.get("/realms/nope/broker/up/token", headers={"authorization": "Bearer x"})
    assert response.status_code == 404
    assert response.json() == {"errorMessage": "Realm does not exist"}


async def test_browser_logout_errors_are_pages(http: httpx.AsyncClient) -> None:
    response = await http.get(f"{OIDC}/logout", params={"id_token_hint": "not-a-jwt"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Invalid id_token_hint" in response.text
    duplicated = await http.get(f"{OIDC}/logout?state=a&state=b")
    assert duplicated.status_code == 400 and "duplicated parameter: state" in duplicated.text


async def test_adapter_logout_errors_stay_json(http: httpx.AsyncClient) -> None:
    form = {"refresh_token": "", "client_id": "app", "client_secret": SECRET}
    response = await http.post(f"{OIDC}/logout", data=form)
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Missing parameter: refresh_token"}


async def test_a_bad_device_login_code_is_the_invalid_code_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/realms/test/device/status", params={"code": "nope", "state": "h"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Invalid code, please try again." in response.text


def _assert_error_page(response: httpx.Response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert message in response.text


PAGE_POSTS = [
    f"{OIDC}/auth",
    f"{OIDC}/logout",
    "/realms/test/login-actions/authenticate",
    "/realms/test/login-actions/required-action",
    "/realms/test/login-actions/registration",
    "/realms/test/broker/up/first-broker-login",
    "/realms/test/device",
    "/realms/test/device/confirm",
]


@pytest.mark.parametrize("path", PAGE_POSTS)
async def test_a_page_posted_without_a_form_is_the_error_page(http: httpx.AsyncClient, path: str) -> None:
    response = await http.post(path, content="{}", headers={"content-type": "application/json"})
    _assert_error_page(response, 400, "Content-Type must be application/x-www-form-urlencoded")


PAGE_GETS = [
    f"{OIDC}/auth",
    f"{OIDC}/registrations",
    f"{OIDC}/logout",
    "/realms/test/broker/up/login",
    "/realms/test/broker/up/endpoint",
    "/realms/test/broker/up/link",
]


@pytest.mark.parametrize("path", PAGE_GETS)
async def test_a_duplicated_parameter_of_a_page_is_the_error_page(http: httpx.AsyncClient, path: str) -> None:
    response = await http.get(f"{path}?client_id=app&client_id=other")
    _assert_error_page(response, 400, "duplicated parameter: client_id")


@pytest.mark.parametrize(
    "path",
    [
        "protocol/openid-connect/auth",
        "protocol/openid-connect/logout",
        "login-actions/authenticate",
        "login-actions/required-action",
        "login-actions/registration",
        "broker/up/login",
        "broker/up/endpoint",
        "broker/up/link",
        "broker/up/endpoint/logout_response",
        "device",
        "device/status",
    ],
)
async def test_a_page_of_an_unknown_realm_is_the_error_page(http: httpx.AsyncClient, path: str) -> None:
    _assert_error_page(await http.get(f"/realms/nope/{path}"), 404, "Realm does not exist")


async def test_a_prompt_none_login_without_a_session_goes_back_to_the_client(http: httpx.AsyncClient) -> None:
    params = {
        "client_id": "app",
        "redirect_uri": "https://app.example/cb",
        "response_type": "code",
        "scope": "openid",
        "state": "s1",
        "prompt": "none",
    }
    response = await http.get(f"{OIDC}/auth", params=params)
    assert response.status_code == 302
    location = httpx.URL(response.headers["location"])
    assert location.copy_with(query=None) == "https://app.example/cb"
    assert location.params["error"] == "login_required" and location.params["state"] == "s1"


async def test_an_adapter_logout_of_an_unknown_realm_stays_json(http: httpx.AsyncClient) -> None:
    response = await http.post("/realms/nope/protocol/openid-connect/logout", data={"refresh_token": "x"})
    assert response.status_code == 404
    assert response.json() == {"error": "Realm does not exist"}


async def test_a_backchannel_logout_without_a_form_is_an_invalid_token(http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{OIDC}/logout/backchannel-logout", content="{}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_request", "error_description": "Invalid logout token"}
