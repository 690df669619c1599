"""A user's links to upstream identity providers (``/users/{id}/federated-identity``).

As in Keycloak, a link is stored whatever its provider alias (an identity provider of that
alias may come later) and the listing shows only links to the realm's existing providers; a
second link to the same provider is 409 ``User is already linked with provider``; removing a
missing link is 404 ``Link not found``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object, read
from realmgate.keycloak.representations import federated_identity_from_rep, federated_identity_to_rep
from realmgate.model.user import FederatedIdentity


async def list_links(call: AdminCall) -> object:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    links = await call.tx.federated_identities.list_for_user(call.realm.id, user.id)
    aliases = {idp.alias for idp in await call.tx.identity_providers.list(call.realm.id)}
    shown = sorted((li for li in links if li.identity_provider in aliases), key=lambda li: li.identity_provider)
    return [federated_identity_to_rep(li) for li in shown]


async def add_link(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    user = await lookup.user(tx, realm, call.path["id"])
    alias = call.path["provider"]
    rep = {**body_object(call.body), "identityProvider": alias}

    def convert(r: Mapping[str, object], base: None) -> tuple[FederatedIdentity, list[str]]:
        return federated_identity_from_rep(r, realm_id=realm.id, user_id=user.id)

    link = read(convert, rep, None, "FederatedIdentityRepresentation")
    if any(li.identity_provider == alias for li in await tx.federated_identities.list_for_user(realm.id, user.id)):
        raise AdminError.conflict("User is already linked with provider")
    if await tx.federated_identities.get_by_upstream(realm.id, alias, link.idp_user_id) is not None:
        raise AdminError.conflict("User is already linked with provider")
    await tx.federated_identities.add(replace(link, identity_provider=alias, user_id=user.id))


async def remove_link(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    user = await lookup.user(tx, realm, call.path["id"])
    alias = call.path["provider"]
    if not any(li.identity_provider == alias for li in await tx.federated_identities.list_for_user(realm.id, user.id)):
        raise AdminError.not_found("Link not found")
    await tx.federated_identities.delete(realm.id, user.id, alias)
