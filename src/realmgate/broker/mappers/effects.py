"""What mappers ask for (effects) and what a login must do (the plan).

Each mapper hook returns a list of small effects; ``apply.plan_login`` folds the effects of
all mappers of a provider into one ``MappingPlan`` that the broker flow applies in the same
transaction as the rest of the login. Role and group effects carry *references* (``role``,
``client.role``, ``/group/path``); the plan carries resolved ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

from realmgate.model.identity_provider import GrantKind, MapperGrant

ProfileField = Literal["email", "firstName", "lastName"]
PROFILE_FIELDS: tuple[ProfileField, ...] = ("email", "firstName", "lastName")
IdentityTarget = Literal["LOCAL", "BROKER_ID", "BROKER_USERNAME"]


@dataclass(frozen=True, slots=True)
class SetIdentity:
    """Before the user lookup: the local username to create (LOCAL), or the upstream id or
    username used to find the federated link (BROKER_ID / BROKER_USERNAME)."""

    target: IdentityTarget
    value: str


@dataclass(frozen=True, slots=True)
class SetUsername:
    """Rename the existing local user (username template, FORCE)."""

    value: str


@dataclass(frozen=True, slots=True)
class SetProfile:
    """Set ``email``/``firstName``/``lastName``; None clears the field."""

    field: ProfileField
    value: str | None


@dataclass(frozen=True, slots=True)
class SetAttribute:
    """Replace all values of a user attribute; an empty tuple removes the attribute."""

    name: str
    values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grant:
    """This mapper grants the role or group ``ref`` on this login."""

    kind: GrantKind
    ref: str


@dataclass(frozen=True, slots=True)
class Withdraw:
    """This mapper no longer grants ``ref`` (revoked unless something else still grants it)."""

    kind: GrantKind
    ref: str


@dataclass(frozen=True, slots=True)
class SessionNote:
    """A note on the user session being created (read by "User Session Note" protocol mappers)."""

    name: str
    value: str


Effect: TypeAlias = SetIdentity | SetUsername | SetProfile | SetAttribute | Grant | Withdraw | SessionNote


def attribute_effect(name: str, values: tuple[str, ...]) -> Effect:
    """Route ``email``/``firstName``/``lastName`` (any case) to the profile, the rest to attributes.

    A profile field takes the first value; no value (or an empty one) clears it.
    """
    for profile_field in PROFILE_FIELDS:
        if name.lower() == profile_field.lower():
            return SetProfile(profile_field, values[0] if values and values[0] else None)
    return SetAttribute(name, values)


@dataclass(frozen=True, slots=True)
class MappingPlan:
    """Everything the mappers of one provider decided for one login.

    * ``model_username`` / ``upstream_id`` / ``upstream_username``: username template
      results (targets LOCAL / BROKER_ID / BROKER_USERNAME): the local username to create,
      and replacements for the upstream ``sub`` and username used to find and store the link;
    * ``username``, ``profile``, ``attributes``: changes to the local user (on a first login,
      values for the user being created); ``profile`` maps a field to its new value, None
      clears it; an empty attribute tuple removes the attribute; no-ops are left out;
    * ``grant_role_ids`` ... ``leave_group_ids``: mapping changes, never a role the user
      already holds, never revoking what an admin granted;
    * ``grants_added`` / ``grants_removed``: provenance records to write (see ``apply``);
    * ``session_notes``: notes for the new user session;
    * ``pinned_profile_fields``: profile fields owned by a mapper whose effective mode is
      IMPORT: the provider-level FORCE overwrite must leave them as they are (#43221);
    * ``problems``: human-readable reasons a mapper did nothing (unknown role, bad config),
      for the log only (no secrets in them).
    """

    model_username: str | None = None
    upstream_id: str | None = None
    upstream_username: str | None = None
    username: str | None = None
    profile: Mapping[ProfileField, str | None] = field(default_factory=dict)
    attributes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    grant_role_ids: frozenset[str] = frozenset()
    revoke_role_ids: frozenset[str] = frozenset()
    join_group_ids: frozenset[str] = frozenset()
    leave_group_ids: frozenset[str] = frozenset()
    grants_added: frozenset[MapperGrant] = frozenset()
    grants_removed: frozenset[MapperGrant] = frozenset()
    session_notes: Mapping[str, str] = field(default_factory=dict)
    pinned_profile_fields: frozenset[ProfileField] = frozenset()
    problems: tuple[str, ...] = ()
