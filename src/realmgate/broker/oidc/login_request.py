"""The upstream authorization request (the redirect that starts a brokered login).

The caller binds the returned ``state`` to the realm's login (store it with the nonce and
PKCE verifier, single-use); nothing here remembers anything.
"""

from __future__ import annotations

import base64
import hashlib

from realmgate.broker.connector import ClientRequest, UpstreamLogin
from realmgate.broker.oidc.config import OIDCConfig
from realmgate.broker.upstream import with_query
from realmgate.crypto.secrets import Randomness

# Parameters the broker sets itself; a forwarded parameter never overrides one of them.
_RESERVED = frozenset(
    {
        "scope",
        "state",
        "response_type",
        "client_id",
        "redirect_uri",
        "nonce",
        "code_challenge",
        "code_challenge_method",
        "prompt",
        "login_hint",
        "max_age",
        "ui_locales",
        "request",
        "request_uri",
        "response_mode",
    }
)


def broker_endpoint_url(frontend_base: str, realm: str, alias: str) -> str:
    """``{frontend}/realms/{realm}/broker/{alias}/endpoint``: the redirect URI registered upstream."""
    return f"{frontend_base.rstrip('/')}/realms/{realm}/broker/{alias}/endpoint"


def pkce_challenge(verifier: str, method: str) -> str:
    """RFC 7636 §4.2."""
    if method == "plain":
        return verifier
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def build_login_request(
    cfg: OIDCConfig,
    *,
    redirect_uri: str,
    client: ClientRequest,
    ids: Randomness,
) -> UpstreamLogin:
    """Build the authorization URL as Keycloak's ``OIDCIdentityProvider`` does (reference §4.1)."""
    state = ids.new_secret(16 if cfg.requires_short_state_parameter else 32)
    params: dict[str, str] = {
        "scope": cfg.default_scope,
        "state": state,
        "response_type": "code",
        "client_id": cfg.client_id,
        "redirect_uri": redirect_uri,
    }
    nonce = None if cfg.disable_nonce else ids.new_secret(32)
    if nonce is not None:
        params["nonce"] = nonce
    verifier = None
    if cfg.pkce_enabled and cfg.pkce_method is not None:
        verifier = ids.new_secret(48)
        params["code_challenge"] = pkce_challenge(verifier, cfg.pkce_method)
        params["code_challenge_method"] = cfg.pkce_method
    prompt = cfg.prompt or client.prompt
    if prompt == "none" and not cfg.prompt and not cfg.accepts_prompt_none_forward_from_client:
        prompt = None  # a client's prompt=none travels upstream only when the provider accepts it
    if prompt:
        params["prompt"] = prompt
    if cfg.login_hint and client.login_hint:
        params["login_hint"] = client.login_hint
    max_age = client.max_age if cfg.pass_max_age else None
    if max_age is not None:
        params["max_age"] = str(max_age)
    if cfg.ui_locales and client.locale:
        params["ui_locales"] = client.locale
    for name in cfg.forward_parameters:
        value = client.parameters.get(name)
        if value and name not in _RESERVED:
            params[name] = value
    return UpstreamLogin(
        url=with_query(cfg.authorization_url, params),
        state=state,
        redirect_uri=redirect_uri,
        nonce=nonce,
        code_verifier=verifier,
        max_age=max_age,
    )
