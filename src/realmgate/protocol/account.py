"""The account REST API's profile (``GET /realms/{realm}/account``), as keycloak-js's
``loadUserProfile()`` reads it.

Keycloak accepts a bearer access token whose audience includes the ``account`` client and whose
``resource_access.account.roles`` hold ``view-profile`` or ``manage-account`` (every user's
default roles, put in the token by the ``roles`` scope). The answer is the subset of a
``UserRepresentation`` the account console shows: ``id username firstName lastName email
emailVerified attributes``.
"""

from __future__ import annotations

from realmgate.model.user import User
from realmgate.protocol.bearer import ValidToken, validate_access_token
from realmgate.protocol.errors import InsufficientScope, InvalidToken
from realmgate.protocol.mappers import Claims
from realmgate.protocol.realm_cache import RealmConfig
from realmgate.store.interface import Tx

ACCOUNT_CLIENT = "account"
PROFILE_ROLES = frozenset({"view-profile", "manage-account"})


def _audiences(claims: Claims) -> list[str]:
    aud = claims.get("aud")
    if isinstance(aud, str):
        return [aud]
    return [a for a in aud if isinstance(a, str)] if isinstance(aud, list) else []


def _account_roles(claims: Claims) -> set[str]:
    access = claims.get("resource_access")
    entry = access.get(ACCOUNT_CLIENT) if isinstance(access, dict) else None
    roles = entry.get("roles") if isinstance(entry, dict) else None
    return {r for r in roles if isinstance(r, str)} if isinstance(roles, list) else set()


async def account_token(tx: Tx, config: RealmConfig, token: str | None, *, issuer: str, now: int) -> ValidToken:
    """The valid token allowed to read its user's profile, else ``InvalidToken`` (401) or
    ``InsufficientScope`` (403)."""
    if not token:
        raise InvalidToken("Bearer token required")
    valid = await validate_access_token(tx, config, token, issuer=issuer, now=now)
    if valid is None:
        raise InvalidToken("Token verification failed")
    if ACCOUNT_CLIENT not in _audiences(valid.claims):
        raise InvalidToken("Token is not for the account service", detail="aud lacks account")
    if not _account_roles(valid.claims) & PROFILE_ROLES:
        raise InsufficientScope("view-profile or manage-account role required")
    return valid


def profile(user: User) -> dict[str, object]:
    """The account representation of ``user`` (Keycloak omits unset names and email)."""
    body: dict[str, object] = {"id": user.id, "username": user.username}
    for key, value in (("firstName", user.first_name), ("lastName", user.last_name), ("email", user.email)):
        if value is not None:
            body[key] = value
    body["emailVerified"] = user.email_verified
    body["attributes"] = {name: list(values) for name, values in user.attributes.items()}
    return body
