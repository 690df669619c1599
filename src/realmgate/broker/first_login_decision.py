"""The decisions of Keycloak's default "first broker login" flow and of later brokered logins,
as pure functions (reference §4.2-4.3).

``first_login_flow`` looks users up and writes to the store, the web layer shows the pages;
this module decides. It never links an upstream identity to an existing account by itself: an
account with the same email or username leads to ``CONFIRM_LINK``, which ``first_login_flow``
completes only after the user re-authenticates as that account (Keycloak's auto-link takeover,
issue #53041, is avoided by construction).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from realmgate.broker.connector import BrokeredIdentity
from realmgate.model.identity_provider import IdentityProvider
from realmgate.model.realm import Realm
from realmgate.model.user import FederatedIdentity, User

REVIEW_ON = "on"
REVIEW_MISSING = "missing"
REVIEW_OFF = "off"
PROFILE_FIELDS = ("email", "firstName", "lastName")


class Step(StrEnum):
    AUTH = "auth"  # a linked user: log in (after syncing the profile)
    REVIEW_PROFILE = "review_profile"  # show the review-profile page, then decide again
    CREATE = "create"  # create the user and the link
    CONFIRM_LINK = "confirm_link"  # an account exists: confirm, re-authenticate, then link
    DENY = "deny"


class DenyReason(StrEnum):
    PROVIDER_DISABLED = "provider_disabled"
    LINK_ONLY = "link_only"
    USER_DISABLED = "user_disabled"


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the store knows: the user linked to ``(alias, sub)``, the user with the proposed
    username, and the users with the identity's email."""

    linked_user: User | None = None
    user_by_username: User | None = None
    users_by_email: Sequence[User] = ()


@dataclass(frozen=True, slots=True)
class Decision:
    step: Step
    user: User | None = None  # AUTH: the linked user; CONFIRM_LINK: the existing account
    username: str | None = None  # CREATE: the local username to give the new user
    missing: tuple[str, ...] = ()  # REVIEW_PROFILE: empty profile fields
    duplicate: str | None = None  # CONFIRM_LINK: "email" or "username"
    reason: DenyReason | None = None


def proposed_username(identity: BrokeredIdentity, realm: Realm, *, mapper_username: str | None = None) -> str:
    """The local username: a username mapper's choice, else the email when the realm uses
    emails as usernames, else the upstream username, else ``alias.sub``; lower-cased."""
    if mapper_username:
        return mapper_username.lower()
    if realm.registration_email_as_username and identity.email:
        return identity.email.lower()
    return (identity.username or f"{identity.alias}.{identity.id}").lower()


def missing_profile_fields(identity: BrokeredIdentity) -> tuple[str, ...]:
    values = {"email": identity.email, "firstName": identity.first_name, "lastName": identity.last_name}
    return tuple(name for name in PROFILE_FIELDS if not values[name])


def decide(
    identity: BrokeredIdentity,
    *,
    idp: IdentityProvider,
    realm: Realm,
    lookups: Lookups,
    username: str,
    review_mode: str = REVIEW_MISSING,
    profile_reviewed: bool = False,
) -> Decision:
    """One step of the login after a valid callback. ``username`` is ``proposed_username``
    (the one ``lookups.user_by_username`` was looked up with); call again with
    ``profile_reviewed=True`` and the edited identity after the review page."""
    if not idp.enabled:
        return Decision(Step.DENY, reason=DenyReason.PROVIDER_DISABLED)
    if idp.link_only:
        return Decision(Step.DENY, reason=DenyReason.LINK_ONLY)
    linked = lookups.linked_user
    if linked is not None:
        if not linked.enabled:
            return Decision(Step.DENY, user=linked, reason=DenyReason.USER_DISABLED)
        return Decision(Step.AUTH, user=linked)
    if not profile_reviewed and review_mode != REVIEW_OFF:
        missing = missing_profile_fields(identity)
        if review_mode == REVIEW_ON or missing:
            return Decision(Step.REVIEW_PROFILE, missing=missing)
    if identity.email and not realm.duplicate_emails_allowed:
        email = identity.email.lower()
        for user in lookups.users_by_email:
            if (user.email or "").lower() == email:
                return Decision(Step.CONFIRM_LINK, user=user, duplicate="email")
    if lookups.user_by_username is not None:
        return Decision(Step.CONFIRM_LINK, user=lookups.user_by_username, duplicate="username")
    return Decision(Step.CREATE, username=username)


def may_link_after_reauthentication(existing: User, authenticated: User) -> bool:
    """The link is made only when the re-authenticated account is the existing one."""
    return existing.id == authenticated.id and authenticated.enabled


def _email_verified(identity: BrokeredIdentity, trust_email: bool) -> bool:
    """trustEmail marks the upstream's email verified, unless the upstream said it is not."""
    return bool(trust_email and identity.email and identity.email_verified is not False)


def new_user(
    identity: BrokeredIdentity,
    *,
    idp: IdentityProvider,
    realm_id: str,
    user_id: str,
    username: str,
    now_ms: int,
) -> User:
    """The user ``CREATE`` adds (Keycloak's ``idp-create-user-if-unique``)."""
    return User(
        id=user_id,
        realm_id=realm_id,
        username=username.lower(),
        email=identity.email.lower() if identity.email else None,
        first_name=identity.first_name,
        last_name=identity.last_name,
        enabled=True,
        email_verified=_email_verified(identity, idp.trust_email),
        created_timestamp=now_ms,
    )


def _link_username(identity: BrokeredIdentity, idp: IdentityProvider) -> str:
    case_sensitive = (idp.config.get("caseSensitiveOriginalUsername") or "").lower() == "true"
    return identity.username if case_sensitive else identity.username.lower()


def new_link(identity: BrokeredIdentity, *, idp: IdentityProvider, realm_id: str, user_id: str) -> FederatedIdentity:
    """The federated identity link; the token response only when the provider stores tokens."""
    return FederatedIdentity(
        realm_id=realm_id,
        user_id=user_id,
        identity_provider=idp.alias,
        idp_user_id=identity.id,
        idp_username=_link_username(identity, idp),
        token=identity.token if idp.store_token else None,
    )


def sync_mode(idp: IdentityProvider) -> str:
    """The provider's ``syncMode`` (absent means ``LEGACY``, which at provider level leaves
    the user as ``IMPORT`` does)."""
    mode = (idp.config.get("syncMode") or "LEGACY").upper()
    return mode if mode in ("LEGACY", "IMPORT", "FORCE") else "LEGACY"


def sync_user(user: User, identity: BrokeredIdentity, idp: IdentityProvider, *, pinned: Collection[str] = ()) -> User:
    """A later login's profile update: ``FORCE`` overwrites email, first and last name (an
    email removed upstream is cleared here, unlike Keycloak #40434); other modes leave it.

    ``pinned`` names profile fields (``email``, ``firstName``, ``lastName``) a mapper with its
    own ``IMPORT`` sync mode owns: they stay as they are (Keycloak #43221).
    """
    if sync_mode(idp) != "FORCE":
        return user
    email = user.email if "email" in pinned else (identity.email.lower() if identity.email else None)
    if email != user.email:
        verified = _email_verified(identity, idp.trust_email)
    elif idp.trust_email and email and identity.email_verified is not None and "email" not in pinned:
        verified = identity.email_verified
    else:
        verified = user.email_verified
    return replace(
        user,
        email=email,
        email_verified=verified,
        first_name=user.first_name if "firstName" in pinned else identity.first_name,
        last_name=user.last_name if "lastName" in pinned else identity.last_name,
    )


def sync_link(link: FederatedIdentity, identity: BrokeredIdentity, idp: IdentityProvider) -> FederatedIdentity:
    """A later login's link update: the stored token follows every login when the provider
    stores tokens; ``FORCE`` also refreshes the upstream username."""
    updated = link
    if idp.store_token and identity.token != link.token:
        updated = replace(updated, token=identity.token)
    if sync_mode(idp) == "FORCE":
        updated = replace(updated, idp_username=_link_username(identity, idp))
    return updated
