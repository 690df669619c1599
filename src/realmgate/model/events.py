"""Login events and admin events, recorded when the realm switches them on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    realm_id: str
    time: int  # epoch milliseconds
    type: str  # LOGIN, LOGIN_ERROR, CODE_TO_TOKEN, LOGOUT, REFRESH_TOKEN, ...
    client_id: str | None = None
    user_id: str | None = None
    session_id: str | None = None
    ip_address: str | None = None
    error: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class AdminEvent:
    id: str
    realm_id: str
    time: int
    operation_type: str  # CREATE, UPDATE, DELETE, ACTION
    resource_type: str
    resource_path: str
    auth_realm_id: str | None = None
    auth_client_id: str | None = None
    auth_user_id: str | None = None
    ip_address: str | None = None
    representation: str | None = None
    error: str | None = None
