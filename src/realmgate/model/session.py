"""User sessions (the SSO session) and the per-client sessions inside them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


@dataclass(frozen=True, slots=True)
class ClientSession:
    client_id: str  # internal client id
    started: int  # epoch seconds
    redirect_uri: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UserSession:
    """An authenticated session. Times are epoch seconds; idle/max lifespans come from the realm."""

    id: str
    realm_id: str
    user_id: str
    login_username: str
    started: int
    last_refresh: int
    auth_method: str = "openid-connect"
    ip_address: str | None = None
    remember_me: bool = False
    offline: bool = False
    state: str = "ACTIVE"  # ACTIVE or LOGGING_OUT
    # "{alias}.{upstream session id}" and "{alias}.{upstream sub}" for brokered logins.
    broker_session_id: str | None = None
    broker_user_id: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)
    client_sessions: Mapping[str, ClientSession] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SessionMarks:
    """What the way of logging in records on the user session it makes: the broker's upstream
    session and user ids and its notes (the identity provider, mapper session notes). Plain data,
    so a login interrupted by a required action carries it to the session made at its end."""

    broker_session_id: str | None = None
    broker_user_id: str | None = None
    notes: Mapping[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"broker_session_id": self.broker_session_id, "broker_user_id": self.broker_user_id, "notes": self.notes}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SessionMarks:
        return cls(data.get("broker_session_id"), data.get("broker_user_id"), dict(data.get("notes") or {}))

    def apply(self, session: UserSession) -> UserSession:
        if not (self.broker_session_id or self.broker_user_id or self.notes):
            return session
        return replace(
            session,
            broker_session_id=self.broker_session_id or session.broker_session_id,
            broker_user_id=self.broker_user_id or session.broker_user_id,
            notes={**session.notes, **self.notes},
        )
