"""RealmRepresentation <-> ``Realm``.

Keycloak's realm JSON also carries the realm's contents (users, clients, roles, ...); those are
``handled_elsewhere`` (the import/export and admin services deal with them). Every other
setting is read back as it was written: the ones realmgate models are typed ``Realm`` fields,
the rest (brute force, OTP, WebAuthn, flows, SMTP, themes, ...) live in ``Realm.extra_settings``
(see ``realm_settings``). The few ``DROPPED`` fields are accepted and not kept; the importer
names them in its log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from realmgate.keycloak.representations._mapping import (
    JsonObject,
    Spec,
    from_rep,
    names,
    to_rep,
    unknown_fields,
)
from realmgate.keycloak.representations.realm_settings import DROPPED, SETTINGS, settings_from_rep, settings_to_rep
from realmgate.model.realm import Realm

# The realm's contents: processed by realm import/export and the admin services.
REALM_CONTENT_FIELDS = names(
    """
    users clients clientScopes roles groups defaultRole defaultRoles scopeMappings
    clientScopeMappings identityProviders identityProviderMappers components
    """
)

REALM_SPEC = Spec(
    cls=Realm,
    internal=frozenset({"default_role_id", "extra_settings"}),
    renames={"name": "realm"},
    ignored=DROPPED,
    handled_elsewhere=REALM_CONTENT_FIELDS | frozenset(SETTINGS),
)


def realm_to_rep(realm: Realm, *, include_secrets: bool = False) -> JsonObject:
    """The realm's settings, Keycloak's defaults for those never set, no contents
    (``defaultRole`` needs the store, see export); SMTP secrets masked unless asked for."""
    return to_rep(REALM_SPEC, realm) | settings_to_rep(realm.extra_settings, include_secrets=include_secrets)


def realm_from_rep(rep: Mapping[str, object], base: Realm, *, with_id: bool = False) -> tuple[Realm, list[str]]:
    """Apply ``rep`` onto ``base``; returns the realm and the unknown field names."""
    realm = from_rep(REALM_SPEC, rep, base, with_id=with_id)
    realm = dataclasses.replace(realm, extra_settings=settings_from_rep(rep, base.extra_settings))
    return realm, unknown_fields(REALM_SPEC, rep)


def dropped_fields(rep: Mapping[str, object]) -> list[str]:
    """The fields of ``rep`` that are accepted but not kept, in the order they appear."""
    return [name for name in rep if name in DROPPED]
