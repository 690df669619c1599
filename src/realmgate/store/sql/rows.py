"""Row <-> dataclass conversion, in one place for every table.

A ``Codec`` writes the fields named as ``columns`` to their own columns, computes ``derived``
columns (lower-cased search keys and the like, never read back), and packs every other field
into the JSON ``data`` column (or, for ``lazy_json`` fields, a JSON column of its own decoded on
first use). Reading ignores JSON keys the dataclass no longer has and lets missing ones take
their defaults, so model fields can come and go without a migration.
The decoders are built once per dataclass from its type hints.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from realmgate.model.client import Client, ClientScope
from realmgate.model.component import Component
from realmgate.model.events import AdminEvent, Event
from realmgate.model.identity_provider import IdentityProvider, IdentityProviderMapper, MapperGrant
from realmgate.model.keys import RealmKey
from realmgate.model.organization import Organization
from realmgate.model.realm import Realm
from realmgate.model.role import Group, Role
from realmgate.model.session import UserSession
from realmgate.model.user import Credential, FederatedIdentity, User

T = TypeVar("T")
Decoder = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _decoder(tp: Any) -> Decoder:
    """A function turning decoded JSON back into a value of type ``tp``."""
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in args if a is not type(None)))
        if inner is _identity:
            return _identity
        return lambda v: None if v is None else inner(v)
    if origin is tuple:
        item = _decoder(args[0])
        if item is _identity:
            return tuple
        return lambda v: tuple(item(x) for x in v)
    if origin in (Mapping, dict, typing.Mapping):
        value = _decoder(args[1])
        if value is _identity:
            return dict
        return lambda v: {k: value(x) for k, x in v.items()}
    if dataclasses.is_dataclass(tp):
        return _dataclass_decoder(typing.cast(type[Any], tp))
    return _identity


def _dataclass_decoder(cls: type[Any]) -> Decoder:
    hints = typing.get_type_hints(cls)
    decoders = {f.name: _decoder(hints[f.name]) for f in dataclasses.fields(cls)}

    def decode(raw: Mapping[str, Any]) -> Any:
        return cls(**{k: decoders[k](v) for k, v in raw.items() if k in decoders})

    return decode


def _json_default(value: object) -> object:
    if isinstance(value, Mapping):
        return dict(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"cannot store {type(value).__name__} as JSON")


def dumps(value: object) -> str:
    return json.dumps(value, default=_json_default, separators=(",", ":"), ensure_ascii=False)


class LazyJsonObject(Mapping[str, object]):
    """A JSON object read from a column and decoded on first use (read-only)."""

    __slots__ = ("_text", "_value")

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: dict[str, object] | None = None

    def _decoded(self) -> dict[str, object]:
        if self._value is None:
            value = json.loads(self._text)
            self._value = value if isinstance(value, dict) else {}
        return self._value

    def __getitem__(self, key: str) -> object:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"LazyJsonObject({self._decoded()!r})"


class Codec(Generic[T]):
    """Converts one dataclass to a row of its table and back."""

    def __init__(
        self,
        cls: type[T],
        columns: Sequence[str] = (),
        derived: Mapping[str, Callable[[T], object]] | None = None,
        lazy_json: Sequence[str] = (),
    ) -> None:
        """``lazy_json``: ``Mapping`` fields kept as JSON in a nullable column of their own
        (NULL when empty) and decoded only when first read, for large values a hot lookup of
        the row does not need."""
        self._cls = cls
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        unknown = (set(columns) | set(lazy_json)) - set(names)
        if unknown:
            raise ValueError(f"{cls.__name__} has no fields {sorted(unknown)}")
        self._columns = tuple(columns)
        self._lazy = tuple(lazy_json)
        self._json_fields = tuple(n for n in names if n not in columns and n not in lazy_json)
        self._derived = dict(derived or {})
        hints = typing.get_type_hints(cls)
        self._decoders = {n: _decoder(hints[n]) for n in self._json_fields}

    def to_row(self, obj: T) -> dict[str, object]:
        row: dict[str, object] = {c: getattr(obj, c) for c in self._columns}
        for column, compute in self._derived.items():
            row[column] = compute(obj)
        row["data"] = dumps({n: getattr(obj, n) for n in self._json_fields})
        for name in self._lazy:
            value = getattr(obj, name)
            row[name] = dumps(value) if value else None
        return row

    def from_row(self, row: Mapping[Any, Any]) -> T:
        decoders = self._decoders
        kwargs = {k: decoders[k](v) for k, v in json.loads(row["data"]).items() if k in decoders}
        for c in self._columns:
            kwargs[c] = row[c]
        for name in self._lazy:
            if row[name]:
                kwargs[name] = LazyJsonObject(row[name])
        return self._cls(**kwargs)


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def attribute_value_key(value: str) -> str:
    """The indexed prefix of an attribute value (a B-tree cannot index arbitrarily long text)."""
    return value[:200]


def client_ids_column(session: UserSession) -> str:
    """``,id1,id2,`` so ``LIKE '%,id,%'`` finds the sessions of one client."""
    return "," + "".join(f"{c}," for c in session.client_sessions)


REALM = Codec(
    Realm,
    columns=(
        "id",
        "name",
        "sso_session_idle_timeout",
        "sso_session_max_lifespan",
        "offline_session_idle_timeout",
    ),
    lazy_json=("extra_settings",),
)
CLIENT = Codec(Client, columns=("id", "realm_id", "client_id"))
CLIENT_SCOPE = Codec(ClientScope, columns=("id", "realm_id", "name"))
ROLE = Codec(
    Role,
    columns=("id", "realm_id", "client_id", "name"),
    derived={"container_key": lambda r: r.client_id or ""},
)
GROUP = Codec(
    Group,
    columns=("id", "realm_id", "parent_id", "name"),
    derived={"parent_key": lambda g: g.parent_id or ""},
)
USER = Codec(
    User,
    columns=("id", "realm_id", "enabled", "service_account_client_id"),
    derived={
        "username_lc": lambda u: u.username.lower(),
        "email_lc": lambda u: _lower(u.email),
        "first_name_lc": lambda u: _lower(u.first_name),
        "last_name_lc": lambda u: _lower(u.last_name),
    },
)
CREDENTIAL = Codec(Credential, columns=("id", "user_id", "priority"))
FEDERATED_IDENTITY = Codec(FederatedIdentity, columns=("realm_id", "user_id", "identity_provider", "idp_user_id"))
IDENTITY_PROVIDER = Codec(IdentityProvider, columns=("internal_id", "realm_id", "alias"))
IDP_MAPPER = Codec(IdentityProviderMapper, columns=("id", "realm_id", "identity_provider_alias"))
REALM_KEY = Codec(RealmKey, columns=("realm_id", "kid", "priority"))
USER_SESSION = Codec(
    UserSession,
    columns=(
        "id",
        "realm_id",
        "user_id",
        "started",
        "last_refresh",
        "offline",
        "broker_session_id",
        "broker_user_id",
    ),
    derived={"client_ids": client_ids_column},
)
EVENT = Codec(Event, columns=("id", "realm_id", "time", "type", "client_id", "user_id"))
ADMIN_EVENT = Codec(AdminEvent, columns=("id", "realm_id", "time"))


def user_attribute_rows(user: User) -> list[dict[str, object]]:
    """The ``user_attributes`` rows that make ``user.attributes`` searchable."""
    return [
        {
            "user_id": user.id,
            "realm_id": user.realm_id,
            "name": name,
            "value_key": attribute_value_key(v),
            "value": v,
        }
        for name, values in user.attributes.items()
        for v in values
    ]


def mapper_grant_rows(realm_id: str, user_id: str, grants: Sequence[MapperGrant]) -> list[dict[str, object]]:
    return [
        {
            "realm_id": realm_id,
            "user_id": user_id,
            "kind": g.kind,
            "target_id": g.target_id,
            "identity_provider": g.identity_provider,
            "mapper_id": g.mapper_id,
        }
        for g in grants
    ]


def mapper_grant(row: Mapping[Any, Any]) -> MapperGrant:
    return MapperGrant(row["kind"], row["target_id"], row["identity_provider"], row["mapper_id"])


ORGANIZATION = Codec(
    Organization,
    columns=("id", "realm_id", "name", "alias"),
    derived={"name_lc": lambda o: o.name.lower()},
)
COMPONENT = Codec(Component, columns=("id", "realm_id", "parent_id", "provider_type", "name"))
