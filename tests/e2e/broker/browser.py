"""A scripted browser for broker e2e tests: one cookie jar, redirects followed by hand (so a
test sees every hop), and the pages' forms and links read from their HTML."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx

_FORM = re.compile(
    r"<form\b[^>]*\bid=\"(?P<id>[^\"]*)\"[^>]*\baction=\"(?P<action>[^\"]*)\"[^>]*>(?P<body>.*?)</form>", re.S
)
_INPUT = re.compile(r"<input\b[^>]*>", re.S)
_ATTR = re.compile(r"(\w[\w-]*)=\"([^\"]*)\"")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


@dataclass
class Form:
    action: str
    fields: dict[str, str] = field(default_factory=dict)


def forms(page: str) -> dict[str, Form]:
    """The page's forms by id, with their inputs' current values."""
    found: dict[str, Form] = {}
    for match in _FORM.finditer(page):
        fields: dict[str, str] = {}
        for tag in _INPUT.findall(match["body"]):
            attrs = {k: html.unescape(v) for k, v in _ATTR.findall(tag)}
            if "name" in attrs and attrs.get("type") != "submit":
                fields[attrs["name"]] = attrs.get("value", "")
        found[match["id"]] = Form(html.unescape(match["action"]), fields)
    return found


def link(page: str, element_id: str) -> str:
    match = re.search(rf"id=\"{re.escape(element_id)}\"[^>]*href=\"([^\"]*)\"", page)
    assert match, f"no link #{element_id} on the page"
    return html.unescape(match.group(1))


def exchange_code(token_url: str, code: str, *, redirect_uri: str, client: tuple[str, str]) -> dict[str, Any]:
    """The app's half of the code flow: trade ``code`` for tokens (must succeed)."""
    response = httpx.post(
        token_url,
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri},
        auth=client,
        timeout=15.0,
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


class Browser:
    """Follows redirects until a page (2xx/4xx/5xx) or a URL ``stop_at`` (the app's callback)."""

    def __init__(self, stop_at: str) -> None:
        self.client = httpx.Client(follow_redirects=False, timeout=15.0)
        self.stop_at = stop_at
        self.hops: list[str] = []

    def close(self) -> None:
        self.client.close()

    def go(self, url: str, *, data: dict[str, str] | None = None) -> httpx.Response:
        response = self.client.post(url, data=data) if data is not None else self.client.get(url)
        self.hops.append(url)
        while response.status_code in (301, 302, 303, 307):
            target = urljoin(str(response.url), response.headers["location"])
            self.hops.append(target)
            if target.startswith(self.stop_at):
                return response
            response = self.client.get(target)
        return response

    def submit(self, page: httpx.Response, form_id: str, **values: str) -> httpx.Response:
        form = forms(page.text)[form_id]
        return self.go(urljoin(str(page.url), form.action), data={**form.fields, **values})

    @property
    def last(self) -> str:
        return self.hops[-1]
