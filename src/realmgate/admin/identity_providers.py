"""``/admin/realms/{realm}/identity-provider/...``: identity providers of a realm, as Keycloak's
``IdentityProvidersResource`` and ``IdentityProviderResource`` serve them (reference §2).

Texts and codes as Keycloak: a duplicate alias is 409 ``Identity Provider X already exists``,
an unknown one 404 ``HTTP 404 Not Found``, an unknown type 400 ``Invalid identity
provider id [X]``. ``clientSecret`` is always masked on the way out; a PUT that sends the
mask back keeps the stored secret (``merge_secret_on_update``). A PUT with a new alias moves the
users' links and the provider's mappers to it. Updating or deleting a provider (like
``clear-keys-cache``) moves the realm's config version, so every instance's upstream key cache
forgets that provider's keys on its next use (``UpstreamKeyCache.follow``).

``import_config`` and ``reload_keys`` call upstreams, so they run outside the store transaction
the admin route table opens for its operations; ``web.broker.admin_routes`` serves them.
They get the process's upstream HTTP client and key cache from their caller.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

import httpx

from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object, read
from realmgate.broker.errors import BrokerError
from realmgate.broker.oidc.config import mask_config, merge_secret_on_update, parse_config
from realmgate.broker.oidc.discovery import import_from_url
from realmgate.broker.oidc.keys import UpstreamKeyCache
from realmgate.broker.registry import provider_type
from realmgate.keycloak.representations import identity_provider_from_rep, identity_provider_to_rep
from realmgate.model.identity_provider import IdentityProvider
from realmgate.store.interface import Tx

REPRESENTATION = "IdentityProviderRepresentation"
NOT_FOUND = "HTTP 404 Not Found"


def to_rep(idp: IdentityProvider) -> dict[str, Any]:
    rep = dict(identity_provider_to_rep(idp))
    rep["config"] = mask_config(idp.config)
    return rep


async def _find(tx: Tx, realm_id: str, alias_or_id: str, *, for_update: bool = False) -> IdentityProvider:
    """By alias, or by internal id as Keycloak also accepts."""
    idp = await tx.identity_providers.get(realm_id, alias_or_id, for_update=for_update)
    if idp is None:
        idp = next((i for i in await tx.identity_providers.list(realm_id) if i.internal_id == alias_or_id), None)
    if idp is None:
        raise AdminError.not_found(NOT_FOUND)
    return idp


def _validate(call: AdminCall, idp: IdentityProvider) -> None:
    if any(ch.isspace() for ch in idp.alias) or "/" in idp.alias:
        raise AdminError.bad_request("Invalid alias: it must not contain spaces or slashes")
    try:
        provider_type(idp.provider_id).validate(idp.provider_id, idp.config, ssl_required=call.realm.ssl_required)
    except BrokerError as exc:
        raise AdminError.bad_request(exc.message) from None


def _matches(idp: IdentityProvider, search: str | None) -> bool:
    """Keycloak's search: prefix by default, ``*x*`` contains, ``"x"`` exact."""
    if not search:
        return True
    if len(search) > 1 and search.startswith('"') and search.endswith('"'):
        return idp.alias == search[1:-1]
    if search.startswith("*") or search.endswith("*"):
        return search.strip("*").lower() in idp.alias.lower()
    return idp.alias.lower().startswith(search.lower())


async def list_providers(call: AdminCall) -> object:
    first, maximum = call.page()
    search = call.str_arg("search")
    found = sorted(
        (i for i in await call.tx.identity_providers.list(call.realm.id) if _matches(i, search)),
        key=lambda i: i.alias,
    )
    page = found[first : first + maximum if maximum is not None else None]
    if call.bool_arg("briefRepresentation", False):
        return [
            {"alias": i.alias, "displayName": i.display_name, "providerId": i.provider_id, "enabled": i.enabled}
            for i in page
        ]
    return [to_rep(i) for i in page]


async def create_provider(call: AdminCall) -> Created:
    tx, realm = call.tx, call.realm
    base = IdentityProvider(internal_id=call.ids.new_id(), realm_id=realm.id, alias="", provider_id="")
    idp = read(identity_provider_from_rep, call.body, base, REPRESENTATION)
    idp = replace(idp, internal_id=base.internal_id, realm_id=realm.id)
    _validate(call, idp)
    if await tx.identity_providers.get(realm.id, idp.alias) is not None:
        raise AdminError.conflict(f"Identity Provider {idp.alias} already exists")
    await tx.identity_providers.add(idp)
    return Created(idp.alias)


async def get_provider(call: AdminCall) -> object:
    return to_rep(await _find(call.tx, call.realm.id, call.path["alias"]))


async def update_provider(call: AdminCall) -> None:
    tx, realm = call.tx, call.realm
    old = await _find(tx, realm.id, call.path["alias"], for_update=True)
    rep = body_object(call.body)
    if isinstance(rep.get("config"), Mapping):
        try:
            rep = {**rep, "config": merge_secret_on_update(old.config, rep["config"])}
        except BrokerError as exc:
            raise AdminError.bad_request(exc.message) from None
    new = read(identity_provider_from_rep, rep, old, REPRESENTATION)
    new = replace(new, internal_id=old.internal_id, realm_id=realm.id)
    _validate(call, new)
    if new.alias != old.alias and await tx.identity_providers.get(realm.id, new.alias) is not None:
        raise AdminError.conflict(f"Identity Provider {new.alias} already exists")
    await tx.identity_providers.update(new)
    if new.alias != old.alias:
        await tx.federated_identities.rename_alias(realm.id, old.alias, new.alias)
        for mapper in await tx.idp_mappers.list(realm.id, old.alias):
            await tx.idp_mappers.update(replace(mapper, identity_provider_alias=new.alias))


async def delete_provider(call: AdminCall) -> None:
    idp = await _find(call.tx, call.realm.id, call.path["alias"])
    await call.tx.identity_providers.delete(call.realm.id, idp.alias)


async def provider_info(call: AdminCall) -> object:
    try:
        return provider_type(call.path["provider_id"]).info()
    except BrokerError as exc:
        raise AdminError.bad_request(exc.message) from None


async def import_config(
    http: httpx.AsyncClient, provider_id: object, *, url: object = None, document: bytes | None = None
) -> object:
    """``import-config``: the config map of a discovery document fetched from ``url`` (JSON
    body ``{providerId, fromUrl}``) or uploaded (multipart ``file``). Called outside any store
    transaction: it makes an HTTP call, possibly to this very server."""
    if not isinstance(provider_id, str) or not provider_id:
        raise AdminError.bad_request("Invalid value for body: providerId is required")
    try:
        kind = provider_type(provider_id)
        if document is not None:
            return kind.parse_metadata(document)
        if not isinstance(url, str) or not url:
            raise AdminError.bad_request("Invalid value for body: fromUrl is required")
        return await import_from_url(http, url, kind.parse_metadata)
    except BrokerError as exc:
        raise AdminError.bad_request(exc.message) from None


async def reload_keys(keys: UpstreamKeyCache, idp: IdentityProvider) -> bool:
    """``reload-keys``: ``true`` when the provider's JWKS was fetched again (enabled and using a
    JWKS URL). Outside any store transaction, like ``import_config``."""
    if not idp.enabled:
        return False
    try:
        return await keys.reload(idp.internal_id, parse_config(idp.provider_id, idp.config))
    except BrokerError:
        return False


async def find_provider(tx: Tx, realm_id: str, alias_or_id: str) -> IdentityProvider:
    return await _find(tx, realm_id, alias_or_id)


async def clear_keys_cache(call: AdminCall) -> None:
    """``POST /admin/realms/{realm}/clear-keys-cache``: the realm's version moves, so every
    instance, this one included, forgets its providers' keys on their next use."""
    await call.tx.realms.touch(call.realm.id)
