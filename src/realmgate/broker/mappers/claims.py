"""Claim paths and claim comparison, with Keycloak's semantics where they are sound.

A claim path names a value inside the upstream's claim sets:

* ``.`` separates nesting levels: ``address.locality``;
* ``\\.`` is a literal dot inside a name (``https://example\\.com/roles``), and a backslash
  escapes any other character too, as in Keycloak's ``JsonUtils.splitClaimPath``;
* ``[n]`` after a name picks item ``n`` of an array: ``emails[0]``;
* an array met *before* the end of the path is walked element by element and the results
  are flattened (``orgs.name`` over ``[{"name": "a"}, {"name": "b"}]`` gives ``["a", "b"]``);
  Keycloak only allows that in userinfo, we allow it in every claim set.

Where a claim is read from follows ``AbstractClaimMapper.getClaimValue``: the upstream's
validated access token first (``keycloak-oidc`` or ``isAccessTokenJWT``), then the ID token,
then the userinfo response; the first set that yields a value wins.

A value of the wrong shape (an object where a string was expected, a path through a string)
simply yields nothing: a mapper then does not match, it never fails the login.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import TypeAlias

ClaimSet: TypeAlias = Mapping[str, object]
PathStep: TypeAlias = "str | int"


class ClaimPathError(ValueError):
    """A claim path that cannot be parsed (empty name, unclosed bracket, bad index)."""


def split_claim_path(path: str) -> list[PathStep]:
    """Parse ``path`` into names (``str``) and array indexes (``int``).

    Raises ``ClaimPathError`` on an empty path or component, a dangling backslash, or a
    malformed ``[n]``; admin validation shows that message, a login treats it as "no value".
    """
    # Each component is a list of (character, escaped) so that ``\\[`` stays literal.
    components: list[list[tuple[str, bool]]] = [[]]
    i = 0
    while i < len(path):
        ch = path[i]
        if ch == "\\":
            if i + 1 >= len(path):
                raise ClaimPathError(f"Claim path '{path}' ends with a backslash")
            components[-1].append((path[i + 1], True))
            i += 2
        elif ch == ".":
            components.append([])
            i += 1
        else:
            components[-1].append((ch, False))
            i += 1
    steps: list[PathStep] = []
    for component in components:
        steps.extend(_component_steps(component, path))
    return steps


def _component_steps(component: list[tuple[str, bool]], path: str) -> list[PathStep]:
    """``name[0][1]`` -> ``["name", 0, 1]``; only unescaped brackets form an index."""
    indexes: list[int] = []
    while component and component[-1] == ("]", False):
        opening = max((j for j, c in enumerate(component) if c == ("[", False)), default=-1)
        if opening < 0:
            break  # ``a\\[0]``: the bracket is part of the name
        digits = "".join(c for c, _ in component[opening + 1 : -1])
        if not digits.isdigit():
            raise ClaimPathError(f"Claim path '{path}' has a malformed array index")
        indexes.insert(0, int(digits))
        component = component[:opening]
    name = "".join(c for c, _ in component)
    if not name:
        raise ClaimPathError(f"Claim path '{path}' has an empty component")
    return [name, *indexes]


def resolve_path(claims: object, path: Sequence[PathStep]) -> object | None:
    """Follow ``path`` through ``claims``; None when nothing is there.

    Without fan-out the value is returned as found (a string, a number, a list, an object).
    Once an array has been walked element by element the hits are returned as one flat list.
    """
    current: list[object] = [claims]
    fanned_out = False
    for step in path:
        nxt: list[object] = []
        for value in current:
            if isinstance(step, int):
                if isinstance(value, list) and step < len(value):
                    nxt.append(value[step])
            elif isinstance(value, Mapping):
                if step in value:
                    nxt.append(value[step])
            elif isinstance(value, list):
                fanned_out = True
                nxt.extend(item[step] for item in value if isinstance(item, Mapping) and step in item)
        current = [v for v in nxt if v is not None]
        if not current:
            return None
    if not fanned_out:
        return current[0]
    flat: list[object] = []
    for value in current:
        if isinstance(value, list):
            flat.extend(v for v in value if v is not None)
        else:
            flat.append(value)
    return flat or None


def claim_value(sources: Iterable[ClaimSet | None], path: str) -> object | None:
    """The first value ``path`` yields in ``sources`` (in order), or None; bad paths yield None.

    An empty array counts as "no value", so a later source can still supply the claim.
    """
    try:
        steps = split_claim_path(path)
    except ClaimPathError:
        return None
    for claims in sources:
        if claims is None:
            continue
        value = resolve_path(claims, steps)
        if value is not None and value != []:
            return value
    return None


def java_string(value: object) -> str | None:
    """The text Keycloak would produce for a scalar JSON value; None for objects, arrays and null."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value) and abs(value) < 1e7:
            return f"{int(value)}.0"
        return repr(value)
    return None


def scalar_strings(value: object) -> list[str]:
    """A claim as a list of strings: scalars become one string, arrays their scalar items.

    Objects (and objects inside arrays) are dropped: an attribute never receives a
    serialised map, whatever the upstream sends.
    """
    items = value if isinstance(value, list) else [value]
    out: list[str] = []
    for item in items:
        text = java_string(item)
        if text is not None:
            out.append(text)
    return out


def value_equals(desired: str, value: object) -> bool:
    """Does the configured ``desired`` text equal the claim ``value``?

    Strings compare exactly; numbers and booleans compare as numbers and booleans (``"1"``
    matches ``1`` and ``1.0``, ``"true"`` matches ``true``); arrays match when any item
    does; an object matches the same object written as JSON. Anything else never matches.
    Stricter than Keycloak in one place: a boolean claim only matches ``"true"``/``"false"``
    (Java's ``Boolean.valueOf`` makes every other text equal to ``false``).
    """
    if isinstance(value, list):
        return any(value_equals(desired, item) for item in value)
    if isinstance(value, bool):
        lowered = desired.strip().lower()
        return lowered in ("true", "false") and (lowered == "true") == value
    if isinstance(value, str):
        return desired == value
    if isinstance(value, int):
        try:
            return int(desired.strip()) == value
        except ValueError:
            return False
    if isinstance(value, float):
        try:
            return float(desired.strip()) == value
        except ValueError:
            return False
    if isinstance(value, Mapping):
        try:
            return bool(json.loads(desired) == value)
        except ValueError:
            return False
    return False


def value_matches_regex(pattern: re.Pattern[str] | None, value: object) -> bool:
    """Does the whole text of ``value`` (or of any array item) match ``pattern``?

    Keycloak uses Java's ``String.matches``, i.e. the regex must match the entire value.
    A pattern that did not compile (None) never matches.
    """
    if pattern is None or value is None:
        return False
    if isinstance(value, list):
        return any(value_matches_regex(pattern, item) for item in value)
    text = java_string(value)
    return text is not None and pattern.fullmatch(text) is not None


def compile_regex(pattern: str) -> re.Pattern[str] | None:
    """Compile a configured regex; None when it is not valid."""
    try:
        return re.compile(pattern)
    except re.error:
        return None


class ClaimsMapError(ValueError):
    """A ``claims`` config value that is not a JSON list of ``{"key": ..., "value": ...}``."""


def parse_claims_map(raw: str | None) -> list[tuple[str, str]]:
    """Parse a MAP_TYPE config value (``[{"key": "k", "value": "v"}, ...]``), keeping order.

    A key may repeat: every one of its values must then match (Keycloak's
    ``getConfigMap`` groups repeated keys into a list). An absent or empty value is an
    empty map, which matches everything, as in Keycloak.
    """
    if raw is None or not raw.strip():
        return []
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ClaimsMapError(f"Could not deserialize json: {raw}") from exc
    if not isinstance(data, list):
        raise ClaimsMapError(f"Could not deserialize json: {raw}")
    pairs: list[tuple[str, str]] = []
    for item in data:
        if not isinstance(item, Mapping):
            raise ClaimsMapError(f"Could not deserialize json: {raw}")
        key, value = item.get("key"), item.get("value")
        if not isinstance(key, str) or not key or not isinstance(value, str | None):
            raise ClaimsMapError(f"Could not deserialize json: {raw}")
        pairs.append((key, value or ""))
    return pairs
