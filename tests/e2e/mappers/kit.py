"""The seed's two servers for the mapper tests: a "slave" upstream and a "master" broker.

``Admin`` is a thin admin-REST client (a fresh bootstrap-admin token per call, so the master
realm's 60-second token lifespan never bites). ``setup_slave`` builds ``slave_realm`` once:
client ``idp_client`` whose tokens carry a ``groups`` claim (group membership protocol mapper),
``department`` and ``work_email`` claims and a nested ``org.unit`` claim (user attribute
mappers), realm role
``manager`` and client role ``crm.editor``. ``new_master_realm`` builds one broker realm per
test (its own identity provider ``slave`` of type keycloak-oidc and sync mode, roles, groups,
client ``app_client`` whose tokens and userinfo carry ``realm_roles`` and the session notes
``tier`` and ``department`` (as ``dept_note``)), so tests never share mappers or users.

``broker_login`` is a scripted browser: the client's authorization request at the master with
``kc_idp_hint=slave``, the slave's real login form, back through the broker's callback, then
the code exchange at the master. It returns the master's token response.
"""

from __future__ import annotations

import base64
import html
import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpx
from tests.e2e.harness import ServerProcess, admin_token

SLAVE_REALM = "slave_realm"
IDP_CLIENT = "idp_client"
IDP_SECRET = "idp-client-s3cret"
APP_CLIENT = "app_client"
APP_SECRET = "app-client-s3cret"
REDIRECT_URI = "http://127.0.0.1:9999/callback"
ALIAS = "slave"
PASSWORD = "slave_password"
ATTRIBUTE_MAPPER = "oidc-usermodel-attribute-mapper"
NOTE_MAPPER = "oidc-usersessionmodel-note-mapper"


class Admin:
    """Admin REST calls on one server; paths are relative to ``/admin/realms``. The token is
    renewed well within the master realm's 60-second access token lifespan."""

    _tokens: ClassVar[dict[str, tuple[float, str]]] = {}

    def __init__(self, server: ServerProcess) -> None:
        self.server = server

    def _token(self) -> str:
        issued, token = self._tokens.get(self.server.base_url, (0.0, ""))
        if time.monotonic() - issued > 40:
            issued, token = time.monotonic(), admin_token(self.server)
            self._tokens[self.server.base_url] = (issued, token)
        return token

    def call(self, method: str, path: str, body: Any = None, *, expect: int | None = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self._token()}"}
        url = self.server.url("/admin/realms" + path)
        response = httpx.request(method, url, json=body, headers=headers, timeout=10.0)
        if expect is not None:
            assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response

    def id_of(self, path: str, **match: str) -> str:
        """The ``id`` of the first item of the list at ``path`` whose fields equal ``match``."""
        for item in self.call("GET", path, expect=200).json():
            if all(item.get(k) == v for k, v in match.items()):
                found: str = item["id"]
                return found
        raise AssertionError(f"nothing in {path} matches {match}")

    def created_id(self, path: str, body: Any) -> str:
        location = self.call("POST", path, body, expect=201).headers["location"]
        return location.rstrip("/").rsplit("/", 1)[1]


def _protocol_mapper(name: str, mapper: str, **config: str) -> dict[str, Any]:
    claims = {"id.token.claim": "true", "access.token.claim": "true", "userinfo.token.claim": "true"}
    return {"name": name, "protocol": "openid-connect", "protocolMapper": mapper, "config": {**claims, **config}}


def setup_slave(slave: ServerProcess) -> None:
    admin = Admin(slave)
    admin.call("POST", "", {"realm": SLAVE_REALM, "enabled": True}, expect=201)
    r = f"/{SLAVE_REALM}"
    attribute_claims = {"department": "department", "unit": "org.unit", "work_email": "work_email"}
    mappers = [
        _protocol_mapper("groups", "oidc-group-membership-mapper", **{"claim.name": "groups", "full.path": "false"}),
        *(
            _protocol_mapper(attribute, ATTRIBUTE_MAPPER, **{"user.attribute": attribute, "claim.name": claim})
            for attribute, claim in attribute_claims.items()
        ),
    ]
    client = {
        "clientId": IDP_CLIENT,
        "secret": IDP_SECRET,
        "publicClient": False,
        "redirectUris": ["*"],
        "protocolMappers": mappers,
    }
    admin.call("POST", f"{r}/clients", client, expect=201)
    crm = admin.created_id(f"{r}/clients", {"clientId": "crm", "publicClient": False})
    admin.call("POST", f"{r}/clients/{crm}/roles", {"name": "editor"}, expect=201)
    admin.call("POST", f"{r}/roles", {"name": "manager"}, expect=201)
    for group in ("admins", "staff"):
        admin.call("POST", f"{r}/groups", {"name": group}, expect=201)


def new_slave_user(
    slave: ServerProcess,
    *,
    roles: tuple[str, ...] = (),
    client_roles: tuple[str, ...] = (),
    groups: tuple[str, ...] = (),
    attributes: dict[str, list[str]] | None = None,
    email: str | None = None,
) -> str:
    """A fresh slave user (unique name) with a password and what the test asks for."""
    admin = Admin(slave)
    r = f"/{SLAVE_REALM}"
    username = f"slave_user_{secrets.token_hex(3)}"
    user = {
        "username": username,
        "enabled": True,
        "email": email or f"{username}@slave.test",
        "emailVerified": True,
        "firstName": "Slave",
        "lastName": "User",
        "attributes": attributes or {},
        "credentials": [{"type": "password", "value": PASSWORD, "temporary": False}],
    }
    user_id = admin.created_id(f"{r}/users", user)
    set_slave_roles(slave, username, roles=roles, client_roles=client_roles)
    for name in groups:
        group_id = admin.id_of(f"{r}/groups", name=name)
        admin.call("PUT", f"{r}/users/{user_id}/groups/{group_id}", expect=204)
    return username


def _user_id(admin: Admin, username: str) -> str:
    found = admin.call("GET", f"/{SLAVE_REALM}/users?username={username}&exact=true", expect=200).json()
    user_id: str = found[0]["id"]
    return user_id


def set_slave_roles(
    slave: ServerProcess, username: str, *, roles: tuple[str, ...] = (), client_roles: tuple[str, ...] = ()
) -> None:
    """Make the user's direct realm roles ``manager``-or-not and ``crm`` roles exactly these."""
    admin = Admin(slave)
    r = f"/{SLAVE_REALM}"
    user_id = _user_id(admin, username)
    managed = [admin.call("GET", f"{r}/roles/manager", expect=200).json()]
    admin.call("DELETE", f"{r}/users/{user_id}/role-mappings/realm", managed, expect=204)
    wanted = [role for role in managed if role["name"] in roles]
    if wanted:
        admin.call("POST", f"{r}/users/{user_id}/role-mappings/realm", wanted, expect=204)
    crm = admin.id_of(f"{r}/clients", clientId="crm")
    editor = [admin.call("GET", f"{r}/clients/{crm}/roles/editor", expect=200).json()]
    admin.call("DELETE", f"{r}/users/{user_id}/role-mappings/clients/{crm}", editor, expect=204)
    if "crm.editor" in client_roles:
        admin.call("POST", f"{r}/users/{user_id}/role-mappings/clients/{crm}", editor, expect=204)


@dataclass
class MasterRealm:
    name: str
    admin: Admin

    @property
    def path(self) -> str:
        return f"/{self.name}"

    def add_mapper(self, name: str, type_id: str, **config: str) -> str:
        body = {"name": name, "identityProviderAlias": ALIAS, "identityProviderMapper": type_id, "config": config}
        return self.admin.created_id(f"{self.path}/identity-provider/instances/{ALIAS}/mappers", body)

    def user(self, username: str) -> dict[str, Any]:
        found = self.admin.call("GET", f"{self.path}/users?username={username}&exact=true", expect=200).json()
        assert len(found) == 1, found
        user: dict[str, Any] = found[0]
        return user

    def realm_roles_of(self, user_id: str) -> set[str]:
        roles = self.admin.call("GET", f"{self.path}/users/{user_id}/role-mappings/realm", expect=200).json()
        return {r["name"] for r in roles}

    def groups_of(self, user_id: str) -> set[str]:
        groups = self.admin.call("GET", f"{self.path}/users/{user_id}/groups", expect=200).json()
        return {g["path"] for g in groups}


def new_master_realm(master: ServerProcess, slave: ServerProcess, *, sync_mode: str = "FORCE") -> MasterRealm:
    admin = Admin(master)
    name = f"master_realm_{secrets.token_hex(3)}"
    admin.call("POST", "", {"realm": name, "enabled": True}, expect=201)
    realm = MasterRealm(name, admin)
    r = realm.path
    for role in ("app-admin", "viewer", "auditor", "hard-role", "admin-granted"):
        admin.call("POST", f"{r}/roles", {"name": role}, expect=201)
    # Roles in userinfo too, and the mappers' session note "tier" as a token claim.
    app_mappers = [
        _protocol_mapper("realm roles", "oidc-usermodel-realm-role-mapper", **{"claim.name": "realm_roles"}),
        _protocol_mapper("tier", NOTE_MAPPER, **{"user.session.note": "tier", "claim.name": "tier"}),
        _protocol_mapper("dept note", NOTE_MAPPER, **{"user.session.note": "department", "claim.name": "dept_note"}),
    ]
    app = admin.created_id(
        f"{r}/clients",
        {
            "clientId": APP_CLIENT,
            "secret": APP_SECRET,
            "publicClient": False,
            "redirectUris": [REDIRECT_URI],
            "protocolMappers": app_mappers,
        },
    )
    admin.call("POST", f"{r}/clients/{app}/roles", {"name": "editor"}, expect=201)
    staff = admin.created_id(f"{r}/groups", {"name": "staff"})
    admin.call("POST", f"{r}/groups/{staff}/children", {"name": "ops"}, expect=201)
    admin.call("POST", f"{r}/groups", {"name": "partners"}, expect=201)
    upstream = f"{slave.base_url}/realms/{SLAVE_REALM}"
    oidc = f"{upstream}/protocol/openid-connect"
    idp = {
        "alias": ALIAS,
        "providerId": "keycloak-oidc",
        "enabled": True,
        "config": {
            "authorizationUrl": f"{oidc}/auth",
            "tokenUrl": f"{oidc}/token",
            "userInfoUrl": f"{oidc}/userinfo",
            "jwksUrl": f"{oidc}/certs",
            "logoutUrl": f"{oidc}/logout",
            "issuer": upstream,
            "useJwksUrl": "true",
            "validateSignature": "true",
            "clientId": IDP_CLIENT,
            "clientSecret": IDP_SECRET,
            "clientAuthMethod": "client_secret_post",
            "defaultScope": "openid profile email",
            "syncMode": sync_mode,
        },
    }
    admin.call("POST", f"{r}/identity-provider/instances", idp, expect=201)
    return realm


def _location(response: httpx.Response) -> str:
    assert response.status_code in (302, 303), f"{response.status_code} at {response.url}: {response.text[:2000]}"
    return urljoin(str(response.url), response.headers["location"])


def _submit_login_form(browser: httpx.Client, page: httpx.Response, username: str) -> httpx.Response:
    form = re.search(r'<form id="kc-form-login"[^>]*action="([^"]+)"', page.text)
    csrf = re.search(r'name="csrf_token" value="([^"]*)"', page.text)
    assert form and csrf, page.text[:2000]
    data = {"username": username, "password": PASSWORD, "csrf_token": csrf.group(1)}
    return browser.post(html.unescape(form.group(1)), data=data)


def walk_broker_login(master: ServerProcess, realm: str, username: str) -> httpx.Response:
    """Log ``username`` in at the slave through the master's broker, following the pages, until
    the master redirects to the client (that response) or answers a page it does not submit."""
    query = {
        "client_id": APP_CLIENT,
        "response_type": "code",
        "scope": "openid",
        "redirect_uri": REDIRECT_URI,
        "state": "st",
        "nonce": "n",
        "kc_idp_hint": ALIAS,
    }
    url = f"{master.base_url}/realms/{realm}/protocol/openid-connect/auth?{urlencode(query)}"
    with httpx.Client(timeout=15.0, follow_redirects=False) as browser:
        response = browser.get(url)
        submitted = False
        for _ in range(12):
            if response.status_code == 200 and not submitted:
                response = _submit_login_form(browser, response, username)
                submitted = True
                continue
            if response.status_code not in (302, 303) or _location(response).startswith(REDIRECT_URI):
                return response
            response = browser.get(_location(response))
    raise AssertionError("the brokered login did not come back to the client")


def broker_login(master: ServerProcess, realm: str, username: str) -> dict[str, Any]:
    """Log ``username`` in at the slave through the master's broker; the master's tokens."""
    response = walk_broker_login(master, realm, username)
    target = _location(response)
    assert target.startswith(REDIRECT_URI), target
    params = {k: v[0] for k, v in parse_qs(urlsplit(target).query).items()}
    assert "code" in params, params
    return _exchange(master, realm, params["code"])


def _exchange(master: ServerProcess, realm: str, code: str) -> dict[str, Any]:
    response = httpx.post(
        f"{master.base_url}/realms/{realm}/protocol/openid-connect/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "client_id": APP_CLIENT,
            "client_secret": APP_SECRET,
        },
        timeout=10.0,
    )
    assert response.status_code == 200, response.text
    tokens: dict[str, Any] = response.json()
    return tokens


def claims(token: str) -> dict[str, Any]:
    """The payload of a JWT the master just issued (read, not verified: the OIDC tests verify)."""
    payload = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return decoded


def userinfo(master: ServerProcess, realm: str, access_token: str) -> dict[str, Any]:
    response = httpx.get(
        f"{master.base_url}/realms/{realm}/protocol/openid-connect/userinfo",
        headers={"Authorization": f"Bearer {access_token}"},
        timeout=10.0,
    )
    assert response.status_code == 200, response.text
    info: dict[str, Any] = response.json()
    return info
