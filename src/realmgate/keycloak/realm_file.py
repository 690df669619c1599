"""Shared plumbing of realm import: located errors, JSON shape checks, the role index.

Every problem in a realm file is reported as ``RealmFileError(source, json_path, message)``
whose text names the file and the JSON path (``realm.json: $.users[3].credentials[0].type:
unknown credential type``), so an operator can find it without a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import ParamSpec, TypeVar

from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.representations import RepresentationError
from realmgate.keycloak.representations.realm_settings import MASKED_SECRET
from realmgate.model.client import Client
from realmgate.model.role import Role
from realmgate.store.interface import StoreError, Tx

log = logging.getLogger("realmgate.keycloak.import")

__all__ = ["MASKED_SECRET", "ImportContext", "RealmFileError", "RoleIndex", "join_path", "log"]

P = ParamSpec("P")
T = TypeVar("T")


class RealmFileError(Exception):
    """A realm file (or body) that cannot be imported; nothing of it is kept."""

    def __init__(self, source: str, json_path: str, message: str) -> None:
        super().__init__(f"{source}: {json_path}: {message}")
        self.source = source
        self.json_path = json_path
        self.message = message


def join_path(path: str, child: str) -> str:
    if child in ("", "$"):
        return path
    return path + child if child.startswith("[") else f"{path}.{child}"


@dataclass(slots=True)
class ImportContext:
    """The file being imported: converts errors to ``RealmFileError`` and logs unknown fields."""

    source: str
    ids: Randomness  # where the ids of what the file leaves without one come from

    def error(self, path: str, message: str) -> RealmFileError:
        return RealmFileError(self.source, path, message)

    @contextmanager
    def at(self, path: str) -> Iterator[None]:
        """Inside, a ``RepresentationError`` becomes a ``RealmFileError`` located under ``path``."""
        try:
            yield
        except RepresentationError as exc:
            raise self.error(join_path(path, exc.field), exc.message) from None

    def convert(self, path: str, fn: Callable[P, tuple[T, list[str]]], *args: P.args, **kwargs: P.kwargs) -> T:
        """Call a ``*_from_rep``; its errors get the JSON path, its unknown fields a warning."""
        with self.at(path):
            value, unknown = fn(*args, **kwargs)
        self.warn_unknown(path, unknown)
        return value

    def warn_unknown(self, path: str, unknown: Sequence[str]) -> None:
        for name in unknown:
            log.warning("%s: %s: unknown field %r ignored", self.source, path, name)

    async def store(self, path: str, action: Awaitable[None]) -> None:
        """Run a store write; a clash (duplicate name, id) becomes an error at ``path``."""
        try:
            await action
        except StoreError as exc:
            raise self.error(path, str(exc)) from None

    def objects(self, rep: Mapping[str, object], key: str, path: str) -> Iterator[tuple[str, Mapping[str, object]]]:
        """``rep[key]`` as a list of objects, each with its JSON path; absent means empty."""
        value = rep.get(key)
        if value is None:
            return
        if not isinstance(value, list):
            raise self.error(join_path(path, key), "must be an array")
        for index, item in enumerate(value):
            item_path = f"{join_path(path, key)}[{index}]"
            if not isinstance(item, dict):
                raise self.error(item_path, "must be an object")
            yield item_path, item

    def mapping(self, rep: Mapping[str, object], key: str, path: str) -> Mapping[str, object]:
        value = rep.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.error(join_path(path, key), "must be an object")
        return value

    def strings(self, rep: Mapping[str, object], key: str, path: str) -> list[str]:
        value = rep.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.error(join_path(path, key), "must be an array of strings")
        return list(value)


@dataclass(slots=True)
class RoleIndex:
    """Roles of the realm by (client's public clientId or None, role name), and back."""

    by_key: dict[tuple[str | None, str], Role] = field(default_factory=dict)
    owner_of: dict[str, str] = field(default_factory=dict)  # internal client id -> clientId
    key_of: dict[str, tuple[str | None, str]] = field(default_factory=dict)  # role id -> key

    @classmethod
    async def load(cls, tx: Tx, realm_id: str) -> RoleIndex:
        clients: Sequence[Client] = await tx.clients.list(realm_id)
        index = cls(owner_of={c.id: c.client_id for c in clients})
        for role in await tx.roles.list_all(realm_id):
            owner = None if role.client_id is None else index.owner_of.get(role.client_id)
            index.by_key[(owner, role.name)] = role
            index.key_of[role.id] = (owner, role.name)
        return index

    def resolve(self, client_id: str | None, name: str) -> str | None:
        role = self.by_key.get((client_id, name))
        return None if role is None else role.id

    def name_of(self, role_id: str) -> tuple[str | None, str] | None:
        return self.key_of.get(role_id)
