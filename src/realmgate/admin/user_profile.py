"""``/users/profile``: the realm's user profile configuration (Keycloak's UPConfig), read and
replaced.

A realm that never set one shows Keycloak 26's default configuration (username, email, first
and last name, the ``user-metadata`` group). realmgate keeps what an administrator stores but
does not yet apply it: user attributes are not validated against it, and realm exports do not
carry it (Keycloak exports it as a component). Both are listed in docs/compatibility.md.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.reps import body_object
from realmgate.model.realm import Realm

# Not a RealmRepresentation field: never shown in the realm's representation.
SETTING = "userProfileConfig"

_EVERYONE = {"view": ["admin", "user"], "edit": ["admin", "user"]}


def _attribute(name: str, validations: dict[str, Any], *, required: bool) -> dict[str, Any]:
    attribute: dict[str, Any] = {"name": name, "displayName": "${" + name + "}", "validations": validations}
    if required:
        attribute["required"] = {"roles": ["user"]}
    attribute["permissions"] = copy.deepcopy(_EVERYONE)
    attribute["multivalued"] = False
    return attribute


def default_config() -> dict[str, Any]:
    """Keycloak 26's ``keycloak-default-user-profile.json``."""
    person = {"length": {"max": 255}, "person-name-prohibited-characters": {}}
    return {
        "attributes": [
            _attribute(
                "username",
                {
                    "length": {"min": 3, "max": 255},
                    "username-prohibited-characters": {},
                    "up-username-not-idn-homograph": {},
                },
                required=False,
            ),
            _attribute("email", {"email": {}, "length": {"max": 255}}, required=True),
            _attribute("firstName", copy.deepcopy(person), required=True),
            _attribute("lastName", copy.deepcopy(person), required=True),
        ],
        "groups": [
            {
                "name": "user-metadata",
                "displayHeader": "User metadata",
                "displayDescription": "Attributes, which refer to user metadata",
            }
        ],
    }


def config_of(realm: Realm) -> dict[str, Any]:
    stored = realm.extra_settings.get(SETTING)
    return copy.deepcopy(stored) if isinstance(stored, dict) else default_config()


def _check(config: dict[str, Any]) -> None:
    """The shape Keycloak refuses to store otherwise: named, unique attributes, username and email
    among them."""
    attributes = config.get("attributes")
    if not isinstance(attributes, list) or not all(isinstance(a, dict) for a in attributes):
        raise AdminError.bad_request("Invalid value for attributes: must be an array of objects")
    names = [a.get("name") for a in attributes]
    if not all(isinstance(n, str) and n.strip() for n in names):
        raise AdminError.bad_request("Invalid value for attributes: every attribute needs a name")
    if len(set(names)) != len(names):
        raise AdminError.bad_request("Invalid value for attributes: duplicate attribute name")
    for required in ("username", "email"):
        if required not in names:
            raise AdminError.bad_request(f"The attribute '{required}' can not be removed")


async def get_profile(call: AdminCall) -> object:
    return config_of(call.realm)


async def update_profile(call: AdminCall) -> object:
    config = copy.deepcopy(body_object(call.body))
    _check(config)
    realm = await call.tx.realms.get(call.realm.id, for_update=True)
    if realm is None:
        raise realm_not_found()
    await call.tx.realms.update(replace(realm, extra_settings={**realm.extra_settings, SETTING: config}))
    return config
