"""ProtocolMapperRepresentation <-> ``ProtocolMapper`` (nested in clients and client scopes)."""

from __future__ import annotations

from collections.abc import Mapping

from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.representations._mapping import (
    Converter,
    JsonObject,
    RepresentationError,
    Spec,
    from_rep,
    to_rep,
    unknown_fields,
)
from realmgate.model.client import ProtocolMapper

PROTOCOL_MAPPER_SPEC = Spec(cls=ProtocolMapper, ignored=frozenset({"consentRequired", "consentText"}))


def protocol_mapper_to_rep(mapper: ProtocolMapper) -> JsonObject:
    return to_rep(PROTOCOL_MAPPER_SPEC, mapper)


def protocol_mapper_from_rep(
    rep: Mapping[str, object], base: ProtocolMapper | None = None, *, ids: Randomness, with_id: bool = False
) -> tuple[ProtocolMapper, list[str]]:
    """A mapper from JSON; ``name`` and ``protocolMapper`` are required for a new one, whose id
    comes from ``ids`` (unless ``with_id`` and the JSON has one)."""
    if base is None:
        name, kind = rep.get("name"), rep.get("protocolMapper")
        if not isinstance(name, str) or not name:
            raise RepresentationError("name", "is required")
        if not isinstance(kind, str) or not kind:
            raise RepresentationError("protocolMapper", "is required")
        base = ProtocolMapper(id=ids.new_id(), name=name, protocol_mapper=kind)
    mapper = from_rep(PROTOCOL_MAPPER_SPEC, rep, base, with_id=with_id)
    return mapper, unknown_fields(PROTOCOL_MAPPER_SPEC, rep)


def _mappers_out(value: object) -> object:
    mappers: tuple[ProtocolMapper, ...] = value  # type: ignore[assignment]
    return [protocol_mapper_to_rep(m) for m in mappers]


def _read_needs_ids(value: object, name: str) -> object:
    raise TypeError(f"{name}: nested mappers are read with mappers_in(ids), which gives new ones ids")


MAPPERS_OUT = Converter(_mappers_out, _read_needs_ids)
"""Writes an owner's nested ``protocolMappers``; reading them goes through ``mappers_in``."""


def mappers_in(ids: Randomness, *, with_id: bool) -> Converter:
    """The converter of an owner's nested ``protocolMappers``: they keep their ids when the owner
    is read with ids (import), else get new ones from ``ids``."""

    def convert(value: object, name: str) -> tuple[ProtocolMapper, ...]:
        if not isinstance(value, list):
            raise RepresentationError(name, "must be an array")
        out = []
        for index, item in enumerate(value):
            if not isinstance(item, dict):
                raise RepresentationError(f"{name}[{index}]", "must be an object")
            try:
                out.append(protocol_mapper_from_rep(item, ids=ids, with_id=with_id)[0])
            except RepresentationError as exc:
                raise RepresentationError(f"{name}[{index}].{exc.field}", exc.message) from exc
        return tuple(out)

    return Converter(_mappers_out, convert)
