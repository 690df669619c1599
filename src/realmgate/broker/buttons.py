"""Which identity providers the realm's login page offers, and ``kc_idp_hint``.

Keycloak shows a button for every enabled provider that is neither hidden (``hideOnLogin``)
nor link-only, ordered by ``guiOrder`` (numbers first, in numeric order) then alias; the
button text is the display name, else the alias. A ``kc_idp_hint`` may name a hidden provider
(that is what hiding is for) but never a disabled or link-only one; with ``prompt=none`` the
hint is followed only when the provider accepts a forwarded ``prompt=none``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from realmgate.model.identity_provider import IdentityProvider


@dataclass(frozen=True, slots=True)
class Button:
    alias: str
    label: str
    provider_id: str


def _order(idp: IdentityProvider) -> tuple[int, float, str, str]:
    gui_order = (idp.config.get("guiOrder") or "").strip()
    try:
        return (0, float(gui_order), "", idp.alias)
    except ValueError:
        return (1, 0.0, gui_order, idp.alias) if gui_order else (2, 0.0, "", idp.alias)


def login_buttons(providers: Iterable[IdentityProvider]) -> list[Button]:
    """The "Or sign in with" buttons, in display order."""
    shown = [p for p in providers if p.enabled and not p.hide_on_login and not p.link_only]
    return [Button(p.alias, p.display_name or p.alias, p.provider_id) for p in sorted(shown, key=_order)]


def hinted_provider(
    providers: Iterable[IdentityProvider], hint: str | None, *, prompt: str | None = None
) -> IdentityProvider | None:
    """The provider ``kc_idp_hint`` sends the browser to directly, if it may."""
    if not hint:
        return None
    for idp in providers:
        if idp.alias != hint or not idp.enabled or idp.link_only:
            continue
        if prompt == "none" and (idp.config.get("acceptsPromptNoneForwardFromClient") or "").lower() != "true":
            return None
        return idp
    return None
