"""Applying a plan's user changes after the provider-level sync."""

from __future__ import annotations

import dataclasses

from realmgate.broker.mappers.effects import MappingPlan
from realmgate.broker.mappers.user_update import updated_user
from realmgate.model.user import User

ORIGINAL = User(
    id="u",
    realm_id="r",
    username="alice",
    email="mine@x.org",
    email_verified=True,
    first_name="Al",
    last_name="Smith",
    attributes={"department": ("R&D",), "keep": ("k",)},
)
# What a FORCE provider's own sync made of it.
SYNCED = dataclasses.replace(ORIGINAL, email="theirs@x.org", email_verified=False, first_name="Alice")


def test_pinned_fields_go_back_to_their_original_values() -> None:
    result = updated_user(ORIGINAL, SYNCED, MappingPlan(pinned_profile_fields=frozenset({"email"})))
    assert (result.email, result.email_verified, result.first_name) == ("mine@x.org", True, "Alice")


def test_mapper_decisions_win_and_an_email_they_change_is_unverified() -> None:
    plan = MappingPlan(
        username="Slave.Alice",
        profile={"email": "work@x.org", "lastName": None},
        attributes={"department": ("Sales",), "keep": (), "new": ("a", "b")},
    )
    result = updated_user(ORIGINAL, SYNCED, plan)
    assert result.username == "slave.alice"
    assert (result.email, result.email_verified, result.last_name) == ("work@x.org", False, None)
    assert result.attributes == {"department": ("Sales",), "new": ("a", "b")}
    assert ORIGINAL.attributes == {"department": ("R&D",), "keep": ("k",)}


def test_same_email_keeps_its_verification_and_empty_plan_changes_nothing() -> None:
    verified = dataclasses.replace(SYNCED, email_verified=True)
    assert updated_user(ORIGINAL, verified, MappingPlan(profile={"email": "theirs@x.org"})).email_verified
    assert updated_user(ORIGINAL, SYNCED, MappingPlan()) == SYNCED
