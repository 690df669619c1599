"""The user's scenario, steps 2, 3, 5 and 6, through python-keycloak's unchanged KeycloakAdmin
against a real server, then a password-grant login by each user."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from tests.e2e.harness import ServerProcess

from keycloak import KeycloakAdmin, KeycloakOpenID


def test_seed_steps_2_3_5_6_then_each_user_logs_in(kc: KeycloakAdmin, admin_server: ServerProcess) -> None:
    run_seed(kc, admin_server)


@pytest.mark.postgres
def test_seed_steps_on_postgresql(start_server: Callable[..., ServerProcess]) -> None:
    server = start_server(db="postgres")
    admin = KeycloakAdmin(server_url=server.base_url + "/", username="admin", password="admin", realm_name="master")
    run_seed(admin, server)


def run_seed(kc: KeycloakAdmin, admin_server: ServerProcess) -> None:
    # Step 2: the two realms.
    kc.create_realm({"realm": "master_realm", "enabled": True})
    kc.create_realm({"realm": "slave_realm", "enabled": True})
    assert {"master_realm", "slave_realm"} <= {r["realm"] for r in kc.get_realms()}

    # Step 3: idp_client in slave_realm, redirect "*", secret regenerated.
    kc.change_current_realm("slave_realm")
    idp_client = kc.create_client({"clientId": "idp_client", "redirectUris": ["*"], "publicClient": False})
    before = kc.get_client_secrets(idp_client)["value"]
    regenerated = kc.generate_client_secrets(idp_client)["value"]
    assert regenerated and regenerated != before
    assert kc.get_client_secrets(idp_client)["value"] == regenerated
    assert kc.get_client(idp_client)["redirectUris"] == ["*"]

    # Step 5: one user on each side, with passwords.
    slave_user = kc.create_user(
        {
            "username": "slave_user",
            "enabled": True,
            "credentials": [{"type": "password", "value": "slave_password", "temporary": False}],
        }
    )
    assert kc.get_user(slave_user)["username"] == "slave_user"
    kc.change_current_realm("master_realm")
    master_user = kc.create_user({"username": "master_user", "enabled": True})
    kc.set_user_password(master_user, "master_password", temporary=False)

    # Step 6: app_client in master_realm with a regenerated secret.
    app_client = kc.create_client({"clientId": "app_client"})
    app_secret = kc.generate_client_secrets(app_client)["value"]
    assert kc.get_client_id("app_client") == app_client

    # Each user logs in with the password grant (admin-cli is public with direct grants).
    for realm, user, password in (
        ("slave_realm", "slave_user", "slave_password"),
        ("master_realm", "master_user", "master_password"),
    ):
        oidc = KeycloakOpenID(server_url=admin_server.base_url + "/", realm_name=realm, client_id="admin-cli")
        token = oidc.token(user, password)
        assert token["token_type"].lower() == "bearer"
        userinfo = oidc.userinfo(token["access_token"])
        assert isinstance(userinfo, dict) and userinfo["preferred_username"] == user

    # The regenerated secret is the one the token endpoint accepts.
    app = KeycloakOpenID(
        server_url=admin_server.base_url + "/",
        realm_name="master_realm",
        client_id="app_client",
        client_secret_key=app_secret,
    )
    kc.update_client(app_client, {"serviceAccountsEnabled": True})
    assert app.token(grant_type="client_credentials")["access_token"]
