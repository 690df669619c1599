"""Reading Keycloak JSON bodies through ``realmgate.keycloak.representations``, with the admin
API's error texts: an unknown property is 400 ``Unrecognized field "x" (class ...)``, a value of
the wrong type is 400 naming the field, and a body that is not an object is 400."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from realmgate.admin.errors import AdminError
from realmgate.keycloak.representations._mapping import RepresentationError

T = TypeVar("T")
B = TypeVar("B")


def body_object(body: object) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise AdminError.bad_request("Invalid value for body: expected a JSON object")
    return body


def body_list(body: object) -> list[dict[str, Any]]:
    """A JSON array of objects (role lists, mapper lists)."""
    if not isinstance(body, list) or not all(isinstance(item, dict) for item in body):
        raise AdminError.bad_request("Invalid value for body: expected a JSON array of objects")
    return body


def read(
    from_rep: Callable[[Mapping[str, object], B], tuple[T, list[str]]],
    body: object,
    base: B,
    representation: str,
) -> T:
    """``base`` updated from the JSON ``body`` (Keycloak's PUT only changes present fields)."""
    rep = body_object(body)
    try:
        value, unknown = from_rep(rep, base)
    except RepresentationError as exc:
        raise AdminError.bad_request(f"Invalid value for {exc.field}: {exc.message}") from None
    if unknown:
        raise AdminError.unrecognized_field(unknown[0], representation)
    return value


def reject_unknown(rep: Mapping[str, object], known: frozenset[str], representation: str) -> None:
    """For the small representations parsed by hand (credentials, role lists)."""
    for name in rep:
        if name not in known:
            raise AdminError.unrecognized_field(name, representation)


def _optional(rep: Mapping[str, object], name: str, kind: type[T], what: str) -> T | None:
    """``rep[name]`` when present and of type ``kind``; absent or null is None; else 400."""
    value = rep.get(name)
    if value is None:
        return None
    if not isinstance(value, kind):
        raise AdminError.bad_request(f"Invalid value for {name}: must be {what}")
    return value


def opt_str(rep: Mapping[str, object], name: str) -> str | None:
    return _optional(rep, name, str, "a string")


def opt_bool(rep: Mapping[str, object], name: str) -> bool | None:
    return _optional(rep, name, bool, "a boolean")
