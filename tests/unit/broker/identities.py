"""The upstream user the broker's unit tests log in: one builder, so each test states only the
fields it is about (``slave_identity(username="Slave_User")``)."""

from __future__ import annotations

from typing import Any

from realmgate.broker.connector import BrokeredIdentity


def slave_identity(**fields: Any) -> BrokeredIdentity:
    """Seed 000's slave user as the "slave" provider (``keycloak-oidc``) returns it, with
    ``fields`` in place of the defaults."""
    defaults: dict[str, Any] = {
        "alias": "slave",
        "provider_id": "keycloak-oidc",
        "id": "sub-1",
        "username": "slave_user",
        "email": "slave@example.com",
        "email_verified": True,
        "first_name": "Slave",
        "last_name": "User",
    }
    return BrokeredIdentity(**{**defaults, **fields})
