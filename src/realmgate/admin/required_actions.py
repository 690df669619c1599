"""``authentication/required-actions``: the realm's required-action providers, read and updated.

A realm that never stored its ``requiredActions`` (a fresh one, or a realm file without them)
shows Keycloak's built-in actions with Keycloak's defaults; the first update stores the whole
list under ``requiredActions`` in the realm settings, where a realm export also finds it.
realmgate does not act on ``enabled``/``priority``: a login runs the user's own required actions
(``keycloak.unenforced`` reports enabled default actions, which new users do not get yet).
"""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError, realm_not_found
from realmgate.admin.reps import body_object
from realmgate.model.realm import Realm
from realmgate.model.user import CONFIGURE_TOTP, TERMS_AND_CONDITIONS, UPDATE_PASSWORD, UPDATE_PROFILE, VERIFY_EMAIL

SETTING = "requiredActions"
# Keycloak's built-in actions: (alias, display name, enabled, priority).
_BUILT_IN = (
    (CONFIGURE_TOTP, "Configure OTP", True, 10),
    (TERMS_AND_CONDITIONS, "Terms and Conditions", False, 20),
    (UPDATE_PASSWORD, "Update Password", True, 30),
    (UPDATE_PROFILE, "Update Profile", True, 40),
    (VERIFY_EMAIL, "Verify Email", True, 50),
)
# What a PUT may change (Keycloak's updateRequiredAction ignores the rest).
_UPDATABLE = {"name": str, "enabled": bool, "defaultAction": bool, "priority": int, "config": dict}


def _defaults() -> list[dict[str, Any]]:
    return [
        {
            "alias": alias,
            "name": name,
            "providerId": alias,
            "enabled": enabled,
            "defaultAction": False,
            "priority": priority,
            "config": {},
        }
        for alias, name, enabled, priority in _BUILT_IN
    ]


def actions_of(realm: Realm) -> list[dict[str, Any]]:
    stored = realm.extra_settings.get(SETTING)
    actions = copy.deepcopy(stored) if isinstance(stored, list) and stored else _defaults()
    for action in actions:
        action.setdefault("config", {})
    return sorted(actions, key=lambda a: (a.get("priority", 0), str(a.get("alias"))))


def _find(actions: list[dict[str, Any]], alias: str) -> dict[str, Any]:
    for action in actions:
        if action.get("alias") == alias:
            return action
    raise AdminError.not_found("Failed to find required action")


async def list_actions(call: AdminCall) -> object:
    return actions_of(call.realm)


async def get_action(call: AdminCall) -> object:
    return _find(actions_of(call.realm), call.path["alias"])


async def update_action(call: AdminCall) -> None:
    realm = await call.tx.realms.get(call.realm.id, for_update=True)
    if realm is None:
        raise realm_not_found()
    actions = actions_of(realm)
    action = _find(actions, call.path["alias"])
    for key, value in body_object(call.body).items():
        kind = _UPDATABLE.get(key)
        if kind is None or value is None:
            continue
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise AdminError.unparsable_json()
        action[key] = copy.deepcopy(value)
    settings = {**realm.extra_settings, SETTING: actions}
    await call.tx.realms.update(replace(realm, extra_settings=settings))
