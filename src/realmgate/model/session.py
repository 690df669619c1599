"""User sessions (the SSO session) and the per-client sessions inside them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


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
