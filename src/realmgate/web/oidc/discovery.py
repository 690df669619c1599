"""Published realm metadata: discovery, realm info, JWKS, and keycloak-js's helper pages."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from realmgate.protocol import discovery
from realmgate.protocol.redirect_uri import origin_allowed
from realmgate.web.oidc.plumbing import backend, realm_config
from realmgate.web.urls import frontend_base

# Metadata may be cached briefly by clients; it changes only with configuration.
PUBLIC_CACHE = {"cache-control": "no-cache"}
PUBLIC_ANY_ORIGIN = {**PUBLIC_CACHE, "access-control-allow-origin": "*"}


async def well_known(request: Request) -> Response:
    config = await realm_config(request)
    frontend, back = frontend_base(request), backend(request)
    body = config.derived(
        ("discovery", frontend, back),
        lambda: json_bytes(discovery.discovery_document(config, frontend=frontend, backend=back)),
    )
    return Response(body, media_type="application/json", headers=PUBLIC_ANY_ORIGIN)


async def realm_info(request: Request) -> Response:
    info = discovery.realm_info(await realm_config(request), frontend=frontend_base(request))
    return JSONResponse(info, headers=PUBLIC_CACHE)


async def certs(request: Request) -> Response:
    config = await realm_config(request)
    body = config.derived("jwks", lambda: json_bytes(discovery.jwks(config)))
    return Response(body, media_type="application/json", headers=PUBLIC_ANY_ORIGIN)


def json_bytes(document: Mapping[str, object]) -> bytes:
    """``document`` as Starlette's ``JSONResponse`` renders it, once per snapshot."""
    return bytes(JSONResponse(document).body)


async def login_status_init(request: Request) -> Response:
    """keycloak-js asks whether its origin may use the session iframe (204 yes, 403 no)."""
    client_id, origin = request.query_params.get("client_id"), request.query_params.get("origin")
    config = await realm_config(request)
    client = config.clients.get(client_id or "")
    allowed = client is not None and origin is not None and origin_allowed(origin, client, frontend_base(request))
    return Response(status_code=204 if allowed else 403)


async def login_status_iframe(request: Request) -> Response:
    return script_page("Login status", _SESSION_IFRAME_SCRIPT, connect=True)


async def third_party_cookies_step1(request: Request) -> Response:
    return script_page("3rd party cookies", _STEP1_SCRIPT)


async def third_party_cookies_step2(request: Request) -> Response:
    return script_page("3rd party cookies", _STEP2_SCRIPT)


def script_page(title: str, script: str, *, connect: bool = False) -> HTMLResponse:
    """A tiny page whose one inline script is allowed by hash (our CSP forbids inline code),
    framable by the applications that load it; ``connect`` lets it call its own origin."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    html = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><script>{script}</script></body></html>"
    )
    headers = {
        "content-security-policy": f"default-src 'none'; script-src 'sha256-{digest}'"
        + ("; connect-src 'self'" if connect else ""),
        "x-frame-options": "ALLOWALL",
        "cache-control": "no-cache",
    }
    return HTMLResponse(html, headers=headers)


# The session iframe keycloak-js polls with "<clientId> <sessionId>": once per client and origin
# it asks the server (init, 204 or 403) whether that origin may use it, then compares the
# message's session with the KEYCLOAK_SESSION cookie ("realm/user/session", quoted by the cookie
# encoder; the session is the last part).
_SESSION_IFRAME_SCRIPT = """
(function () {
  var allowed = {};
  function sessionOfCookie() {
    var cookies = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < cookies.length; i++) {
      var at = cookies[i].indexOf("=");
      if (cookies[i].substring(0, at) === "KEYCLOAK_SESSION") {
        var parts = cookies[i].substring(at + 1).replace(/^"|"$/g, "").split("/");
        return parts.length >= 3 ? parts[parts.length - 1] : null;
      }
    }
    return null;
  }
  function reply(event, answer) { event.source.postMessage(answer, event.origin); }
  function compare(event, session) {
    var current = sessionOfCookie();
    reply(event, current !== null && session !== "" && current === session ? "unchanged" : "changed");
  }
  window.addEventListener("message", function (event) {
    if (typeof event.data !== "string" || !event.source) { return; }
    var words = event.data.split(" ");
    if (words.length !== 2 || words[0] === "") { reply(event, "error"); return; }
    var key = words[0] + " " + event.origin;
    if (allowed[key]) { compare(event, words[1]); return; }
    var query = "client_id=" + encodeURIComponent(words[0]) + "&origin=" + encodeURIComponent(event.origin);
    fetch(location.pathname + "/init?" + query, { credentials: "same-origin" }).then(function (response) {
      if (response.status === 204) { allowed[key] = true; compare(event, words[1]); } else { reply(event, "error"); }
    }, function () { reply(event, "error"); });
  }, false);
})();
"""

_STEP1_SCRIPT = """
document.cookie = "KEYCLOAK_3P_COOKIE_SAMESITE=supported; Max-Age=60; SameSite=None; Secure";
document.cookie = "KEYCLOAK_3P_COOKIE=supported; Max-Age=60";
window.location.replace("step2.html");
"""

_STEP2_SCRIPT = """
if (document.cookie.indexOf("KEYCLOAK_3P_COOKIE") !== -1) {
  document.cookie = "KEYCLOAK_3P_COOKIE_SAMESITE=; Max-Age=0; SameSite=None; Secure";
  document.cookie = "KEYCLOAK_3P_COOKIE=; Max-Age=0";
  window.parent.postMessage("supported", "*");
} else {
  window.parent.postMessage("unsupported", "*");
}
"""
