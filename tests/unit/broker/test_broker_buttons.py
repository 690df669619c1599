"""Login-page buttons and kc_idp_hint."""

from __future__ import annotations

from dataclasses import replace

from realmgate.broker.buttons import Button, hinted_provider, login_buttons
from realmgate.model.identity_provider import IdentityProvider


def _idp(
    alias: str, order: str | None = None, *, hide_on_login: bool = False, link_only: bool = False, enabled: bool = True
) -> IdentityProvider:
    return IdentityProvider(
        internal_id=alias,
        realm_id="r",
        alias=alias,
        provider_id="oidc",
        display_name=f"Login with {alias}" if alias != "bare" else None,
        config={"guiOrder": order} if order is not None else {},
        hide_on_login=hide_on_login,
        link_only=link_only,
        enabled=enabled,
    )


def test_buttons_are_filtered_and_ordered() -> None:
    providers = [
        _idp("zeta"),
        _idp("beta", "10"),
        _idp("alpha", "2"),
        _idp("bare"),
        _idp("hidden", "1", hide_on_login=True),
        _idp("linkonly", "1", link_only=True),
        _idp("off", "1", enabled=False),
        _idp("named", "x"),
    ]
    assert login_buttons(providers) == [
        Button("alpha", "Login with alpha", "oidc"),
        Button("beta", "Login with beta", "oidc"),
        Button("named", "Login with named", "oidc"),
        Button("bare", "bare", "oidc"),
        Button("zeta", "Login with zeta", "oidc"),
    ]


def test_idp_hint() -> None:
    providers = [
        _idp("hidden", hide_on_login=True),
        _idp("linkonly", link_only=True),
        _idp("off", enabled=False),
        replace(_idp("silent"), config={"acceptsPromptNoneForwardFromClient": "true"}),
    ]
    assert hinted_provider(providers, "hidden") == providers[0]
    assert hinted_provider(providers, "linkonly") is None
    assert hinted_provider(providers, "off") is None
    assert hinted_provider(providers, "unknown") is None
    assert hinted_provider(providers, None) is None
    assert hinted_provider(providers, "hidden", prompt="none") is None
    assert hinted_provider(providers, "silent", prompt="none") == providers[3]
