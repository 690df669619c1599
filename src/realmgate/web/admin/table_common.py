"""Shared pieces of the admin route table: the ``op`` constructor, common query parameters."""

from __future__ import annotations

from typing import Any

from realmgate.admin.call import Access, Operation, Param, Service
from realmgate.admin.schema import Schema

R = "/admin/realms/{realm}"
BRIEF = Param("briefRepresentation", "boolean", "Leave out attributes and role names")
SEARCH = Param("search", "string", "Substring to match")
EXACT = Param("exact", "boolean", "Match exactly")
DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "pattern": r"^\d{1,15}$"}]}
USER_FILTERS = (
    SEARCH,
    Param("username", "string"),
    Param("email", "string"),
    Param("firstName", "string"),
    Param("lastName", "string"),
    EXACT,
    Param("enabled", "boolean"),
    Param(
        "q", "string", "Attribute search, key:value pairs separated by spaces", {"pattern": r"^\s*([^\s:]+:\S*\s*)*$"}
    ),
    Param("idpAlias", "string"),
    Param("idpUserId", "string"),
)


def op(
    method: Any,
    path: str,
    service: Service,
    access: Access,
    summary: str,
    tag: str,
    *,
    status: Any = None,
    query: tuple[Param, ...] = (),
    body: Schema | None = None,
    response: Schema | None = None,
    resource: str | None = None,
) -> Operation:
    defaults = {"GET": 200, "POST": 201 if body is not None else 204, "PUT": 204, "DELETE": 204}
    default_status: Any = defaults[method]
    return Operation(
        method=method,
        path=path,
        service=service,
        summary=summary,
        tag=tag,
        access=access,
        status=status or default_status,
        query=query,
        body=body,
        response=response,
        resource_type=resource,
    )
