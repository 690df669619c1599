"""The back-channel endpoints' requests, parsed once at the edge into typed values.

The web layer decodes a form (duplicate parameters already refused by ``params.single_valued``)
and calls one parser here; the services take the typed request and an ``EndpointCall`` and never
read a raw parameter dict again. Empty values count as absent, as Keycloak treats them.

A grant's own fields are parsed with the request, but a missing one is refused only when the
grant runs (``TokenRequest.grant``): the client is authenticated and allowed the grant first, so a
caller with bad credentials still hears ``invalid_client`` before anything about its parameters.
The authorization request has its own parser (``protocol.authorize``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from realmgate.crypto.secrets import Randomness
from realmgate.protocol.errors import InvalidRequest
from realmgate.protocol.params import optional, required

AUTHORIZATION_CODE = "authorization_code"
REFRESH_TOKEN = "refresh_token"
PASSWORD = "password"
CLIENT_CREDENTIALS = "client_credentials"
DEVICE_CODE = "urn:ietf:params:oauth:grant-type:device_code"


@dataclass(frozen=True, slots=True)
class EndpointCall:
    """What a service needs of the HTTP request besides its parameters, and the process's
    sources of time and randomness as the web layer hands them down."""

    authorization: str | None  # the raw ``Authorization`` header (client Basic or a bearer token)
    issuer: str  # this realm's issuer as the request reached us
    now: int
    ids: Randomness  # token ids, session ids, event ids of what the service issues
    ip_address: str | None = None  # the caller's address, for events and service-account notes


@dataclass(frozen=True, slots=True)
class ClientCredentials:
    """The client's credentials as sent in the body (``client_secret_post`` or a public client's
    bare ``client_id``); ``client_auth`` weighs them against the ``Authorization`` header."""

    client_id: str | None
    client_secret: str | None


def parse_client_credentials(params: Mapping[str, str]) -> ClientCredentials:
    return ClientCredentials(optional(params, "client_id"), optional(params, "client_secret"))


@dataclass(frozen=True, slots=True)
class CodeGrant:
    code: str
    redirect_uri: str | None
    code_verifier: str | None


@dataclass(frozen=True, slots=True)
class RefreshGrant:
    refresh_token: str
    scope: str | None


@dataclass(frozen=True, slots=True)
class PasswordGrant:
    username: str
    password: str  # empty when absent: a wrong password, not a malformed request
    scope: str | None


@dataclass(frozen=True, slots=True)
class ClientCredentialsGrant:
    scope: str | None


@dataclass(frozen=True, slots=True)
class DeviceCodeGrant:
    device_code: str


GrantFields = CodeGrant | RefreshGrant | PasswordGrant | ClientCredentialsGrant | DeviceCodeGrant
G = TypeVar("G", bound=GrantFields)

GRANT_PARSERS: Mapping[str, Callable[[Mapping[str, str]], GrantFields]] = {
    AUTHORIZATION_CODE: lambda p: CodeGrant(
        required(p, "code"), optional(p, "redirect_uri"), optional(p, "code_verifier")
    ),
    REFRESH_TOKEN: lambda p: RefreshGrant(required(p, "refresh_token"), optional(p, "scope")),
    PASSWORD: lambda p: PasswordGrant(required(p, "username"), optional(p, "password") or "", optional(p, "scope")),
    CLIENT_CREDENTIALS: lambda p: ClientCredentialsGrant(optional(p, "scope")),
    DEVICE_CODE: lambda p: DeviceCodeGrant(required(p, "device_code")),
}


@dataclass(frozen=True, slots=True)
class TokenRequest:
    """A token endpoint request; ``fields`` is None for a grant type we do not support, or the
    ``InvalidRequest`` its fields failed with (raised by ``grant``, see the module docstring)."""

    grant_type: str
    credentials: ClientCredentials
    fields: GrantFields | InvalidRequest | None

    def grant(self, kind: type[G]) -> G:
        """The fields of grant ``kind``, or the error they failed to parse with."""
        if isinstance(self.fields, InvalidRequest):
            raise self.fields
        if not isinstance(self.fields, kind):
            raise TypeError(f"{self.grant_type} request read as {kind.__name__}")
        return self.fields


def parse_token_request(params: Mapping[str, str]) -> TokenRequest:
    """``invalid_request`` at once only without a ``grant_type``."""
    grant_type = optional(params, "grant_type")
    if grant_type is None:
        raise InvalidRequest("Missing form parameter: grant_type")
    parse = GRANT_PARSERS.get(grant_type)
    fields: GrantFields | InvalidRequest | None = None
    if parse is not None:
        try:
            fields = parse(params)
        except InvalidRequest as error:
            fields = error
    return TokenRequest(grant_type, parse_client_credentials(params), fields)


@dataclass(frozen=True, slots=True)
class TokenQuery:
    """Introspection (RFC 7662), revocation (RFC 7009): a client asking about one token."""

    credentials: ClientCredentials
    token: str | None
    token_type_hint: str | None


def parse_token_query(params: Mapping[str, str]) -> TokenQuery:
    return TokenQuery(parse_client_credentials(params), optional(params, "token"), optional(params, "token_type_hint"))


@dataclass(frozen=True, slots=True)
class AdapterLogoutRequest:
    """Keycloak adapters' ``POST logout`` with the ``refresh_token`` of the session to end."""

    credentials: ClientCredentials
    refresh_token: str | None  # refused after the client is authenticated, as Keycloak


def parse_adapter_logout(params: Mapping[str, str]) -> AdapterLogoutRequest:
    return AdapterLogoutRequest(parse_client_credentials(params), optional(params, "refresh_token"))


@dataclass(frozen=True, slots=True)
class LogoutRequest:
    """An RP-initiated logout request (OpenID RP-Initiated Logout 1.0 §2)."""

    id_token_hint: str | None
    client_id: str | None
    post_logout_redirect_uri: str | None
    state: str | None


def parse_logout_request(params: Mapping[str, str]) -> LogoutRequest:
    return LogoutRequest(
        optional(params, "id_token_hint"),
        optional(params, "client_id"),
        optional(params, "post_logout_redirect_uri"),
        optional(params, "state"),
    )


@dataclass(frozen=True, slots=True)
class DeviceAuthorizationRequest:
    """RFC 8628 §3.1: a device asking for its codes."""

    credentials: ClientCredentials
    scope: str


def parse_device_authorization(params: Mapping[str, str]) -> DeviceAuthorizationRequest:
    return DeviceAuthorizationRequest(parse_client_credentials(params), optional(params, "scope") or "")


def bearer_token(authorization: str | None, params: Mapping[str, str]) -> str | None:
    """RFC 6750 §2.1-2.2: the token of an ``Authorization: Bearer`` header, else the form's
    ``access_token``."""
    scheme, _, value = (authorization or "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return optional(params, "access_token")
