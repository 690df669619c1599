"""What every kind of identity provider offers the web layer, whatever its protocol.

A connector starts an upstream login (``login_url``), turns the callback into a
``BrokeredIdentity`` (``handle_callback``), refreshes stored tokens and ends the upstream
session. The web layer keeps the ``UpstreamLogin`` secrets between the redirect and the
callback (single-use, bound to the realm's login); connectors keep nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True, slots=True)
class ClientRequest:
    """What the realm's own client asked for, as far as it may travel upstream."""

    login_hint: str | None = None
    max_age: int | None = None
    prompt: str | None = None
    locale: str | None = None
    # The client's authorization-request parameters (and client notes) by name, for
    # ``forwardParameters``.
    parameters: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class UpstreamLogin:
    """The redirect to send the browser to, and the secrets to keep until the callback."""

    url: str
    state: str
    redirect_uri: str
    nonce: str | None = None
    code_verifier: str | None = None
    max_age: int | None = None  # the max_age sent upstream: the callback checks auth_time

    def to_json(self) -> str:
        """For the single-use store (keyed by ``state``)."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> UpstreamLogin:
        data = json.loads(text)
        return cls(
            url=str(data["url"]),
            state=str(data["state"]),
            redirect_uri=str(data["redirect_uri"]),
            nonce=data.get("nonce"),
            code_verifier=data.get("code_verifier"),
            max_age=data.get("max_age"),
        )


@dataclass(frozen=True, slots=True)
class BrokeredIdentity:
    """Who the upstream says the user is (Keycloak's ``BrokeredIdentityContext``).

    ``username`` is the upstream username (preferred_username, else email, else sub) in the
    upstream's case; ``token`` is the upstream token response JSON (with
    ``accessTokenExpiration``) for ``storeToken`` and for logout's ``id_token_hint``.
    """

    alias: str
    provider_id: str
    id: str  # the upstream ``sub``
    username: str
    email: str | None = None
    email_verified: bool | None = None  # None when the upstream did not say
    first_name: str | None = None
    last_name: str | None = None
    id_token_claims: Mapping[str, object] = field(default_factory=dict)
    userinfo_claims: Mapping[str, object] | None = None
    access_token_claims: Mapping[str, object] | None = None
    token: str | None = None
    id_token: str | None = None
    session_id: str | None = None  # upstream session_state or sid

    def to_json(self) -> str:
        """For the single-use store, between the pages of the first broker login."""
        return json.dumps(asdict(self), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> BrokeredIdentity:
        data = json.loads(text)
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})

    @property
    def broker_user_id(self) -> str:
        return f"{self.alias}.{self.id}"

    @property
    def broker_session_id(self) -> str | None:
        return f"{self.alias}.{self.session_id}" if self.session_id else None


class CallbackOutcome(StrEnum):
    """What the web layer does with an ``error`` on the callback (Keycloak's Endpoint)."""

    CANCELLED = "cancelled"  # access_denied: back to the login page, "login cancelled"
    TO_CLIENT = "to_client"  # login_required / interaction_required after a forwarded prompt=none
    RETRY = "retry"  # the upstream login expired: start again
    FAILED = "failed"  # anything else: error page


def classify_callback_error(error: str, error_description: str | None = None) -> CallbackOutcome:
    if error == "access_denied":
        return CallbackOutcome.CANCELLED
    if error in ("login_required", "interaction_required"):
        return CallbackOutcome.TO_CLIENT
    if error == "temporarily_unavailable" and error_description == "authentication_expired":
        return CallbackOutcome.RETRY
    return CallbackOutcome.FAILED


class IdentityConnector(Protocol):
    """The capabilities of one configured identity provider."""

    def login_url(self, client: ClientRequest, *, redirect_uri: str) -> UpstreamLogin:
        """The upstream authorization redirect and the secrets to keep for the callback."""
        ...

    async def handle_callback(self, code: str, login: UpstreamLogin) -> BrokeredIdentity:
        """Exchange the code and validate everything; raises ``BrokerError`` subclasses."""
        ...

    def needs_refresh(self, stored_token: str, *, now: float) -> bool:
        """Whether a stored token response expires within ``minValidityToken``."""
        ...

    async def refresh(self, stored_token: str) -> str:
        """A fresh token response JSON (to store again) from a stored one."""
        ...

    def logout_url(self, *, id_token: str | None, state: str, post_logout_redirect_uri: str) -> str | None:
        """Where to send the browser to end the upstream session, if anywhere."""
        ...

    async def backchannel_logout(self, *, id_token: str | None, state: str) -> bool:
        """End the upstream session server-side; ``False`` when it failed (only logged)."""
        ...

    @property
    def backchannel_supported(self) -> bool: ...
