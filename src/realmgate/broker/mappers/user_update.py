"""Apply a plan's user changes to the ``User`` model (pure: returns a new ``User``).

The broker flow calls it on a later login after its own provider-level sync
(``first_login.sync_user``): ``synced`` is the user after that sync, ``original`` the user as
loaded. Pinned profile fields (owned by IMPORT mappers, Keycloak issue #43221) go back to
their original values, then the mappers' own decisions are applied on top. On a first login
pass the freshly built user as both.
"""

from __future__ import annotations

import dataclasses

from realmgate.broker.mappers.effects import MappingPlan, ProfileField
from realmgate.model.user import User


def _profile_value(original: User, synced: User, plan: MappingPlan, name: ProfileField) -> str | None:
    if name in plan.profile:
        return plan.profile[name]
    source = original if name in plan.pinned_profile_fields else synced
    return {"email": source.email, "firstName": source.first_name, "lastName": source.last_name}[name]


def updated_user(original: User, synced: User, plan: MappingPlan) -> User:
    """``synced`` with the plan's username, profile and attribute changes.

    An email the mappers change is not verified (the flow may set ``email_verified`` again
    when the provider trusts emails); an attribute planned as ``()`` is removed.
    """
    email = _profile_value(original, synced, plan, "email")
    if "email" in plan.profile:
        verified = synced.email_verified if email == synced.email else False
    elif "email" in plan.pinned_profile_fields:
        verified = original.email_verified
    else:
        verified = synced.email_verified
    attributes = dict(synced.attributes)
    for name, values in plan.attributes.items():
        if values:
            attributes[name] = values
        else:
            attributes.pop(name, None)
    return dataclasses.replace(
        synced,
        username=plan.username.lower() if plan.username else synced.username,
        email=email,
        email_verified=verified,
        first_name=_profile_value(original, synced, plan, "firstName"),
        last_name=_profile_value(original, synced, plan, "lastName"),
        attributes=attributes,
    )
