"""UserRepresentation, CredentialRepresentation and FederatedIdentityRepresentation <-> model.

Role mappings, groups, credentials and links inside a user's JSON are separate resources in the
store; the import and the admin services process those fields (``handled_elsewhere``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from realmgate.crypto.passwords import (
    PASSWORD_TYPE,
    PasswordDataError,
    new_password_credential,
    parse_stored,
    stored_password_credential,
)
from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.representations._mapping import (
    JsonObject,
    RepresentationError,
    Spec,
    from_rep,
    names,
    to_rep,
    unknown_fields,
)
from realmgate.model.user import Credential, FederatedIdentity, User

USER_SPEC = Spec(
    cls=User,
    internal=frozenset({"realm_id", "service_account_client_id"}),
    ignored=names(
        """
        totp disableableCredentialTypes access federationLink origin self clientConsents
        userProfileMetadata applicationRoles socialLinks
        """
    ),
    handled_elsewhere=names("credentials realmRoles clientRoles groups federatedIdentities serviceAccountClientId"),
)

CREDENTIAL_SPEC = Spec(
    cls=Credential,
    internal=frozenset({"user_id"}),
    ignored=names(
        """
        device hashedSaltedValue salt hashIterations counter algorithm digits period config
        """
    ),
    handled_elsewhere=names("value temporary"),
)

FEDERATED_IDENTITY_SPEC = Spec(
    cls=FederatedIdentity,
    internal=frozenset({"realm_id", "user_id", "token"}),
    renames={"idp_user_id": "userId", "idp_username": "userName"},
)


def user_to_rep(user: User) -> JsonObject:
    """The user's own fields (``serviceAccountClientId`` needs the client's public id: caller)."""
    return to_rep(USER_SPEC, user)


def user_from_rep(rep: Mapping[str, object], base: User, *, with_id: bool = False) -> tuple[User, list[str]]:
    """Apply ``rep`` onto ``base``; username and email are lower-cased as Keycloak stores them."""
    user = from_rep(USER_SPEC, rep, base, with_id=with_id)
    if not user.username:
        raise RepresentationError("username", "is required")
    email = user.email.lower() if user.email else None
    return replace(user, username=user.username.lower(), email=email), unknown_fields(USER_SPEC, rep)


def credential_to_rep(credential: Credential) -> JsonObject:
    """Keycloak's full CredentialRepresentation (realm export). Never send it to a browser."""
    return to_rep(CREDENTIAL_SPEC, credential)


@dataclass(frozen=True, slots=True)
class CredentialInput:
    """A credential read from JSON; ``temporary`` asks for the UPDATE_PASSWORD action."""

    credential: Credential
    temporary: bool
    unknown: list[str]


def credential_from_rep(
    rep: Mapping[str, object],
    user_id: str,
    *,
    now_ms: int,
    ids: Randomness,
    policy: str | None = None,
    with_id: bool = False,
) -> CredentialInput:
    """A stored credential from Keycloak JSON: a plain ``value`` is hashed per ``policy``,
    hashed ``secretData``/``credentialData`` are copied as they are (after validation)."""
    kind = rep.get("type", PASSWORD_TYPE)
    if kind != PASSWORD_TYPE:
        raise RepresentationError("type", "unknown credential type")
    temporary = rep.get("temporary", False)
    if not isinstance(temporary, bool):
        raise RepresentationError("temporary", "must be a boolean")
    value = rep.get("value")
    if value is not None:
        if not isinstance(value, str):
            raise RepresentationError("value", "must be a string")
        base = new_password_credential(user_id, value, now_ms=now_ms, ids=ids, policy=policy)
    else:
        secret_data, credential_data = rep.get("secretData"), rep.get("credentialData")
        if not isinstance(secret_data, str) or not isinstance(credential_data, str):
            raise RepresentationError("secretData", "a credential needs value or secretData/credentialData")
        try:
            parse_stored(secret_data, credential_data)
        except PasswordDataError as exc:
            raise RepresentationError("credentialData", str(exc)) from exc
        base = stored_password_credential(user_id, secret_data, credential_data, now_ms=now_ms, ids=ids)
    rest = {k: v for k, v in rep.items() if k not in ("secretData", "credentialData")}
    credential = from_rep(CREDENTIAL_SPEC, rest, base, with_id=with_id)
    return CredentialInput(credential, temporary, unknown_fields(CREDENTIAL_SPEC, rep))


def federated_identity_to_rep(link: FederatedIdentity) -> JsonObject:
    return to_rep(FEDERATED_IDENTITY_SPEC, link)


def federated_identity_from_rep(
    rep: Mapping[str, object], *, realm_id: str, user_id: str
) -> tuple[FederatedIdentity, list[str]]:
    base = FederatedIdentity(realm_id=realm_id, user_id=user_id, identity_provider="", idp_user_id="", idp_username="")
    link = from_rep(FEDERATED_IDENTITY_SPEC, rep, base)
    for field_name, value in (("identityProvider", link.identity_provider), ("userId", link.idp_user_id)):
        if not value:
            raise RepresentationError(field_name, "is required")
    return link, unknown_fields(FEDERATED_IDENTITY_SPEC, rep)
