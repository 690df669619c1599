"""Creating a user, the one way every part of realmgate does it.

The admin API, self-registration, first broker login, service accounts, the bootstrap admin and
realm import all create users, and Keycloak gives each new user the realm's default roles
however it is made. The rule is a pair of store calls, so it lives beside the store interface:
the layers above (``protocol``, ``broker``, ``keycloak``, ``admin``, ``bootstrap``) may all use
it without importing one another.
"""

from __future__ import annotations

from realmgate.model.realm import Realm
from realmgate.model.user import User
from realmgate.store.interface import Tx


async def add_user(tx: Tx, realm: Realm, user: User, *, default_roles: bool = True) -> None:
    """Store a new user of ``realm`` with the realm's default roles (``default-roles-{realm}``:
    ``offline_access``, ``uma_authorization``, the account roles), as Keycloak gives every new
    user however it is made: admin API, first broker login, service account, import of a user
    that names no roles. ``default_roles=False`` for an import that lists the user's roles."""
    await tx.users.add(user)
    if default_roles and realm.default_role_id:
        await tx.users.grant_roles(realm.id, user.id, [realm.default_role_id])
