"""``/admin/realms/{realm}/components``: Keycloak's generic component API.

Key providers are the realm's keys (``realm_keys``), shown with the kid as component id and the
private material masked; creating one generates or imports a key, updating one changes its
priority, active and enabled flags (and name), deleting one deletes the key, so ``keys`` shows
what this API did. Every other component (client-registration policies, user storage, ...) is
stored as given and, as ``keycloak.unenforced`` says, not acted on: each write logs what has no
effect. Errors as Keycloak's ``ComponentResource``: ``Could not find component`` (404), ``Invalid
provider type or no such provider`` (400).
"""

from __future__ import annotations

import binascii
import dataclasses
from typing import Any

from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object
from realmgate.keycloak.components import KNOWN_PROVIDERS, SECRET_CONFIG, component_to_rep, read_config
from realmgate.keycloak.key_components import KEY_PROVIDER, key_component_rep, key_from_component, key_with_settings
from realmgate.keycloak.realm_file import MASKED_SECRET
from realmgate.keycloak.unenforced import component_findings, log_findings
from realmgate.model.component import Component
from realmgate.model.keys import RealmKey

NOT_FOUND = "Could not find component"
INVALID_PROVIDER = "Invalid provider type or no such provider"


def _config(rep: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    try:
        return read_config(rep.get("config"))
    except ValueError as exc:
        raise AdminError.bad_request(f"Invalid value for config: {exc}") from None


def _key_config(rep: dict[str, Any]) -> dict[str, list[str]]:
    """The config as realm files carry it (lists), which ``key_components`` reads."""
    return {k: list(v) for k, v in _config(rep).items()}


def _opt_text(rep: dict[str, Any], name: str) -> str | None:
    value = rep.get(name)
    if value is not None and not isinstance(value, str):
        raise AdminError.bad_request(f"Invalid value for {name}: must be a string")
    return value


async def _find(call: AdminCall, id: str) -> RealmKey | Component:
    key = next((k for k in await call.tx.keys.list(call.realm.id) if k.kid == id), None)
    found = key or await call.tx.components.get(call.realm.id, id)
    if found is None:
        raise AdminError.not_found(NOT_FOUND)
    return found


def _rep(item: RealmKey | Component) -> dict[str, object]:
    return key_component_rep(item) if isinstance(item, RealmKey) else component_to_rep(item)


def _log_unenforced(call: AdminCall, component: Component) -> None:
    rep = component_to_rep(component)
    found = component_findings({component.provider_type: [rep]})
    log_findings(call.realm.name, found, context="admin API")


async def list_components(call: AdminCall) -> object:
    realm = call.realm
    parent, kind, name = call.str_arg("parent"), call.str_arg("type"), call.str_arg("name")
    items: list[dict[str, object]] = []
    if parent in (None, realm.id) and kind in (None, KEY_PROVIDER):
        items += [key_component_rep(k) for k in await call.tx.keys.list(realm.id)]
    # Keycloak: a type without a parent means the realm's own components of that type.
    stored_parent = realm.id if parent is None and kind is not None else parent
    stored = await call.tx.components.list(realm.id, parent=stored_parent, provider_type=kind)
    items += [component_to_rep(c) for c in stored]
    return [item for item in items if name is None or item["name"] == name]


async def get_component(call: AdminCall) -> object:
    return _rep(await _find(call, call.path["id"]))


def _check_provider(provider_type: str | None, provider_id: str | None) -> tuple[str, str]:
    """(type, provider) when Keycloak has such a provider; key providers are checked on creation."""
    if provider_type is None or provider_id is None:
        raise AdminError.web(400, INVALID_PROVIDER)
    if provider_type != KEY_PROVIDER and provider_id not in KNOWN_PROVIDERS.get(provider_type, frozenset()):
        raise AdminError.web(400, INVALID_PROVIDER)
    return provider_type, provider_id


async def _create_key(call: AdminCall, rep: dict[str, Any], provider_id: str) -> Created:
    try:
        key = key_from_component(call.realm, provider_id, _key_config(rep), now=call.now, ids=call.ids)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise AdminError.bad_request(f"Invalid key provider configuration: {exc}") from None
    await call.tx.keys.add(dataclasses.replace(key, name=_opt_text(rep, "name")))
    return Created(key.kid)


async def create_component(call: AdminCall) -> Created:
    rep = body_object(call.body)
    provider_type, provider_id = _check_provider(_opt_text(rep, "providerType"), _opt_text(rep, "providerId"))
    if provider_type == KEY_PROVIDER:
        return await _create_key(call, rep, provider_id)
    given = _opt_text(rep, "id")
    component = Component(
        id=given or call.ids.new_id(),
        realm_id=call.realm.id,
        name=_opt_text(rep, "name") or "",
        provider_id=provider_id,
        provider_type=provider_type,
        parent_id=_opt_text(rep, "parentId") or call.realm.id,
        sub_type=_opt_text(rep, "subType"),
        config=_config(rep),
    )
    await call.tx.components.add(component)
    _log_unenforced(call, component)
    return Created(component.id)


def _merged_config(current: Component, rep: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Keycloak's update: entries the body has replace the stored ones (a masked secret keeps
    the stored value), entries it leaves out stay."""
    if rep.get("config") is None:
        return dict(current.config)
    merged = dict(current.config)
    for key, values in _config(rep).items():
        if key in SECRET_CONFIG and values == (MASKED_SECRET,):
            continue
        merged[key] = values
    return merged


async def update_component(call: AdminCall) -> None:
    current = await _find(call, call.path["id"])
    rep = body_object(call.body)
    if isinstance(current, RealmKey):
        await call.tx.keys.update(key_with_settings(current, _key_config(rep), _opt_text(rep, "name")))
        return
    updated = dataclasses.replace(
        current,
        name=_opt_text(rep, "name") or current.name,
        provider_id=_opt_text(rep, "providerId") or current.provider_id,
        provider_type=_opt_text(rep, "providerType") or current.provider_type,
        parent_id=_opt_text(rep, "parentId") or current.parent_id,
        sub_type=_opt_text(rep, "subType") or current.sub_type,
        config=_merged_config(current, rep),
    )
    _check_provider(updated.provider_type, updated.provider_id)
    await call.tx.components.update(updated)
    _log_unenforced(call, updated)


async def delete_component(call: AdminCall) -> None:
    found = await _find(call, call.path["id"])
    if isinstance(found, RealmKey):
        await call.tx.keys.delete(call.realm.id, found.kid)
    else:
        await call.tx.components.delete(call.realm.id, found.id)


async def sub_component_types(call: AdminCall) -> object:
    """realmgate runs no sub-component providers (LDAP mappers and the like): none are offered."""
    stored = await call.tx.components.get(call.realm.id, call.path["id"])
    if stored is None:
        raise AdminError.not_found("Could not find parent component")
    if not call.str_arg("type"):
        raise AdminError.web(400, "must specify a subtype")
    return []
