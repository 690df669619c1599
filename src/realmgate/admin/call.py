"""The admin API's one declaration mechanism: an ``Operation`` says once what an endpoint is
(method, Keycloak path, who may call it, query parameters, body and response schemas, the admin
event it records) and which service runs it. The web layer turns operations into routes and
into ``/admin/openapi.json``; services receive an ``AdminCall`` and return a result:

- a JSON-able value -> 200 with that JSON,
- ``Created(id)`` -> 201, empty body, ``Location`` = request URL + ``/id``,
- ``None`` -> 204.

The whole call (authentication, checks, the service, the admin event) runs in one store
transaction, so an error anywhere leaves nothing half-written. A service that ends sessions puts
the back-channel logout tokens it owes in ``call.after_commit``; the web layer posts them once the
transaction has committed and the response is sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from realmgate.admin.auth import AdminIdentity, Authenticator
from realmgate.admin.errors import AdminError
from realmgate.admin.schema import Schema
from realmgate.crypto.secrets import Randomness
from realmgate.model.realm import Realm
from realmgate.protocol.logout_tokens import Delivery
from realmgate.store.interface import Tx

ParamType = Literal["string", "integer", "boolean"]
INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
ArgValue = str | int | bool


@dataclass(frozen=True, slots=True)
class Param:
    """A query parameter: parsed and type-checked before the service runs (bad value -> 400)."""

    name: str
    type: ParamType = "string"
    description: str = ""
    schema: Mapping[str, Any] = field(default_factory=dict)  # extra JSON-schema keywords (docs)


@dataclass(frozen=True, slots=True)
class Created:
    """201 with ``Location`` = request URL + ``/id`` (a realm's name for realms), or
    ``location`` (a path under ``/admin/realms/{realm}/``) when the new resource lives elsewhere
    (a child group is found at ``groups/{id}``); ``body`` for the few creates that echo JSON."""

    id: str
    location: str | None = None
    body: object = None


@dataclass(slots=True)
class AdminCall:
    """Everything a service needs for one admin request, already authenticated and parsed."""

    tx: Tx
    who: AdminIdentity
    auth: Authenticator
    now: int
    ids: Randomness  # where the call's new ids and secrets come from, as ``now`` is its time
    path: Mapping[str, str]
    args: Mapping[str, ArgValue]
    body: Any
    target: Realm | None = None
    ip_address: str | None = None
    frontend_base: str = ""  # the server's public URL, for the issuer of what the call signs
    after_commit: list[Delivery] = field(default_factory=list)

    @property
    def realm(self) -> Realm:
        """The realm named in the path (resolved, 404 otherwise, before the service runs)."""
        if self.target is None:
            raise AdminError.not_found("Realm not found.")
        return self.target

    def str_arg(self, name: str) -> str | None:
        value = self.args.get(name)
        return value if isinstance(value, str) else None

    def int_arg(self, name: str, default: int | None = None) -> int | None:
        value = self.args.get(name)
        return value if isinstance(value, int) and not isinstance(value, bool) else default

    def bool_arg(self, name: str, default: bool | None = None) -> bool | None:
        value = self.args.get(name)
        return value if isinstance(value, bool) else default

    def page(self, default_max: int | None = 100) -> tuple[int, int | None]:
        """``first``/``max`` as Keycloak reads them: negatives mean "from the start"/"no limit"."""
        first = max(self.int_arg("first", 0) or 0, 0)
        maximum = self.int_arg("max", default_max)
        if maximum is not None and maximum < 0:
            maximum = None
        return first, maximum


Service = Callable[[AdminCall], Awaitable[object]]

# Who may call: role names of which one suffices in the path's realm; or one of the special
# kinds checked by the service itself ("authenticated": any valid admin token).
Access = frozenset[str] | Literal["authenticated"]


@dataclass(frozen=True, slots=True)
class Operation:
    method: Literal["GET", "POST", "PUT", "DELETE"]
    path: str  # Starlette syntax, e.g. "/admin/realms/{realm}/users/{id}"
    service: Service
    summary: str
    tag: str
    access: Access
    status: Literal[200, 201, 202, 204] = 200
    query: tuple[Param, ...] = ()
    body: Schema | None = None
    response: Schema | None = None
    resource_type: str | None = None  # Keycloak admin event resource type, for writes


Method = Literal["GET", "POST", "PUT", "DELETE"]
Status = Literal[200, 201, 202, 204]


def op(
    method: Method,
    path: str,
    service: Service,
    access: Access,
    summary: str,
    tag: str,
    *,
    status: Status | None = None,
    query: tuple[Param, ...] = (),
    body: Schema | None = None,
    response: Schema | None = None,
    resource: str | None = None,
) -> Operation:
    """The route tables' one ``Operation`` constructor: the status defaults to what Keycloak answers
    for the method (a POST with a body creates: 201; other writes: 204), so tables only say it
    where an endpoint differs."""
    defaults: dict[Method, Status] = {"GET": 200, "POST": 201 if body is not None else 204, "PUT": 204, "DELETE": 204}
    return Operation(
        method=method,
        path=path,
        service=service,
        summary=summary,
        tag=tag,
        access=access,
        status=status or defaults[method],
        query=query,
        body=body,
        response=response,
        resource_type=resource,
    )


def parse_args(raw: Mapping[str, str], declared: tuple[Param, ...]) -> dict[str, ArgValue]:
    """Typed query arguments; undeclared parameters are ignored, as Keycloak does."""
    args: dict[str, ArgValue] = {}
    for param in declared:
        value = raw.get(param.name)
        if value is None:
            continue
        if param.type == "integer":
            try:
                number = int(value)
            except ValueError:
                number = INT32_MAX + 1
            if not INT32_MIN <= number <= INT32_MAX:  # Keycloak reads these as Java ints
                raise AdminError.bad_request(f"Invalid value for query parameter {param.name}")
            args[param.name] = number
        elif param.type == "boolean":
            lowered = value.lower()
            if lowered not in ("true", "false"):
                raise AdminError.bad_request(f"Invalid value for query parameter {param.name}")
            args[param.name] = lowered == "true"
        else:
            args[param.name] = value
    return args


FIRST_MAX = (
    Param("first", "integer", "Index of the first result"),
    Param("max", "integer", "Maximum results"),
)
