"""Turns admin ``Operation`` declarations into Starlette routes.

One generic handler per operation: parse the query and JSON (or multipart form) body, open one store transaction,
authenticate the bearer token, resolve ``{realm}``, check the declared role, check the body
against the declared schema (unknown fields and wrong types are 400), run the service, record
the admin event, commit; then render the result (JSON / 201 + Location / 204), which posts the
back-channel logout tokens the service left in ``call.after_commit`` once it has been sent.
An ``AdminError`` (and a store ``Conflict``/``NotFound``, turned into one) leaves the transaction,
which rolls it back, and is rendered by the single translator in ``web.errors``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any
from urllib.parse import quote

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from realmgate.admin import auth as admin_auth
from realmgate.admin.call import AdminCall, Created, Operation, parse_args
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.events import record_admin_event
from realmgate.admin.schema import validate
from realmgate.store.interface import Conflict, NotFound
from realmgate.web.app_context import get_ctx
from realmgate.web.oidc.plumbing import bearer_token, send_after
from realmgate.web.urls import frontend_base

log = logging.getLogger("realmgate.admin")
MAX_BODY = 5 * 1024 * 1024
NO_STORE = {"cache-control": "no-store"}
Handler = Callable[[Request], Awaitable[Response]]


async def _raw_body(request: Request) -> bytes:
    raw = await request.body()
    if len(raw) > MAX_BODY:
        raise AdminError(413, {"errorMessage": "Request body too large"})
    return raw


async def json_body(request: Request) -> Any:
    """The request's JSON body, ``None`` when empty; ``AdminError`` 400/413 when unreadable."""
    raw = await _raw_body(request)
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise AdminError.bad_request("Invalid JSON body") from None


def _render(request: Request, op: Operation, result: object) -> Response:
    if isinstance(result, Created):
        if result.location is not None:
            realm = request.path_params.get("realm", "")
            location = str(request.url.replace(path=f"/admin/realms/{realm}/{result.location}", query=""))
        else:
            location = str(request.url.replace(query="")).rstrip("/") + "/" + quote(result.id, safe="")
        if result.body is not None:
            return JSONResponse(result.body, status_code=201, headers={"location": location})
        return Response(status_code=201, headers={"location": location})
    if result is None:
        return Response(status_code=204)
    return JSONResponse(result, status_code=op.status if op.status in (200, 202) else 200, headers=NO_STORE)


async def request_body(request: Request, op: Operation) -> Any:
    """The body as a service sees it: JSON; the text itself for a ``RAW_TEXT`` body (an
    organization member's bare user id) or for an operation that takes a string sent as
    ``text/plain`` (a credential's label, as Keycloak reads it); or a ``multipart/form-data``
    form (Keycloak takes certificate uploads so) as an object of its text fields, an uploaded
    file read as text."""
    content_type = request.headers.get("content-type", "").lower()
    if op.body is not None and op.body.get("x-raw-text"):
        raw = await request.body()
        if len(raw) > MAX_BODY:
            raise AdminError(413, {"errorMessage": "Request body too large"})
        text = raw.decode("utf-8", errors="replace")
        return text if text.strip() else None
    if op.body is not None and op.body.get("type") == "string" and content_type.startswith("text/plain"):
        try:
            return (await _raw_body(request)).decode("utf-8")
        except UnicodeDecodeError:
            raise AdminError.bad_request("Invalid text body") from None
    if not content_type.startswith("multipart/form-data"):
        return await json_body(request)
    fields: dict[str, str] = {}
    async with request.form(max_files=4, max_fields=20, max_part_size=MAX_BODY) as form:
        for name, value in form.multi_items():
            raw = await value.read(MAX_BODY + 1) if isinstance(value, UploadFile) else value.encode()
            if len(raw) > MAX_BODY:
                raise AdminError(413, {"errorMessage": "Request body too large"})
            try:
                fields[name] = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise AdminError.bad_request(f"Invalid value for {name}: expected text") from None
    return fields


def _handler(op: Operation) -> Handler:
    async def endpoint(request: Request) -> Response:
        ctx = get_ctx(request)
        authenticator = ctx.admin_auth  # one per app, shared with the broker's admin routes
        try:
            # A repeated parameter (``type=LOGIN&type=LOGOUT``) arrives comma-joined.
            raw = {key: ",".join(request.query_params.getlist(key)) for key in request.query_params}
            args = parse_args(raw, op.query)
            body = await request_body(request, op) if op.method != "GET" else None
            now = int(ctx.clock())
            base = frontend_base(request)
            async with ctx.store.tx() as tx:
                who = await authenticator.authenticate(tx, bearer_token(request), issuer_base=base, now=now)
                path = {k: str(v) for k, v in request.path_params.items()}
                target = None
                if "realm" in path:
                    same = path["realm"] == who.realm.name
                    target = who.realm if same else await tx.realms.get_by_name(path["realm"])
                    if target is None:
                        raise realm_not_found()
                if isinstance(op.access, frozenset):
                    await admin_auth.require(tx, who, path.get("realm", admin_auth.MASTER), op.access)
                if op.body is not None:
                    if body is None:
                        raise AdminError.bad_request("Missing request body")
                    validate(body, op.body)
                call = AdminCall(
                    tx=tx,
                    who=who,
                    auth=authenticator,
                    now=now,
                    ids=ctx.ids,
                    path=path,
                    args=args,
                    body=body,
                    target=target,
                    ip_address=request.client.host if request.client else None,
                    frontend_base=base,
                )
                result = await op.service(call)
                if target is not None and op.method != "GET" and op.resource_type:
                    await record_admin_event(call, op, result, request.url.path)
        except Conflict as err:
            raise AdminError.conflict(str(err)) from None
        except NotFound as err:
            raise AdminError.not_found(str(err) or "HTTP 404 Not Found") from None
        return send_after(request, _render(request, op, result), call.after_commit)

    return endpoint


def _sort_key(op: Operation) -> tuple[tuple[int, str], ...]:
    """Literal segments before parameters, so ``/users/count`` wins over ``/users/{id}``."""
    return tuple((1 if seg.startswith("{") else 0, seg) for seg in op.path.split("/"))


def make_routes(operations: list[Operation]) -> list[BaseRoute]:
    """One route per path serving all its methods, so a 405 lists every allowed method."""
    by_path: dict[str, dict[str, Handler]] = {}
    for op in sorted(operations, key=_sort_key):
        by_path.setdefault(op.path, {})[op.method] = _handler(op)
    routes: list[BaseRoute] = []
    for path, handlers in by_path.items():

        async def dispatch(request: Request, handlers: Mapping[str, Handler] = handlers) -> Response:
            return await handlers["GET" if request.method == "HEAD" else request.method](request)

        routes.append(Route(path, dispatch, methods=list(handlers)))
    return routes
