"""The authorization endpoint's rules (RFC 6749 §4.1, OIDC Core §3.1.2).

Validation happens in two phases. Until the client and its ``redirect_uri`` are proven, every
error is raised as a plain ``OAuthError`` and shown as an error page (redirecting to an
unverified URI would make us an open redirector). After that, errors are
``RedirectableError``: sent back to the client with ``error``, ``state`` and ``iss``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from urllib.parse import urlencode

from realmgate.model.client import Client
from realmgate.protocol import pkce
from realmgate.protocol.errors import (
    ClientNotFound,
    ConsentRequired,
    InvalidRequest,
    OAuthError,
    RequestNotSupported,
    RequestUriNotSupported,
    UnauthorizedClient,
    UnsupportedResponseType,
)
from realmgate.protocol.params import optional
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.protocol.redirect_uri import base_url_of, verify_redirect_uri
from realmgate.protocol.scopes import OPENID, decide_scopes, split_scope

RESPONSE_MODES = ("query", "fragment", "form_post")
RESPONSE_TYPES = ("code", "token", "id_token", "none")
# Keycloak's published list (discovery); any order of the words is accepted.
RESPONSE_TYPE_COMBINATIONS = (
    "code",
    "none",
    "id_token",
    "token",
    "id_token token",
    "code id_token",
    "code token",
    "code id_token token",
)
FRONT_CHANNEL_TOKENS = frozenset({"token", "id_token"})  # implicit (without code) or hybrid (with)
NOT_ALLOWED = "Client is not allowed to initiate browser login with given response_type."
CONSENT_UNAVAILABLE = (
    "This application asks for your consent, which this server cannot ask for yet. Please contact your administrator."
)
PROMPTS = ("none", "login", "consent", "select_account")


@dataclass(frozen=True, slots=True)
class ResponseTarget:
    """Where and how the authorization response goes."""

    redirect_uri: str
    response_mode: str
    state: str | None
    issuer: str


@dataclass(frozen=True, slots=True)
class AuthorizationRequest:
    client_id: str
    redirect_uri: str
    response_mode: str
    scope: str
    state: str | None = None
    nonce: str | None = None
    code_challenge: str | None = None
    code_challenge_method: str | None = None
    prompt: str | None = None
    max_age: int | None = None
    login_hint: str | None = None
    ui_locales: str | None = None
    idp_hint: str | None = None  # kc_idp_hint: the broker login starts straight at this provider
    acr_values: str | None = None
    response_type: str = "code"  # validated: space-separated members of RESPONSE_TYPES

    @property
    def response_types(self) -> frozenset[str]:
        return frozenset(self.response_type.split(" "))

    def target(self, issuer: str) -> ResponseTarget:
        return ResponseTarget(self.redirect_uri, self.response_mode, self.state, issuer)

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> AuthorizationRequest:
        return cls(**data)  # type: ignore[arg-type]


class RedirectableError(Exception):
    """An authorization error to send back to the (proven) redirect URI."""

    def __init__(self, error: OAuthError, target: ResponseTarget) -> None:
        super().__init__(error.description)
        self.error = error
        self.target = target


def _client(config: RealmConfig, params: Mapping[str, str]) -> Client:
    client_id = optional(params, "client_id")
    if client_id is None:
        raise InvalidRequest("Missing parameter: client_id")
    client = config.clients.get(client_id)
    if client is None or client.protocol != "openid-connect":
        raise ClientNotFound("Client not found.")
    if not client.enabled:
        raise ClientNotFound("Client disabled.")
    if client.bearer_only:
        raise ClientNotFound("Bearer-only clients are not allowed to initiate browser login.")
    return client


def _response_types(params: Mapping[str, str]) -> frozenset[str] | None:
    """The requested response types, or None when ``response_type`` is missing or not one
    Keycloak knows (``none`` only alone)."""
    raw = optional(params, "response_type")
    if raw is None:
        return None
    types = raw.strip().split(" ")
    if any(t not in RESPONSE_TYPES for t in types) or ("none" in types and len(types) > 1):
        return None
    return frozenset(types)


def _response_mode(params: Mapping[str, str]) -> str:
    """The requested mode; else fragment when tokens travel in the front channel (OAuth 2.0
    Multiple Response Types §5), query otherwise. An invalid mode answers its error in the
    default one."""
    mode = optional(params, "response_mode")
    if mode is not None and mode in RESPONSE_MODES:
        return mode
    types = _response_types(params) or frozenset()
    return "fragment" if types & FRONT_CHANNEL_TOKENS else "query"


def _max_age(params: Mapping[str, str]) -> int | None:
    raw = optional(params, "max_age")
    if raw is None:
        return None
    if not raw.isdigit():
        raise InvalidRequest("Invalid parameter: max_age")
    return int(raw)


def _prompt(params: Mapping[str, str]) -> str | None:
    prompts = split_scope(optional(params, "prompt"))
    if not prompts:
        return None
    if any(p not in PROMPTS for p in prompts) or ("none" in prompts and len(prompts) > 1):
        raise InvalidRequest("Invalid parameter: prompt")
    return "login" if "login" in prompts else prompts[0]


def parse_authorization_request(config: RealmConfig, params: Mapping[str, str], *, issuer: str) -> AuthorizationRequest:
    """The validated request, an ``OAuthError`` (error page) or a ``RedirectableError``."""
    client = _client(config, params)
    scope = optional(params, "scope") or ""
    redirect_uri = verify_redirect_uri(
        optional(params, "redirect_uri"), client, required=OPENID in split_scope(scope), base_url=base_url_of(issuer)
    )
    target = ResponseTarget(redirect_uri, _response_mode(params), optional(params, "state"), issuer)
    try:
        request = _validated(config, client, params, target, scope)
    except OAuthError as error:
        raise RedirectableError(error, target) from None
    _refuse_consent(client, params, target)
    return request


def _refuse_consent(client: Client, params: Mapping[str, str], target: ResponseTarget) -> None:
    """No consent screen exists yet, so a login that needs one never ends in a code (fail
    closed): a ``consentRequired`` client or ``prompt=consent`` gets an error page, and
    ``prompt=none`` the ``consent_required`` error at the client (OIDC Core 3.1.2.6)."""
    prompts = split_scope(optional(params, "prompt"))
    if not client.consent_required and "consent" not in prompts:
        return
    error = ConsentRequired(CONSENT_UNAVAILABLE, detail=f"client {client.client_id} needs consent")
    if "none" in prompts:
        raise RedirectableError(error, target)
    raise error


def _validated(
    config: RealmConfig, client: Client, params: Mapping[str, str], target: ResponseTarget, scope: str
) -> AuthorizationRequest:
    types = _check_response_type(client, params)
    if optional(params, "request") is not None:
        raise RequestNotSupported("Request object is not supported")
    if optional(params, "request_uri") is not None:
        raise RequestUriNotSupported("request_uri is not supported")
    decide_scopes(config, client, scope)  # invalid_scope early, like Keycloak
    if "id_token" in types and optional(params, "nonce") is None:
        raise InvalidRequest("Missing parameter: nonce")  # OIDC Core 3.2.2.1
    challenge = None
    if "code" in types or not types & FRONT_CHANNEL_TOKENS:  # PKCE protects codes only
        challenge = pkce.check_challenge(
            client, optional(params, "code_challenge"), optional(params, "code_challenge_method")
        )
    return AuthorizationRequest(
        client_id=client.client_id,
        redirect_uri=target.redirect_uri,
        response_mode=target.response_mode,
        scope=scope,
        state=target.state,
        nonce=optional(params, "nonce"),
        code_challenge=challenge[0] if challenge else None,
        code_challenge_method=challenge[1] if challenge else None,
        prompt=_prompt(params),
        max_age=_max_age(params),
        login_hint=optional(params, "login_hint"),
        ui_locales=optional(params, "ui_locales"),
        idp_hint=optional(params, "kc_idp_hint"),
        acr_values=optional(params, "acr_values"),
        response_type=" ".join(sorted(types)),
    )


def _check_response_type(client: Client, params: Mapping[str, str]) -> frozenset[str]:
    """The response types, response mode and flows allowed for ``client``, in Keycloak's order
    and with its messages; the implicit and hybrid flows need ``implicitFlowEnabled``."""
    if optional(params, "response_type") is None:
        raise InvalidRequest("Missing parameter: response_type")
    types = _response_types(params)
    if types is None:
        raise UnsupportedResponseType(NOT_ALLOWED)
    mode = optional(params, "response_mode")
    if mode is not None and mode not in RESPONSE_MODES:
        raise InvalidRequest("Invalid parameter: response_mode")
    front_channel = bool(types & FRONT_CHANNEL_TOKENS)
    if front_channel and mode == "query":
        raise InvalidRequest("Response_mode 'query' not allowed for implicit or hybrid flow")
    if types & {"code", "none"} and not client.standard_flow_enabled:
        raise UnauthorizedClient(f"{NOT_ALLOWED} Standard flow is disabled for the client.")
    if front_channel and not client.implicit_flow_enabled:
        raise UnauthorizedClient(f"{NOT_ALLOWED} Implicit flow is disabled for the client.")
    return types


def response_params(target: ResponseTarget, values: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """Response parameters in Keycloak's order: state, session_state, iss (RFC 9207), then the rest."""
    ordered: list[tuple[str, str]] = []
    if target.state is not None:
        ordered.append(("state", target.state))
    extra = {k: v for k, v in values.items() if v is not None}
    if "session_state" in extra:
        ordered.append(("session_state", extra.pop("session_state") or ""))
    ordered.append(("iss", target.issuer))
    ordered.extend((k, v) for k, v in extra.items() if v is not None)
    return ordered


def error_params(error: OAuthError, target: ResponseTarget) -> list[tuple[str, str]]:
    params = [("error", error.error), ("error_description", error.description)]
    if target.state is not None:
        params.append(("state", target.state))
    params.append(("iss", target.issuer))
    return params


def redirect_location(target: ResponseTarget, params: list[tuple[str, str]]) -> str:
    """The URL for query/fragment modes (``form_post`` is rendered by the web layer). A fragment
    the client put in its redirect URI (keycloak-js keeps the app's own there) is kept, with
    fragment-mode parameters appended to it as Keycloak does."""
    encoded = urlencode(params)
    base, hash_mark, fragment = target.redirect_uri.partition("#")
    if target.response_mode == "fragment":
        return f"{base}#{fragment}&{encoded}" if fragment else f"{base}#{encoded}"
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}{encoded}{hash_mark}{fragment}"
