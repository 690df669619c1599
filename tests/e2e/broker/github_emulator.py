"""A small emulator of GitHub's documented OAuth app and REST API, served by uvicorn in its own
process, so a brokered login through the ``github`` provider runs end to end without github.com.

What it follows (docs.github.com, "Authorizing OAuth apps" and "REST API endpoints for users"):

* ``GET /login/oauth/authorize?client_id&redirect_uri&scope&state``: a sign-in page (form
  ``login``: a username; form ``cancel``); signing in redirects to ``redirect_uri`` with
  ``code`` and ``state``, cancelling with ``error=access_denied``. ``redirect_uri`` must lie
  under the app's registered callback URL.
* ``POST /login/oauth/access_token`` (form ``client_id``, ``client_secret``, ``code``,
  ``redirect_uri``): JSON when ``Accept: application/json``, else form-encoded; errors are
  200 answers with ``error`` (``incorrect_client_credentials``, ``bad_verification_code``,
  ``redirect_uri_mismatch``), as GitHub answers. Codes are single use.
* ``GET /user`` and ``GET /user/emails``, also under ``/api/v3`` (GitHub Enterprise Server's
  API root): ``Authorization: Bearer|token``; 401 ``Bad credentials``; 403 without a
  ``User-Agent``; ``/user/emails`` needs the ``user:email`` (or ``user``) scope, else 404.

Test control (not GitHub): ``PUT /_emulator/users/{login}`` with ``{"profile": {...},
"emails": [...]}`` sets a user; ``GET /_emulator/requests`` lists the requests seen (method,
path, query, Accept, form field names), ``DELETE`` clears it.

Run: ``python github_emulator.py --port N --client-id ID --client-secret S --callback URL``.
"""

from __future__ import annotations

import argparse
import html
import secrets
from typing import Any
from urllib.parse import urlencode

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

DOCS = "https://docs.github.com/rest"


class State:
    """Everything the emulator remembers (one process per test module)."""

    def __init__(self, client_id: str, client_secret: str, callback: str) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.callback = callback
        self.users: dict[str, dict[str, Any]] = {}
        self.codes: dict[str, dict[str, str]] = {}
        self.tokens: dict[str, dict[str, str]] = {}
        self.requests: list[dict[str, Any]] = []


def _page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(f"<!doctype html><html><body>{body}</body></html>", status_code=status)


def _hidden(params: dict[str, str]) -> str:
    return "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items())


def _with_query(url: str, params: dict[str, str]) -> str:
    return url + ("&" if "?" in url else "?") + urlencode(params)


def build_app(state: State) -> Starlette:
    async def record(request: Request) -> None:
        form = await request.form() if request.method == "POST" else {}
        state.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "accept": request.headers.get("accept", ""),
                "form": sorted(form.keys()),
            }
        )

    def redirect_ok(redirect_uri: str) -> bool:
        return redirect_uri.startswith(state.callback)

    async def authorize(request: Request) -> Response:
        await record(request)
        params = dict(request.query_params)
        if params.get("client_id") != state.client_id:
            return _page("<h1>404</h1>", status=404)
        redirect_uri = params.get("redirect_uri", state.callback)
        if not redirect_ok(redirect_uri):
            return _page("<p>The redirect_uri MUST match the registered callback URL for this application.</p>")
        keep = {
            "redirect_uri": redirect_uri,
            "state": params.get("state", ""),
            "scope": params.get("scope", ""),
        }
        return _page(
            '<h1>Sign in to GitHub</h1><form id="login" action="/session" method="post">'
            f'{_hidden(keep)}<input name="login" value=""><input type="submit" value="Sign in"></form>'
            f'<form id="cancel" action="/session/cancel" method="post">{_hidden(keep)}'
            '<input type="submit" value="Cancel"></form>'
        )

    async def session(request: Request) -> Response:
        await record(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if form.get("login") not in state.users or not redirect_ok(form.get("redirect_uri", "")):
            return _page('<p id="error">Incorrect username or password.</p>', status=401)
        code = secrets.token_hex(10)
        state.codes[code] = {"login": form["login"], "redirect_uri": form["redirect_uri"], "scope": form["scope"]}
        return RedirectResponse(_with_query(form["redirect_uri"], {"code": code, "state": form["state"]}), 302)

    async def cancel(request: Request) -> Response:
        await record(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not redirect_ok(form.get("redirect_uri", "")):
            return _page("bad redirect", status=400)
        error = {
            "error": "access_denied",
            "error_description": "The user has denied your application access.",
            "state": form["state"],
        }
        return RedirectResponse(_with_query(form["redirect_uri"], error), 302)

    async def access_token(request: Request) -> Response:
        await record(request)
        form = {k: str(v) for k, v in (await request.form()).items()}
        if form.get("client_id") != state.client_id or form.get("client_secret") != state.client_secret:
            body = {
                "error": "incorrect_client_credentials",
                "error_description": "The client_id and/or client_secret passed are incorrect.",
            }
        elif (grant := state.codes.pop(form.get("code", ""), None)) is None:
            body = {"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired."}
        elif form.get("redirect_uri", grant["redirect_uri"]) != grant["redirect_uri"]:
            body = {"error": "redirect_uri_mismatch", "error_description": "The redirect_uri MUST match."}
        else:
            token = "gho_" + secrets.token_hex(18)
            state.tokens[token] = {"login": grant["login"], "scope": grant["scope"]}
            body = {"access_token": token, "token_type": "bearer", "scope": grant["scope"].replace(" ", ",")}
        if "application/json" in request.headers.get("accept", ""):
            return JSONResponse(body)
        return Response(urlencode(body), media_type="application/x-www-form-urlencoded")

    def caller(request: Request) -> dict[str, str] | Response:
        if not request.headers.get("user-agent"):
            return Response(
                "Request forbidden by administrative rules. Please make sure your request has a User-Agent header", 403
            )
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        grant = state.tokens.get(token) if scheme.lower() in ("bearer", "token") else None
        if grant is None:
            return JSONResponse({"message": "Bad credentials", "documentation_url": DOCS}, status_code=401)
        return grant

    async def user(request: Request) -> Response:
        await record(request)
        grant = caller(request)
        if isinstance(grant, Response):
            return grant
        return JSONResponse(state.users[grant["login"]]["profile"])

    async def emails(request: Request) -> Response:
        await record(request)
        grant = caller(request)
        if isinstance(grant, Response):
            return grant
        scopes = set(grant["scope"].replace(",", " ").split())
        if not scopes & {"user", "user:email"}:
            return JSONResponse({"message": "Not Found", "documentation_url": DOCS}, status_code=404)
        return JSONResponse(state.users[grant["login"]].get("emails", []))

    async def put_user(request: Request) -> Response:
        state.users[request.path_params["login"]] = await request.json()
        return Response(status_code=204)

    async def requests_seen(request: Request) -> Response:
        if request.method == "DELETE":
            state.requests.clear()
            return Response(status_code=204)
        return JSONResponse(state.requests)

    return Starlette(
        routes=[
            Route("/login/oauth/authorize", authorize),
            Route("/session", session, methods=["POST"]),
            Route("/session/cancel", cancel, methods=["POST"]),
            Route("/login/oauth/access_token", access_token, methods=["POST"]),
            *(Route(f"{root}/user", user) for root in ("", "/api/v3")),
            *(Route(f"{root}/user/emails", emails) for root in ("", "/api/v3")),
            Route("/_emulator/users/{login}", put_user, methods=["PUT"]),
            Route("/_emulator/requests", requests_seen, methods=["GET", "DELETE"]),
            Route("/_emulator/ready", lambda request: Response("ok")),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    parser.add_argument("--callback", required=True, help="the OAuth app's registered callback URL")
    args = parser.parse_args()
    app = build_app(State(args.client_id, args.client_secret, args.callback))
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
