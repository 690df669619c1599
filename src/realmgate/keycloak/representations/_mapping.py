"""One generic camelCase JSON <-> frozen dataclass mapper, driven by the dataclass fields.

Keycloak representations are mostly the model's fields in camelCase. Each resource module
declares a ``Mapping`` spec: which model fields are internal (not in the JSON), which JSON names
differ from the mechanical camelCase, which fields need a custom converter, and which Keycloak
fields are accepted but not modelled (so a full Keycloak representation is not "unknown").

Reading validates JSON types (``RepresentationError`` names the field) and applies the JSON
onto a base object, so the same code serves create (base = defaults) and partial update
(base = the stored object), as Keycloak's PUT only changes the fields that are present.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

T = TypeVar("T")

JsonObject = dict[str, object]
ToRep = Callable[[Any], object]
FromRep = Callable[[object, str], Any]


class RepresentationError(ValueError):
    """A JSON value has the wrong type or shape; ``field`` is the camelCase name."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(f"{field_name}: {message}")
        self.field = field_name
        self.message = message


def names(text: str) -> frozenset[str]:
    """A set of JSON field names written as whitespace-separated words (long lists read better)."""
    return frozenset(text.split())


def camel(name: str) -> str:
    """``redirect_uris`` -> ``redirectUris``."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@dataclass(frozen=True, slots=True)
class Converter:
    """Custom JSON conversion for one field (both directions)."""

    to_rep: ToRep
    from_rep: FromRep


@dataclass(frozen=True, slots=True)
class Spec:
    """How one model class maps to its Keycloak representation."""

    cls: type[Any]
    internal: frozenset[str] = frozenset()  # model fields never in the JSON
    renames: Mapping[str, str] = field(default_factory=dict)  # model field -> JSON name
    converters: Mapping[str, Converter] = field(default_factory=dict)
    ignored: frozenset[str] = frozenset()  # Keycloak JSON fields accepted but not modelled
    handled_elsewhere: frozenset[str] = frozenset()  # JSON fields the caller processes
    id_fields: frozenset[str] = frozenset({"id"})  # model fields read only when asked (import)

    def json_names(self) -> dict[str, str]:
        """Model field name -> JSON name, for every mapped field, in declaration order."""
        return {
            f.name: self.renames.get(f.name, camel(f.name))
            for f in dataclasses.fields(self.cls)
            if f.name not in self.internal
        }

    def known(self) -> frozenset[str]:
        return frozenset(self.json_names().values()) | self.ignored | self.handled_elsewhere


# --- plain value converters, chosen from the field's type annotation -----------------------


def _bool(value: object, name: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise RepresentationError(name, "must be a boolean")


def _int(value: object, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            pass
    raise RepresentationError(name, "must be a number")


def _str(value: object, name: str) -> str:
    if isinstance(value, str):
        return value
    raise RepresentationError(name, "must be a string")


def scalar_str(value: object, name: str) -> str:
    """A config value: Keycloak's maps hold strings, but JSON numbers/booleans are coerced."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    raise RepresentationError(name, "must be a string")


def _str_tuple(value: object, name: str) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise RepresentationError(name, "must be an array of strings")
    return tuple(_str(item, name) for item in value)


def _str_map(value: object, name: str) -> dict[str, str]:
    if not isinstance(value, dict):
        raise RepresentationError(name, "must be an object")
    return {str(k): scalar_str(v, f"{name}.{k}") for k, v in value.items() if v is not None}


def _multi_map(value: object, name: str) -> dict[str, tuple[str, ...]]:
    """Keycloak's ``Map<String, List<String>>`` (a single string is accepted as one value)."""
    if not isinstance(value, dict):
        raise RepresentationError(name, "must be an object")
    out: dict[str, tuple[str, ...]] = {}
    for k, v in value.items():
        if isinstance(v, list):
            out[str(k)] = tuple(scalar_str(item, f"{name}.{k}") for item in v)
        elif v is not None:
            out[str(k)] = (scalar_str(v, f"{name}.{k}"),)
    return out


def _optional(inner: FromRep) -> FromRep:
    def convert(value: object, name: str) -> object:
        return None if value is None else inner(value, name)

    return convert


def _identity(value: object) -> object:
    return value


def _list(value: object) -> object:
    return list(typing.cast(tuple[object, ...], value))


def _multi_map_out(value: object) -> object:
    return {k: list(v) for k, v in typing.cast(Mapping[str, tuple[str, ...]], value).items()}


def _dict_out(value: object) -> object:
    return dict(typing.cast(Mapping[str, str], value))


_BY_TYPE: dict[str, Converter] = {
    "bool": Converter(_identity, _bool),
    "int": Converter(_identity, _int),
    "str": Converter(_identity, _str),
    "tuple[str, ...]": Converter(_list, _str_tuple),
    "Mapping[str, str]": Converter(_dict_out, _str_map),
    "Mapping[str, tuple[str, ...]]": Converter(_multi_map_out, _multi_map),
}


def read_typed(type_name: str, value: object, name: str) -> object:
    """``value`` checked and converted as a model field annotated ``type_name`` would be
    (``bool``, ``int``, ``str``, ``tuple[str, ...]``, ``Mapping[str, str]``); for JSON fields
    read without a dataclass field of their own. Raises ``RepresentationError`` naming ``name``."""
    return _BY_TYPE[type_name].from_rep(value, name)


def _converter(spec: Spec, f: dataclasses.Field[Any]) -> Converter:
    if f.name in spec.converters:
        return spec.converters[f.name]
    annotation = str(f.type).replace("typing.", "")
    optional = annotation.endswith(" | None")
    base = annotation.removesuffix(" | None")
    if base not in _BY_TYPE:
        raise TypeError(f"{spec.cls.__name__}.{f.name}: no converter for {annotation}")
    conv = _BY_TYPE[base]
    return Converter(conv.to_rep, _optional(conv.from_rep)) if optional else conv


def to_rep(spec: Spec, obj: object) -> JsonObject:
    """The object's fields as Keycloak JSON; None values are omitted (Keycloak's NON_NULL)."""
    names = spec.json_names()
    out: JsonObject = {}
    for f in dataclasses.fields(spec.cls):
        if f.name not in names:
            continue
        value = getattr(obj, f.name)
        if value is not None:
            out[names[f.name]] = _converter(spec, f).to_rep(value)
    return out


def unknown_fields(spec: Spec, rep: Mapping[str, object]) -> list[str]:
    """JSON field names the spec does not know, in the order they appear."""
    known = spec.known()
    return [name for name in rep if name not in known]


def from_rep(spec: Spec, rep: Mapping[str, object], base: T, *, with_id: bool = False) -> T:
    """``base`` with every mapped field that ``rep`` contains replaced by its converted value.

    Ids come from ``base`` unless ``with_id`` (realm import keeps the file's ids, as Keycloak
    does; the admin API never lets a body change an id).

    A JSON ``null`` for a non-optional field keeps the base value (Keycloak treats absent and
    null alike on update).
    """
    if not isinstance(rep, Mapping):
        raise RepresentationError("$", "must be a JSON object")
    names = spec.json_names()
    changes: dict[str, object] = {}
    for f in dataclasses.fields(spec.cls):
        json_name = names.get(f.name)
        if json_name is None or json_name not in rep or (f.name in spec.id_fields and not with_id):
            continue
        value = rep[json_name]
        if value is None:
            if str(f.type).endswith("| None"):
                changes[f.name] = None
            continue
        changes[f.name] = _converter(spec, f).from_rep(value, json_name)
    return dataclasses.replace(base, **changes)  # type: ignore[type-var]
