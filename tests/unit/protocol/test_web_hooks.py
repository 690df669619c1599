"""The broker's hooks into the OIDC endpoints, exercised in-process (a hook cannot be injected
into a server subprocess): upstream logout before a brokered session ends."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from tests.unit.protocol.conftest import PASSWORD, SECRET, World

from realmgate.app import build_app
from realmgate.model.session import UserSession
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.settings import Settings
from realmgate.store.interface import Tx

BASE = "http://sso.test"


@pytest.fixture
def hook_calls() -> list[tuple[str, str | None]]:
    return []


@pytest.fixture
async def client(world: World, hook_calls: list[tuple[str, str | None]]) -> AsyncIterator[httpx.AsyncClient]:
    async def upstream(
        request: Request, tx: Tx, config: RealmConfig, session: UserSession, redirect: str | None
    ) -> Response | None:
        hook_calls.append((session.id, redirect))
        return RedirectResponse("https://upstream.example/logout?state=" + session.id, status_code=302)

    app = build_app(Settings(run_setup=False), store=world.store, upstream_logout=upstream)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as http:
            yield http


async def tokens(http: httpx.AsyncClient) -> dict[str, str]:
    response = await http.post(
        "/realms/test/protocol/openid-connect/token",
        data={
            "grant_type": "password",
            "client_id": "app",
            "client_secret": SECRET,
            "username": "alice",
            "password": PASSWORD,
            "scope": "openid",
        },
    )
    assert response.status_code == 200, response.text
    body: dict[str, str] = response.json()
    return body


async def mark_brokered(world: World, session_id: str) -> None:
    async with world.store.tx() as tx:
        session = await tx.sessions.get(world.realm_id, session_id)
        assert session is not None
        await tx.sessions.update(dataclasses.replace(session, notes={**session.notes, "identity_provider": "upstream"}))


async def session_exists(world: World, session_id: str) -> bool:
    async with world.store.tx() as tx:
        return await tx.sessions.get(world.realm_id, session_id) is not None


async def test_brokered_session_goes_through_the_upstream_hook(
    world: World, client: httpx.AsyncClient, hook_calls: list[tuple[str, str | None]]
) -> None:
    issued = await tokens(client)
    sid = issued["session_state"]
    await mark_brokered(world, sid)
    response = await client.get(
        "/realms/test/protocol/openid-connect/logout",
        params={"id_token_hint": issued["id_token"], "post_logout_redirect_uri": "https://app.example/bye"},
    )
    assert response.status_code == 302
    assert response.headers["location"] == f"https://upstream.example/logout?state={sid}"
    assert hook_calls == [(sid, "https://app.example/bye")]
    assert await session_exists(world, sid)  # ended later, when the upstream sends the user back


async def test_local_sessions_skip_the_hook(
    world: World, client: httpx.AsyncClient, hook_calls: list[tuple[str, str | None]]
) -> None:
    issued = await tokens(client)
    response = await client.get(
        "/realms/test/protocol/openid-connect/logout",
        params={"id_token_hint": issued["id_token"], "post_logout_redirect_uri": "https://app.example/bye"},
    )
    assert response.status_code == 302 and response.headers["location"] == "https://app.example/bye"
    assert hook_calls == []
    assert not await session_exists(world, issued["session_state"])
