"""What a newcomer meets first: the welcome page at ``/`` (HTML for a browser, JSON for curl),
a page (not JSON) for a browser's 404, and start-up lines that say where to go."""

from __future__ import annotations

import httpx
from tests.e2e.harness import ServerProcess

HTML = {"accept": "text/html,application/xhtml+xml"}


def test_welcome_page_for_browsers_and_json_for_api_clients(server: ServerProcess) -> None:
    page = httpx.get(server.url("/"), headers=HTML)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert 'id="welcome"' in page.text
    assert f"realmgate admin config credentials --server {server.base_url} --realm master" in page.text
    assert f'href="{server.base_url}/realms/master/.well-known/openid-configuration"' in page.text
    facts = httpx.get(server.url("/")).json()
    assert facts["server"] == "realmgate"
    assert facts["adminApi"] == server.url("/admin/realms")
    assert httpx.get(facts["openidConfiguration"]).status_code == 200


def test_a_browsers_404_is_a_page_and_an_api_clients_stays_json(server: ServerProcess) -> None:
    page = httpx.get(server.url("/no/such/page"), headers=HTML)
    assert page.status_code == 404 and 'id="error-message"' in page.text and "Page not found." in page.text
    realm = httpx.get(server.url("/realms/no-such-realm/no-page"), headers=HTML)
    assert realm.status_code == 404 and "Realm does not exist." in realm.text
    api = httpx.get(server.url("/no/such/page"))
    assert api.status_code == 404
    assert api.json() == {"error": "Unable to find matching target resource method"}
    assert httpx.get(server.url("/realms/no-such-realm/x")).json() == {"error": "Realm does not exist"}
    account = httpx.get(server.url("/realms/no-such-realm/account"), headers=HTML)
    assert account.status_code == 404 and "Realm does not exist" in account.text


def test_start_up_says_where_to_go(server: ServerProcess) -> None:
    logs = server.wait_for_log("Log the admin CLI in with")
    assert f"Welcome page {server.base_url}/ ; admin REST API {server.base_url}/admin/realms" in logs
    assert f"realmgate admin config credentials --server {server.base_url} --realm master --user admin" in logs
