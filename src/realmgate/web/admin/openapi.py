"""``/admin/openapi.json``: built from the same ``Operation`` declarations the routes come from,
so the document describes exactly what is served (paths, query parameters, bodies, responses,
and the error statuses every admin call can answer)."""

from __future__ import annotations

import copy
import re
from typing import Any

from realmgate import __version__
from realmgate.admin.call import INT32_MAX, INT32_MIN, Operation
from realmgate.admin.schema import Schema

_PARAM = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?::[a-z]+)?\}")

_INT32: dict[str, dict[str, int]] = {"integer": {"minimum": INT32_MIN, "maximum": INT32_MAX}}
ERROR_SCHEMA: Schema = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "errorMessage": {"type": "string"}},
}


def _openapi_schema(schema: Schema, *, for_response: bool, nullable: bool = False) -> Schema:
    """Our schema subset as OpenAPI 3.0: every property nullable (as Jackson accepts), vendor keys
    dropped, and responses left open to fields clients should ignore."""
    out: Schema = {}
    for key, value in schema.items():
        if key.startswith("x-"):
            continue
        if key == "properties":
            out[key] = {
                name: _openapi_schema(sub, for_response=for_response, nullable=True) for name, sub in value.items()
            }
        elif key == "additionalProperties" and isinstance(value, dict):
            out[key] = _openapi_schema(value, for_response=for_response, nullable=True)
        elif key == "items":
            out[key] = _openapi_schema(value, for_response=for_response)
        elif key == "anyOf":
            out[key] = [_openapi_schema(sub, for_response=for_response) for sub in value]
        else:
            out[key] = copy.deepcopy(value)
    if for_response and out.get("additionalProperties") is False:
        out["additionalProperties"] = True
    if ("type" in out or "anyOf" in out) and nullable and not schema.get("x-not-null"):
        out["nullable"] = True
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": ERROR_SCHEMA}}}


def _operation(op: Operation) -> dict[str, Any]:
    params: list[dict[str, Any]] = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}} for name in _PARAM.findall(op.path)
    ]
    params += [
        {
            "name": p.name,
            "in": "query",
            "required": False,
            "description": p.description,
            "schema": {"type": p.type, **_INT32.get(p.type, {}), **p.schema},
        }
        for p in op.query
    ]
    responses: dict[str, Any] = {}
    if op.status == 201:
        responses["201"] = {
            "description": "Created; Location names the new resource",
            "headers": {"Location": {"schema": {"type": "string"}}},
        }
    elif op.status == 204:
        responses["204"] = {"description": "No content"}
    else:
        ok: dict[str, Any] = {"description": "Accepted" if op.status == 202 else "OK"}
        if op.response is not None:
            ok["content"] = {"application/json": {"schema": _openapi_schema(op.response, for_response=True)}}
        responses[str(op.status)] = ok
    responses["400"] = _error("Invalid request")
    responses["401"] = _error("Missing or invalid bearer token")
    responses["403"] = _error("The token lacks the needed admin role")
    responses["404"] = _error("Not found")
    if op.method in ("POST", "PUT"):
        responses["409"] = _error("Conflicts with an existing resource")
    if op.method in ("POST", "PUT"):
        responses["413"] = _error("Body too large")
    out: dict[str, Any] = {
        "operationId": f"{op.method.lower()}_{_op_id(op.path)}",
        "summary": op.summary,
        "tags": [op.tag],
        "parameters": params,
        "responses": responses,
    }
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _openapi_schema(op.body, for_response=False)}},
        }
    return out


def _op_id(path: str) -> str:
    cleaned = _PARAM.sub(lambda m: m.group(1), path.removeprefix("/admin/"))
    return re.sub(r"[^A-Za-z0-9]+", "_", cleaned).strip("_")


def build_document(operations: list[Operation]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for op in operations:
        openapi_path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", op.path)
        paths.setdefault(openapi_path, {})[op.method.lower()] = _operation(op)
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "realmgate admin REST API (Keycloak-compatible)",
            "version": __version__,
        },
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "security": [{"bearer": []}],
        "paths": dict(sorted(paths.items())),
    }
