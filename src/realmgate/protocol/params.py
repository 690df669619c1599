"""Request parameters, parsed once: every OAuth parameter may appear at most once.

RFC 6749 §3.1 and §3.2: "Request and response parameters MUST NOT be included more than once."
A duplicate is a request-smuggling vector (two parsers picking different values), so it is
refused before any other rule looks at the request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from realmgate.protocol.errors import InvalidRequest


def single_valued(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Turn decoded (name, value) pairs into a dict, refusing any repeated name."""
    result: dict[str, str] = {}
    for name, value in pairs:
        if name in result:
            raise InvalidRequest(f"duplicated parameter: {name}")
        result[name] = value
    return result


def optional(params: Mapping[str, str], name: str) -> str | None:
    """A parameter's value, treating an empty value as absent (as Keycloak does)."""
    value = params.get(name)
    return value if value else None


def required(params: Mapping[str, str], name: str) -> str:
    value = optional(params, name)
    if value is None:
        raise InvalidRequest(f"Missing parameter: {name}")
    return value
