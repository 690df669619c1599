"""The seed scenario's set-up (seeds/000), done through the admin API as a user would:
realm ``slave_realm`` with client ``idp_client`` (redirect ``*``, regenerated secret) and user
``slave_user`` on one server; realm ``master_realm`` with the ``keycloak-oidc`` identity
provider (authorization URL on host ``localhost``, token URL on ``127.0.0.1``), user
``master_user`` and client ``app_client`` on the other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from tests.e2e.broker.browser import exchange_code
from tests.e2e.harness import Database, ServerProcess, admin_token, free_port

APP_REDIRECT = "http://127.0.0.1:9/app/callback"
APP_LOGGED_OUT = "http://127.0.0.1:9/app/logged-out"
ALIAS = "keycloak-oidc"


class Admin:
    """Admin REST calls against one server, with the master admin's token."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self.http = server.client(headers={"Authorization": f"Bearer {admin_token(server)}"}, timeout=15.0)

    def call(self, method: str, path: str, expect: int, **kwargs: Any) -> httpx.Response:
        response = self.http.request(method, "/admin/realms" + path, **kwargs)
        assert response.status_code == expect, (method, path, response.status_code, response.text)
        return response

    def realm(self, name: str) -> None:
        self.call("POST", "", 201, json={"realm": name, "enabled": True})

    def client(self, realm: str, client_id: str, redirect_uris: list[str], **extra: Any) -> str:
        """A confidential client; returns its regenerated secret."""
        rep = {
            "clientId": client_id,
            "publicClient": False,
            "redirectUris": redirect_uris,
            "attributes": {"post.logout.redirect.uris": "+"},
            **extra,
        }
        created = self.call("POST", f"/{realm}/clients", 201, json=rep)
        internal = created.headers["location"].rsplit("/", 1)[1]
        secret: str = self.call("POST", f"/{realm}/clients/{internal}/client-secret", 200).json()["value"]
        return secret

    def user(self, realm: str, username: str, password: str, **extra: Any) -> str:
        rep = {
            "username": username,
            "enabled": True,
            "credentials": [{"type": "password", "value": password, "temporary": False}],
            **extra,
        }
        return self.call("POST", f"/{realm}/users", 201, json=rep).headers["location"].rsplit("/", 1)[1]

    def import_config(self, realm: str, discovery_url: str) -> dict[str, Any]:
        """The identity provider config the server reads from an upstream's discovery document."""
        body = {"providerId": "oidc", "fromUrl": discovery_url}
        imported: dict[str, Any] = self.call("POST", f"/{realm}/identity-provider/import-config", 200, json=body).json()
        return imported

    def find_user(self, realm: str, username: str) -> dict[str, Any]:
        users = self.call("GET", f"/{realm}/users", 200, params={"username": username, "exact": "true"}).json()
        assert len(users) == 1, users
        found: dict[str, Any] = users[0]
        return found


@dataclass
class Seed:
    master: ServerProcess
    slave: ServerProcess
    master_admin: Admin
    slave_admin: Admin
    app_secret: str
    idp_secret: str

    @property
    def master_realm(self) -> str:
        return self.master.url("/realms/master_realm")

    app_redirect: str = APP_REDIRECT

    def auth_url(self, **extra: str) -> str:
        params = {
            "client_id": "app_client",
            "redirect_uri": self.app_redirect,
            "response_type": "code",
            "scope": "openid",
            "state": "app-state",
            "nonce": "app-nonce",
            **extra,
        }
        return str(httpx.URL(self.master_realm + "/protocol/openid-connect/auth", params=params))

    def exchange(self, code: str) -> dict[str, Any]:
        return exchange_code(
            self.master_realm + "/protocol/openid-connect/token",
            code,
            redirect_uri=self.app_redirect,
            client=("app_client", self.app_secret),
        )


def start_pair(
    start: Callable[..., ServerProcess], *, master_db: Database = "sqlite"
) -> tuple[ServerProcess, ServerProcess]:
    """The master (the brokering side, on ``master_db``), and the slave whose public URL is
    ``http://localhost:{port}`` (its ``--hostname``, as a Keycloak behind a public name): tokens
    it issues through the internal ``127.0.0.1`` token URL still name the issuer the browser sees."""
    port = free_port()
    slave = start(port=port, args=["--hostname", f"http://localhost:{port}"])
    return start(db=master_db), slave


def slave_oidc(slave: ServerProcess, host: str) -> str:
    return f"http://{host}:{slave.port}/realms/slave_realm/protocol/openid-connect"


def configure(
    master: ServerProcess,
    slave: ServerProcess,
    *,
    app_redirect: str = APP_REDIRECT,
    app_logged_out: str = APP_LOGGED_OUT,
    **idp_config: str,
) -> Seed:
    slave_admin, master_admin = Admin(slave), Admin(master)
    slave_admin.realm("slave_realm")
    idp_secret = slave_admin.client("slave_realm", "idp_client", ["*"])
    slave_admin.user("slave_realm", "slave_user", "slave_password")
    master_admin.realm("master_realm")
    config = {
        "authorizationUrl": slave_oidc(slave, "localhost") + "/auth",
        "tokenUrl": slave_oidc(slave, "127.0.0.1") + "/token",
        "logoutUrl": slave_oidc(slave, "localhost") + "/logout",
        "clientId": "idp_client",
        "clientSecret": idp_secret,
        "clientAuthMethod": "client_secret_post",
        "syncMode": "IMPORT",
        **idp_config,
    }
    rep = {"alias": ALIAS, "displayName": "Sign in with slave", "providerId": "keycloak-oidc", "enabled": True}
    master_admin.call("POST", "/master_realm/identity-provider/instances", 201, json={**rep, "config": config})
    master_admin.user("master_realm", "master_user", "master_password")
    app_secret = master_admin.client(
        "master_realm",
        "app_client",
        [app_redirect],
        attributes={"post.logout.redirect.uris": app_logged_out},
    )
    return Seed(master, slave, master_admin, slave_admin, app_secret, idp_secret, app_redirect)
