"""The ids and secrets the protocol hands out come from the ``Randomness`` its caller passes:
token ids, sessions, codes, login steps, device codes, events and logout tokens, through the
real services over a real store and, in-process, through the web app.

Each test gives a ``CountingRandomness`` and checks the values it handed out, in order, are the
ones the results carry: nothing reaches for the system's randomness behind the caller's back."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from tests.e2e.oidc.browser import parse_login_form
from tests.unit.ids import CountingRandomness
from tests.unit.protocol.conftest import NOW, PASSWORD, SECRET, World

from realmgate.app import build_app
from realmgate.crypto import jws
from realmgate.protocol import device, login_flow
from realmgate.protocol.authorize import parse_authorization_request
from realmgate.protocol.requests import EndpointCall, parse_device_authorization, parse_token_request
from realmgate.protocol.sessions import end_sessions
from realmgate.protocol.token_endpoint import token_request
from realmgate.settings import Settings
from realmgate.store.interface import EventQuery

ISSUER = "http://sso.test/realms/test"
APP = {"client_id": "app", "client_secret": SECRET}
CALLBACK = "https://app.example/cb"


async def _record_events(world: World) -> None:
    async with world.store.tx() as tx:
        realm = await tx.realms.get(world.realm_id)
        assert realm is not None
        await tx.realms.update(dataclasses.replace(realm, events_enabled=True))


async def _change_app(world: World, **attributes: str) -> None:
    async with world.store.tx() as tx:
        app = (await world.config(tx)).clients["app"]
        await tx.clients.update(dataclasses.replace(app, attributes={**app.attributes, **attributes}))


async def _token(world: World, params: dict[str, str], ids: CountingRandomness) -> dict[str, object]:
    async with world.store.tx() as tx:
        _, issued = await token_request(
            tx, await world.config(tx), parse_token_request({**APP, **params}), EndpointCall(None, ISSUER, NOW, ids)
        )
    return issued.response


def _claims(token: object) -> dict[str, object]:
    return jws.unverified_claims(str(token))


async def test_password_grant_takes_session_token_and_event_ids_from_the_call(world: World) -> None:
    await _record_events(world)
    ids = CountingRandomness(11)
    params = {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "openid"}
    response = await _token(world, params, ids)
    async with world.store.tx() as tx:
        recorded = await tx.events.list(world.realm_id, EventQuery())
    assert response["session_state"] == ids.nth_id(1)
    assert _claims(response["access_token"])["jti"] == _claims(response["id_token"])["jti"] == ids.nth_id(2)
    assert _claims(response["refresh_token"])["jti"] == ids.nth_id(3)
    assert [(e.type, e.id) for e in recorded] == [("LOGIN", ids.nth_id(4))]
    assert len(ids.issued) == 4


async def test_a_browser_login_takes_its_step_session_code_and_cookie_from_the_caller(world: World) -> None:
    login, redeem = CountingRandomness(21), CountingRandomness(22)
    request = {"client_id": "app", "response_type": "code", "scope": "openid offline_access", "redirect_uri": CALLBACK}
    async with world.store.tx() as tx:
        config = await world.config(tx)
        auth = parse_authorization_request(config, request, issuer=ISSUER)
        step = await login_flow.start_login(tx, config, auth, auth_session_id="browser", now=NOW, ids=login)
        held = await login_flow.hold_for_action(
            tx, config, step, login_flow.Authenticated(world.user.id), now=NOW, ids=login
        )
        result = await login_flow.finish(
            tx, config, held, world.user, current=None, issuer=ISSUER, now=NOW, ids=login, ip_address=None
        )
    code = dict(result.params)["code"]
    assert login.issued == [step.tab_id, step.csrf, held.csrf, result.session.id, code, login.nth_id(6)]
    assert _claims(result.sso_cookie)["jti"] == login.nth_id(6)
    assert result.session.id == login.nth_id(4)
    # Redeeming the code: the offline session and the tokens take the token request's ids.
    response = await _token(world, {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK}, redeem)
    assert response["session_state"] == redeem.nth_id(1) != result.session.id
    assert _claims(response["access_token"])["jti"] == redeem.nth_id(2)
    assert _claims(response["refresh_token"])["jti"] == redeem.nth_id(3)
    assert len(redeem.issued) == 3


async def test_device_codes_and_the_confirmation_token_come_from_the_caller(world: World) -> None:
    await _change_app(world, **{device.ENABLED_ATTRIBUTE: "true"})
    ids = CountingRandomness(31)
    async with world.store.tx() as tx:
        config = await world.config(tx)
        started = await device.start(
            tx, config, parse_device_authorization({**APP, "scope": "openid"}), EndpointCall(None, ISSUER, NOW, ids)
        )
        pending = await device.find_pending(tx, started.user_code, now=NOW)
        assert pending is not None
        signed = await device.signed_in(
            tx, pending.handle, client_id="app", session_id="s-1", user_id=world.user.id, now=NOW, ids=ids
        )
    assert signed is not None
    assert ids.issued == [started.device_code, signed.record.confirm_token]


async def test_logout_tokens_take_their_ids_from_whoever_ends_the_session(world: World) -> None:
    await _change_app(world, **{"backchannel.logout.url": "https://app.example/logout"})
    params = {"grant_type": "password", "username": "alice", "password": PASSWORD, "scope": "openid"}
    sid = str((await _token(world, params, CountingRandomness(41)))["session_state"])
    ending = CountingRandomness(42)
    async with world.store.tx() as tx:
        realm = (await world.config(tx)).realm
        (delivery,) = await end_sessions(tx, realm, [sid], issuer=ISSUER, now=NOW, ids=ending)
    assert _claims(delivery.token)["jti"] == ending.nth_id(1)
    assert ending.issued == [ending.nth_id(1)]


@pytest.fixture
async def browser(world: World) -> AsyncIterator[tuple[httpx.AsyncClient, CountingRandomness]]:
    """The web app in-process with a counting source as ``AppContext.ids``."""
    ids = CountingRandomness(51)
    app = build_app(Settings(run_setup=False), store=world.store, ids=ids)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://sso.test") as http:
            yield http, ids


async def test_the_web_app_hands_its_randomness_to_the_login_and_the_token_endpoint(
    browser: tuple[httpx.AsyncClient, CountingRandomness],
) -> None:
    http, ids = browser
    query = {"client_id": "app", "response_type": "code", "scope": "openid", "redirect_uri": CALLBACK, "state": "s"}
    page = await http.get("/realms/test/protocol/openid-connect/auth", params=query)
    assert page.status_code == 200, page.text
    form = parse_login_form(page.text)
    auth_session, tab_id, csrf = ids.issued
    assert page.cookies[login_flow.AUTH_SESSION_COOKIE] == auth_session
    assert form.csrf == csrf and parse_qs(urlsplit(form.action).query)["tab_id"] == [tab_id]

    done = await http.post(form.action, data={"username": "alice", "password": PASSWORD, "csrf_token": form.csrf})
    assert done.status_code == 302, done.text
    code = parse_qs(urlsplit(done.headers["location"]).query)["code"][0]
    assert ids.issued[3:] == [ids.nth_id(4), code, ids.nth_id(6)]
    sso = _claims(done.cookies[login_flow.SSO_COOKIE])
    assert (sso["jti"], sso["sid"]) == (ids.nth_id(6), ids.nth_id(4))

    exchanged = await http.post(
        "/realms/test/protocol/openid-connect/token",
        data={**APP, "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK},
    )
    assert exchanged.status_code == 200, exchanged.text
    tokens = exchanged.json()
    assert tokens["session_state"] == ids.nth_id(4)
    assert (_claims(tokens["access_token"])["jti"], _claims(tokens["refresh_token"])["jti"]) == (
        ids.nth_id(7),
        ids.nth_id(8),
    )
    assert len(ids.issued) == 8
