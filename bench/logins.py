"""Logins as a browser makes them, driven from Python: cookies, the login form, redirects.

A login is several requests whose later ones depend on the earlier answers (the form's action
URL, cookies, the code), which wrk's one-request scripts cannot follow, so these cases run an
asyncio httpx driver in the bench process (on the load CPU). Its latencies include the driver's
own work; the server CPU per login, from ``/proc``, does not. Each login starts from an empty
cookie jar, as a new browser would, on a kept-alive connection.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode, urljoin

import httpx
from tests.e2e.broker.browser import forms, link, query
from tests.e2e.broker.seed import ALIAS, Seed

from bench.measure import Load, Measurement, measured, percentile
from bench.seed import PASSWORD, REALM, REDIRECT_URI, RS256_CLIENT, USERNAME, Seeded
from bench.server import Target

CONCURRENCY = 8
Login = Callable[[httpx.AsyncClient], Awaitable[None]]


async def _follow(client: httpx.AsyncClient, response: httpx.Response, stop: str) -> httpx.Response | str:
    """Follow redirects until a page (the response) or a URL starting with ``stop`` (returned)."""
    while response.is_redirect:
        target = urljoin(str(response.url), response.headers["location"])
        if target.startswith(stop):
            return target
        response = await client.get(target)
    return response


async def _submit(client: httpx.AsyncClient, page: httpx.Response, form_id: str, **values: str) -> httpx.Response:
    if page.status_code != 200:
        raise AssertionError(f"{page.url}: {page.status_code} {page.text[:200]}")
    form = forms(page.text)[form_id]
    return await client.post(urljoin(str(page.url), form.action), data={**form.fields, **values})


def _code(result: httpx.Response | str) -> str:
    if not isinstance(result, str):
        raise AssertionError(f"expected the app's redirect, got {result.status_code} {result.text[:200]}")
    return query(result)["code"]


async def _redeem(
    client: httpx.AsyncClient, token_url: str, code: str, redirect_uri: str, auth: tuple[str, str]
) -> None:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    token = await client.post(token_url, data=form, auth=auth)
    if token.status_code != 200:
        raise AssertionError(f"code exchange: {token.status_code} {token.text[:200]}")


def code_login(base_url: str, seeded: Seeded) -> Login:
    """One code-flow login in the bench realm: authorization request, login form (one argon2id
    check), the code redeemed at the token endpoint."""
    oidc = f"{base_url}/realms/{REALM}/protocol/openid-connect"
    params = {
        "client_id": RS256_CLIENT,
        "redirect_uri": REDIRECT_URI,
        "response_type": "code",
        "scope": "openid",
        "state": "bench-state",
        "nonce": "bench-nonce",
    }
    auth_url = f"{oidc}/auth?{urlencode(params)}"

    async def login(client: httpx.AsyncClient) -> None:
        page = await client.get(auth_url)
        posted = await _submit(client, page, "kc-form-login", username=USERNAME, password=PASSWORD)
        code = _code(await _follow(client, posted, REDIRECT_URI))
        await _redeem(client, f"{oidc}/token", code, REDIRECT_URI, (RS256_CLIENT, seeded.rs256_secret))

    return login


def broker_login(seed: Seed, *, review: bool = False) -> Login:
    """One login at the master through the slave (the broker seed, tests/e2e/broker/seed.py):
    the master's login page, ``/broker/{alias}/login``, the slave's login form (its argon2id
    check), the master's callback (code exchange at the slave, token checks, the linked user),
    and the app's code exchange at the master. ``review``: the first login, which also fills in
    the review-profile form."""
    stop = seed.app_redirect

    async def login(client: httpx.AsyncClient) -> None:
        page = await client.get(seed.auth_url())
        slave = await _follow(client, await client.get(link(page.text, f"social-{ALIAS}")), stop)
        if not isinstance(slave, httpx.Response):
            raise AssertionError("the slave answered with the app's redirect, not its login page")
        posted = await _submit(client, slave, "kc-form-login", username="slave_user", password="slave_password")
        result = await _follow(client, posted, stop)
        if review and isinstance(result, httpx.Response):
            profile = {"email": "slave_user@example.org", "firstName": "Slave", "lastName": "User"}
            result = await _follow(client, await _submit(client, result, "kc-idp-review-profile-form", **profile), stop)
        token_url = seed.master_realm + "/protocol/openid-connect/token"
        await _redeem(client, token_url, _code(result), stop, ("app_client", seed.app_secret))

    return login


async def _drive(login: Login, seconds: float, concurrency: int) -> Load:
    latencies: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + seconds

    async def worker() -> None:
        async with httpx.AsyncClient(timeout=30.0) as client:
            while time.monotonic() < deadline:
                client.cookies.clear()
                started = time.perf_counter()
                try:
                    await login(client)
                except (AssertionError, KeyError, httpx.HTTPError) as exc:
                    failures.append(f"{type(exc).__name__}: {exc}"[:300])
                    continue
                latencies.append((time.perf_counter() - started) * 1000)

    began = time.monotonic()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.monotonic() - began
    latencies.sort()
    first = re.sub(r"\s+", " ", failures[0]) if failures else ""
    return Load(len(latencies), elapsed, percentile(latencies, 0.5), percentile(latencies, 0.99), len(failures), first)


def measure(servers: list[Target], login: Login, seconds: float, concurrency: int = CONCURRENCY) -> Measurement:
    """``concurrency`` drivers repeating ``login`` for ``seconds``; CPU per login of every server."""
    return measured(servers, lambda: asyncio.run(_drive(login, seconds, concurrency)))


def login_once(login: Login) -> None:
    """One login, failing loudly: set-up steps (the broker's first login) must not fail silently."""

    async def once() -> None:
        async with httpx.AsyncClient(timeout=30.0) as client:
            await login(client)

    asyncio.run(once())
