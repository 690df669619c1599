"""The first-broker-login decisions and the later-login sync, as pure functions."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.broker.identities import slave_identity

from realmgate.broker.connector import BrokeredIdentity
from realmgate.broker.first_login_decision import (
    Decision,
    DenyReason,
    Lookups,
    Step,
    decide,
    may_link_after_reauthentication,
    new_link,
    new_user,
    proposed_username,
    sync_link,
    sync_user,
)
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.realm import Realm
from realmgate.model.user import FederatedIdentity, User

REALM = Realm(id="r", name="master_realm")
IDP = IdentityProvider(internal_id="i", realm_id="r", alias="slave", provider_id="keycloak-oidc")
IDENTITY = slave_identity(username="Slave_User", email="Slave@Example.com", token='{"access_token":"at"}')
NOBODY = Lookups()
ALICE = User(id="u-alice", realm_id="r", username="alice", email="slave@example.com")


def _decide(
    identity: BrokeredIdentity = IDENTITY,
    *,
    idp: IdentityProvider = IDP,
    lookups: Lookups = NOBODY,
    realm: Realm = REALM,
    review_mode: str = "missing",
    profile_reviewed: bool = False,
) -> Decision:
    return decide(
        identity,
        idp=idp,
        realm=realm,
        lookups=lookups,
        username=proposed_username(identity, realm),
        review_mode=review_mode,
        profile_reviewed=profile_reviewed,
    )


def test_proposed_username() -> None:
    assert proposed_username(IDENTITY, REALM) == "slave_user"
    assert proposed_username(IDENTITY, replace(REALM, registration_email_as_username=True)) == "slave@example.com"
    assert proposed_username(IDENTITY, REALM, mapper_username="Slave.Mapped") == "slave.mapped"
    assert proposed_username(replace(IDENTITY, username=""), REALM) == "slave.sub-1"


def test_linked_user_logs_in() -> None:
    decision = _decide(lookups=Lookups(linked_user=ALICE, users_by_email=[ALICE]))
    assert (decision.step, decision.user) == (Step.AUTH, ALICE)


def test_disabled_linked_user_is_denied() -> None:
    decision = _decide(lookups=Lookups(linked_user=replace(ALICE, enabled=False)))
    assert (decision.step, decision.reason) == (Step.DENY, DenyReason.USER_DISABLED)


@pytest.mark.parametrize(
    ("idp", "reason"),
    [
        (replace(IDP, link_only=True), DenyReason.LINK_ONLY),
        (replace(IDP, enabled=False), DenyReason.PROVIDER_DISABLED),
    ],
)
def test_link_only_or_disabled_provider_is_denied(idp: IdentityProvider, reason: DenyReason) -> None:
    decision = _decide(idp=idp, lookups=Lookups(linked_user=ALICE))
    assert (decision.step, decision.reason) == (Step.DENY, reason)


def test_complete_profile_creates_a_user() -> None:
    decision = _decide()
    assert (decision.step, decision.username) == (Step.CREATE, "slave_user")


def test_missing_fields_lead_to_review_then_creation() -> None:
    partial = replace(IDENTITY, email=None, last_name=None)
    decision = _decide(partial)
    assert (decision.step, decision.missing) == (Step.REVIEW_PROFILE, ("email", "lastName"))
    reviewed = replace(partial, email="new@example.com", last_name="User")
    assert _decide(reviewed, profile_reviewed=True).step is Step.CREATE


def test_review_modes_on_and_off() -> None:
    assert _decide(review_mode="on").step is Step.REVIEW_PROFILE
    assert _decide(replace(IDENTITY, email=None), review_mode="off").step is Step.CREATE


def test_same_email_needs_confirmation_never_a_silent_link() -> None:
    decision = _decide(lookups=Lookups(users_by_email=[ALICE]))
    assert (decision.step, decision.user, decision.duplicate) == (Step.CONFIRM_LINK, ALICE, "email")


def test_same_username_needs_confirmation() -> None:
    other = User(id="u2", realm_id="r", username="slave_user")
    decision = _decide(lookups=Lookups(user_by_username=other))
    assert (decision.step, decision.user, decision.duplicate) == (Step.CONFIRM_LINK, other, "username")


def test_duplicate_emails_allowed_ignores_email_matches() -> None:
    realm = replace(REALM, duplicate_emails_allowed=True)
    assert _decide(lookups=Lookups(users_by_email=[ALICE]), realm=realm).step is Step.CREATE


def test_reauthentication_must_be_the_existing_account() -> None:
    assert may_link_after_reauthentication(ALICE, ALICE)
    assert not may_link_after_reauthentication(ALICE, replace(ALICE, id="other"))
    assert not may_link_after_reauthentication(ALICE, replace(ALICE, enabled=False))


def test_new_user_and_link() -> None:
    user = new_user(IDENTITY, idp=IDP, realm_id="r", user_id="u9", username="Slave_User", now_ms=5)
    assert (user.username, user.email, user.first_name, user.last_name) == (
        "slave_user",
        "slave@example.com",
        "Slave",
        "User",
    )
    assert user.email_verified is False  # not trusted
    trusted = replace(IDP, trust_email=True)
    assert new_user(IDENTITY, idp=trusted, realm_id="r", user_id="u9", username="x", now_ms=5).email_verified
    unverified = replace(IDENTITY, email_verified=False)
    assert not new_user(unverified, idp=trusted, realm_id="r", user_id="u9", username="x", now_ms=5).email_verified
    link = new_link(IDENTITY, idp=IDP, realm_id="r", user_id="u9")
    assert (link.identity_provider, link.idp_user_id, link.idp_username, link.token) == (
        "slave",
        "sub-1",
        "slave_user",
        None,
    )
    stored = new_link(IDENTITY, idp=replace(IDP, store_token=True), realm_id="r", user_id="u9")
    assert stored.token == IDENTITY.token
    kept_case = replace(IDP, config={"caseSensitiveOriginalUsername": "true"})
    assert new_link(IDENTITY, idp=kept_case, realm_id="r", user_id="u9").idp_username == "Slave_User"


USER = User(id="u1", realm_id="r", username="slave_user", email="old@example.com", first_name="Old", last_name="Name")


@pytest.mark.parametrize("mode", [None, "IMPORT", "LEGACY"])
def test_import_and_legacy_leave_the_user(mode: str | None) -> None:
    idp = replace(IDP, config={"syncMode": mode} if mode else {})
    assert sync_user(USER, IDENTITY, idp) is USER


def test_force_overwrites_profile_and_clears_a_removed_email() -> None:
    idp = replace(IDP, config={"syncMode": "FORCE"}, trust_email=True)
    updated = sync_user(USER, IDENTITY, idp)
    assert (updated.email, updated.first_name, updated.last_name, updated.email_verified) == (
        "slave@example.com",
        "Slave",
        "User",
        True,
    )
    cleared = sync_user(USER, replace(IDENTITY, email=None), idp)
    assert cleared.email is None and cleared.email_verified is False


def test_force_without_trust_email_does_not_verify() -> None:
    idp = replace(IDP, config={"syncMode": "FORCE"})
    assert sync_user(USER, IDENTITY, idp).email_verified is False
    verified = replace(USER, email="slave@example.com", email_verified=True)
    assert sync_user(verified, IDENTITY, idp).email_verified is True  # unchanged email keeps its state


def test_link_sync_updates_token_and_forced_username() -> None:
    link = FederatedIdentity(
        realm_id="r",
        user_id="u1",
        identity_provider="slave",
        idp_user_id="sub-1",
        idp_username="old",
        token="t0",
    )
    assert sync_link(link, IDENTITY, IDP) is link
    stored = sync_link(link, IDENTITY, replace(IDP, store_token=True))
    assert (stored.token, stored.idp_username) == (IDENTITY.token, "old")
    forced = sync_link(link, IDENTITY, replace(IDP, config={"syncMode": "FORCE"}))
    assert (forced.token, forced.idp_username) == ("t0", "slave_user")
