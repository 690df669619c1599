"""A small JSON Schema subset: declared once, used to validate admin request bodies and to
publish the OpenAPI document, so the two cannot drift apart.

Supported keywords: ``type`` (one name), ``properties``, ``additionalProperties`` (bool or
schema), ``items``, ``enum``, ``anyOf``, ``required`` (documentation only: the services word the
"missing" errors as Keycloak does) and the vendor keys ``x-representation`` (the Keycloak class,
for error texts) and ``x-not-null``. Like Jackson in Keycloak, any property may be ``null``,
``"true"`` is a boolean and ``"5"`` a number; an unknown property of a closed object is
``Unrecognized field "x"``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from realmgate.admin.errors import AdminError
from realmgate.keycloak.representations._mapping import Spec

Schema = dict[str, Any]

STR: Schema = {"type": "string"}
BOOL: Schema = {"type": "boolean"}
INT: Schema = {"type": "integer"}
NUM: Schema = {"type": "number"}
ANY_OBJECT: Schema = {"type": "object", "additionalProperties": True}
# A body Keycloak reads as plain text (an id or alias, quoted or not): the web layer hands the
# service the request's text instead of parsing JSON.
RAW_TEXT: Schema = {"type": "string", "x-raw-text": True}


def arr(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def str_map() -> Schema:
    """Keycloak ``Map<String, String>`` (client attributes, mapper config); like Jackson, numbers
    and booleans are accepted and stored as their text."""
    return {"type": "object", "additionalProperties": {"anyOf": [STR, NUM, BOOL]}}


def multi_map() -> Schema:
    """Keycloak ``Map<String, List<String>>`` (user, group and role attributes); a single value
    stands for a list of one, and numbers/booleans are kept as their text."""
    scalar: Schema = {"anyOf": [STR, NUM, BOOL]}
    return {"type": "object", "additionalProperties": {"anyOf": [arr(scalar), STR, NUM, BOOL]}}


def non_empty(schema: Schema, pattern: str = r"\S", *, required: bool, **fields: Schema) -> Schema:
    """A copy of ``schema`` whose ``fields`` may not be empty (names, ids); with ``required``
    they must also be present (create bodies; updates change only what they send)."""
    out = dict(schema)
    out["properties"] = {**schema["properties"]}
    for name, sub in fields.items():
        out["properties"][name] = {**sub, "minLength": 1, "pattern": pattern}
        if required:
            out["properties"][name]["x-not-null"] = True
    if required:
        out["required"] = sorted(fields)
    return out


def obj(representation: str, properties: Mapping[str, Schema], *, closed: bool = True) -> Schema:
    """An object schema; ``closed`` rejects properties Keycloak's class does not have."""
    return {
        "type": "object",
        "x-representation": representation,
        "properties": dict(properties),
        "additionalProperties": not closed,
    }


_TYPE_CHECKS: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "number": (int, float),
    "object": (dict,),
    "array": (list,),
}


def _type_ok(value: object, type_name: str) -> bool:
    if type_name in ("integer", "number") and isinstance(value, bool):
        return False
    # Jackson's default coercions, which Keycloak clients rely on: "true" for a boolean, "5" for
    # a number.
    if isinstance(value, str) and type_name == "boolean":
        return value.lower() in ("true", "false")
    if isinstance(value, str) and type_name in ("integer", "number"):
        return value.strip().lstrip("-").isdigit()
    if type_name == "number" and isinstance(value, float):
        return value == value and value not in (float("inf"), float("-inf"))
    return isinstance(value, _TYPE_CHECKS[type_name])


def validate(
    value: object, schema: Schema, *, where: str = "", representation: str = "", nullable: bool = False
) -> None:
    """Raise 400 ``AdminError`` unless ``value`` fits ``schema``. ``null`` fits only where
    ``nullable`` (object properties and map values; not array items or whole bodies)."""
    if value is None:
        if nullable:
            return
        raise AdminError.bad_request(f"Invalid value for {where or 'body'}: must not be null")
    representation = schema.get("x-representation", representation)
    type_name = schema.get("type")
    if type_name is not None and not _type_ok(value, type_name):
        # Jackson cannot bind the value (a MismatchedInputException inside Keycloak).
        raise AdminError.unparsable_json()
    if isinstance(value, str) and (
        len(value) < schema.get("minLength", 0) or ("pattern" in schema and not re.search(schema["pattern"], value))
    ):
        raise AdminError.bad_request(f"Invalid value for {where or 'body'}")
    if "anyOf" in schema and not any(_fits(value, sub) for sub in schema["anyOf"]):
        raise AdminError.unparsable_json()  # the alternatives are types: a binding failure too
    if "enum" in schema and value not in schema["enum"]:
        raise AdminError.bad_request(f"Invalid value for {where or 'body'}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], where=f"{where}[{index}]", representation=representation)
    if isinstance(value, dict):
        _validate_object(value, schema, where, representation)


def _fits(value: object, schema: Schema) -> bool:
    try:
        validate(value, schema)
    except AdminError:
        return False
    return True


def _validate_object(value: dict[Any, Any], schema: Schema, where: str, representation: str) -> None:
    properties: Mapping[str, Schema] = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    for key, item in value.items():
        sub = properties.get(key)
        path = f"{where}.{key}" if where else key
        if sub is not None:
            validate(item, sub, where=path, representation=representation, nullable=True)
        elif extra is False:
            raise AdminError.unrecognized_field(str(key), representation or "Representation")
        elif isinstance(extra, dict):
            validate(item, extra, where=path, representation=representation, nullable=True)


def as_object(value: object) -> dict[str, Any]:
    """The validated body as a dict (a JSON ``null`` body counts as empty)."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AdminError.bad_request("Invalid value for body: expected object")
    return value


_FIELD_TYPES: dict[str, Schema] = {
    "bool": BOOL,
    "int": INT,
    "str": STR,
    "tuple[str, ...]": arr(STR),
    "Mapping[str, str]": str_map(),
    "Mapping[str, tuple[str, ...]]": multi_map(),
}


def from_spec(spec: Spec, representation: str, nested: Mapping[str, Schema] | None = None) -> Schema:
    """The JSON schema of a Keycloak representation, derived from the same ``Spec`` that reads
    and writes it (``realmgate.keycloak.representations``): model fields with their JSON types,
    accepted-but-unmodelled fields as "anything", everything else unknown (400)."""
    properties: dict[str, Schema] = {}
    names = spec.json_names()
    for f in dataclasses.fields(spec.cls):
        if f.name not in names:
            continue
        json_name = names[f.name]
        if nested and json_name in nested:
            properties[json_name] = nested[json_name]
            continue
        annotation = str(f.type).replace("typing.", "").removesuffix(" | None")
        properties[json_name] = dict(_FIELD_TYPES.get(annotation, {}))
    for extra in sorted(spec.ignored | spec.handled_elsewhere):
        properties.setdefault(extra, {})
    return obj(representation, properties)
