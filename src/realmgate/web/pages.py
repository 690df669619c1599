"""Server-rendered pages: one Jinja2 environment (autoescaped, strict), templates extend ``base.html``.

Every page gets ``base_url`` (the frontend URL), ``static_url(name)`` and ``version``; handlers
pass the rest. Pages work without JavaScript and load only our own CSS from ``static/``.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import HTMLResponse

from realmgate import __version__
from realmgate.web.app_context import get_ctx
from realmgate.web.urls import frontend_base

if TYPE_CHECKING:
    import jinja2

TEMPLATES_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/resources"
NO_STORE = {"cache-control": "no-store, must-revalidate, max-age=0"}


def build_templates() -> jinja2.Environment:
    """The environment; ``StrictUndefined`` turns a misspelt variable into an error, not a blank.
    Imported here, not at module level: start-up does not render pages."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["version"] = __version__
    return env


def render_page(request: Request, template: str, context: Mapping[str, object], *, status: int = 200) -> HTMLResponse:
    """Render ``template`` with ``context`` plus the common page variables; never cached."""
    base = frontend_base(request)

    def static_url(name: str) -> str:
        return f"{base}{STATIC_PREFIX}/{name}?v={__version__}"

    values: dict[str, object] = {"base_url": base, "static_url": static_url, "request_path": request.url.path}
    values.update(context)
    html = get_ctx(request).templates.get_template(template).render(values)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def error_page(request: Request, message: str, *, status: int = 400, retry_url: str | None = None) -> HTMLResponse:
    """A page telling the user what went wrong, with a "try again" link when there is a safe one."""
    return render_page(request, "error.html", {"message": message, "retry_url": retry_url}, status=status)


def wants_html(request: Request) -> bool:
    """True for browsers navigating (Accept names text/html), False for API clients."""
    return "text/html" in request.headers.get("accept", "")
