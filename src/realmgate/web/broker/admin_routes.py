"""The two identity-provider admin endpoints that call upstreams: ``import-config`` (JSON
``{providerId, fromUrl}`` or multipart ``providerId`` + ``file``) and
``instances/{alias}/reload-keys``.

They authenticate and authorize in a short store transaction, as every admin call does, then
make the HTTP call with no transaction open: on SQLite a transaction holds the process's write
lock, so a discovery document served by this very server (one realm brokering another) would
otherwise wait for itself.
"""

from __future__ import annotations

from collections.abc import Collection

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from realmgate.admin import auth as admin_auth
from realmgate.admin import identity_providers
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.idp_operations import MANAGE
from realmgate.model.identity_provider import IdentityProvider
from realmgate.web.admin.adapter import json_body
from realmgate.web.app_context import get_ctx
from realmgate.web.urls import frontend_base

BASE = "/admin/realms/{realm}/identity-provider"
MAX_DOCUMENT = 1024 * 1024


async def _authorize(request: Request, roles: Collection[str], alias: str | None = None) -> IdentityProvider | None:
    """Check the caller like the admin route table does; with ``alias``, load that provider."""
    ctx = get_ctx(request)
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    bearer = token.strip() if scheme.lower() == "bearer" and token.strip() else None
    realm_name: str = request.path_params["realm"]
    async with ctx.store.tx() as tx:
        who = await ctx.admin_auth.authenticate(tx, bearer, issuer_base=frontend_base(request), now=int(ctx.clock()))
        realm = await tx.realms.get_by_name(realm_name)
        if realm is None:
            raise realm_not_found()
        await admin_auth.require(tx, who, realm_name, roles)
        return await identity_providers.find_provider(tx, realm.id, alias) if alias is not None else None


async def _import_body(request: Request) -> tuple[object, object, bytes | None]:
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith("multipart/form-data"):
        form = await request.form()
        upload = form.get("file")
        document = await upload.read(MAX_DOCUMENT + 1) if isinstance(upload, UploadFile) else None
        if document is None or len(document) > MAX_DOCUMENT:
            raise AdminError.bad_request("Invalid value for body: a file of at most 1 MiB is required")
        return form.get("providerId"), None, document
    body = await json_body(request)
    if not isinstance(body, dict):
        raise AdminError.bad_request("Invalid value for body: expected a JSON object")
    return body.get("providerId"), body.get("fromUrl"), None


async def import_config(request: Request) -> Response:
    await _authorize(request, MANAGE)
    provider_id, url, document = await _import_body(request)
    config = await identity_providers.import_config(get_ctx(request).http, provider_id, url=url, document=document)
    return JSONResponse(config, headers={"cache-control": "no-store"})


async def reload_keys(request: Request) -> Response:
    idp = await _authorize(request, MANAGE, request.path_params["alias"])
    assert idp is not None
    reloaded = await identity_providers.reload_keys(get_ctx(request).upstream_keys, idp)
    if reloaded:  # the other instances refetch on their next use
        async with get_ctx(request).store.tx() as tx:
            await tx.realms.touch(idp.realm_id)
    return JSONResponse(reloaded, headers={"cache-control": "no-store"})


def routes() -> list[BaseRoute]:
    return [
        Route(BASE + "/import-config", import_config, methods=["POST"]),
        Route(BASE + "/instances/{alias}/reload-keys", reload_keys, methods=["GET"]),
    ]
