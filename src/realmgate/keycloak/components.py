"""Keycloak components other than key providers: JSON <-> ``Component``, the ones a fresh
realm gets, and their place in realm files.

A fresh Keycloak 26 realm has, besides its four key providers, eight client-registration policies
(``DefaultClientRegistrationPolicies``): for anonymous registration Trusted Hosts, Consent
Required, Full Scope Disabled, Max Clients Limit, Allowed Protocol Mapper Types and Allowed Client
Scopes; for authenticated registration the last two. realmgate stores them so the admin API and
exports show what Keycloak shows, but has no dynamic client registration for them to govern
(``keycloak.unenforced``). Config values are lists of strings, as in Keycloak; empty lists are not
kept (Keycloak's database keeps none either).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from realmgate.crypto.secrets import Randomness
from realmgate.keycloak.key_components import KEY_PROVIDER
from realmgate.keycloak.realm_file import MASKED_SECRET, ImportContext, join_path
from realmgate.model.component import Component
from realmgate.model.realm import Realm
from realmgate.store.interface import Tx

CLIENT_REGISTRATION_POLICY = "org.keycloak.services.clientregistration.policy.ClientRegistrationPolicy"
USER_STORAGE = "org.keycloak.storage.UserStorageProvider"
COMPONENTS = "components"  # the realm representation's field: provider type -> components
USER_PROFILE = "org.keycloak.userprofile.UserProfileProvider"
LDAP_MAPPER = "org.keycloak.storage.ldap.mappers.LDAPStorageMapper"
# The component types and providers Keycloak 26 ships that the admin API accepts (others are
# Keycloak's 400 "Invalid provider type or no such provider"); realmgate acts on none of them.
KNOWN_PROVIDERS: Mapping[str, frozenset[str]] = {
    CLIENT_REGISTRATION_POLICY: frozenset(
        {
            "trusted-hosts",
            "consent-required",
            "scope",
            "max-clients",
            "allowed-protocol-mappers",
            "allowed-client-templates",
            "client-disabled",
        }
    ),
    USER_STORAGE: frozenset({"ldap", "kerberos"}),
    USER_PROFILE: frozenset({"declarative-user-profile"}),
    LDAP_MAPPER: frozenset(
        {
            "user-attribute-ldap-mapper",
            "full-name-ldap-mapper",
            "group-ldap-mapper",
            "role-ldap-mapper",
            "hardcoded-ldap-role-mapper",
            "hardcoded-ldap-group-mapper",
            "hardcoded-ldap-attribute-mapper",
            "hardcoded-attribute-mapper",
            "certificate-ldap-mapper",
            "msad-user-account-control-mapper",
            "msad-lds-user-account-control-mapper",
        }
    ),
}
# Config entries Keycloak marks secret: shown as the mask, a mask sent back keeps the value.
SECRET_CONFIG = frozenset({"bindCredential"})
COMPONENT_FIELDS = frozenset({"id", "name", "providerId", "providerType", "parentId", "subType", "config"})

_ALLOWED_MAPPER_TYPES = (
    "saml-user-attribute-mapper",
    "oidc-usermodel-attribute-mapper",
    "saml-user-property-mapper",
    "oidc-usermodel-property-mapper",
    "oidc-full-name-mapper",
    "oidc-address-mapper",
    "oidc-sha256-pairwise-sub-mapper",
    "saml-role-list-mapper",
)
_GENERIC_POLICIES: tuple[tuple[str, str, dict[str, tuple[str, ...]]], ...] = (
    (
        "Allowed Protocol Mapper Types",
        "allowed-protocol-mappers",
        {"allowed-protocol-mapper-types": _ALLOWED_MAPPER_TYPES},
    ),
    ("Allowed Client Scopes", "allowed-client-templates", {"allow-default-scopes": ("true",)}),
)
_ANONYMOUS_POLICIES: tuple[tuple[str, str, dict[str, tuple[str, ...]]], ...] = (
    (
        "Trusted Hosts",
        "trusted-hosts",
        {"host-sending-registration-request-must-match": ("true",), "client-uris-must-match": ("true",)},
    ),
    ("Consent Required", "consent-required", {}),
    ("Full Scope Disabled", "scope", {}),
    ("Max Clients Limit", "max-clients", {"max-clients": ("200",)}),
    *_GENERIC_POLICIES,
)
DEFAULT_POLICIES = tuple(
    (sub_type, name, provider, config)
    for sub_type, policies in (("anonymous", _ANONYMOUS_POLICIES), ("authenticated", _GENERIC_POLICIES))
    for name, provider, config in policies
)


def default_components(realm_id: str, *, ids: Randomness) -> list[Component]:
    """The client-registration policies of a fresh Keycloak realm."""
    return [
        Component(
            id=ids.new_id(),
            realm_id=realm_id,
            name=name,
            provider_id=provider,
            provider_type=CLIENT_REGISTRATION_POLICY,
            parent_id=realm_id,
            sub_type=sub_type,
            config=dict(config),
        )
        for sub_type, name, provider, config in DEFAULT_POLICIES
    ]


def is_default_policy(component: Mapping[str, object]) -> bool:
    """Whether a component JSON is one of Keycloak's default client-registration policies."""
    try:
        config = read_config(component.get("config"))
    except ValueError:
        return False
    key = (component.get("subType"), component.get("name"), component.get("providerId"), config)
    return key in DEFAULT_POLICIES


def _components_of(rep: Mapping[str, object], provider_type: str) -> list[Mapping[str, object]]:
    components = rep.get(COMPONENTS)
    items = components.get(provider_type) if isinstance(components, Mapping) else None
    return [c for c in items if isinstance(c, Mapping)] if isinstance(items, list) else []


def registration_policy_checks(rep: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    """``keycloak.unenforced`` check: client-registration policies other than the defaults."""
    for component in _components_of(rep, CLIENT_REGISTRATION_POLICY):
        if not is_default_policy(component):
            yield COMPONENTS, f"client-registration policy {component.get('name')!r} ({component.get('providerId')})"


def user_storage_checks(rep: Mapping[str, object]) -> Iterator[tuple[str, str]]:
    """``keycloak.unenforced`` check: user storage providers (LDAP, Kerberos)."""
    for component in _components_of(rep, USER_STORAGE):
        yield COMPONENTS, f"user storage {component.get('name')!r} ({component.get('providerId')})"


def component_to_rep(component: Component, *, mask: bool = True) -> dict[str, object]:
    rep: dict[str, object] = {
        "id": component.id,
        "name": component.name,
        "providerId": component.provider_id,
        "providerType": component.provider_type,
        "parentId": component.parent_id,
    }
    if component.sub_type is not None:
        rep["subType"] = component.sub_type
    rep["config"] = {
        k: [MASKED_SECRET] if mask and k in SECRET_CONFIG else list(v) for k, v in component.config.items()
    }
    return rep


def read_config(value: object) -> dict[str, tuple[str, ...]]:
    """A component ``config`` (``MultivaluedHashMap``): a single value stands for a list of one;
    numbers and booleans are kept as their text. Raises ``ValueError``."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError("config must be an object")
    out: dict[str, tuple[str, ...]] = {}
    for key, raw in value.items():
        items = raw if isinstance(raw, list) else [raw]
        texts = []
        for item in items:
            if isinstance(item, bool):
                texts.append("true" if item else "false")
            elif isinstance(item, str | int | float):
                texts.append(str(item))
            elif item is not None:
                raise ValueError(f"config {key} must hold strings")
        if texts:
            out[str(key)] = tuple(texts)
    return out


def _export_one(component: Component, children: Mapping[str, Sequence[Component]]) -> dict[str, object]:
    rep = component_to_rep(component, mask=False)
    del rep["providerType"], rep["parentId"]
    subs: dict[str, list[dict[str, object]]] = {}
    for child in children.get(component.id, ()):
        subs.setdefault(child.provider_type, []).append(_export_one(child, children))
    rep["subComponents"] = subs
    return rep


def export_components(realm_id: str, components: Iterable[Component]) -> dict[str, list[dict[str, object]]]:
    """Keycloak's export shape: the realm's components by provider type, sub-components nested."""
    children: dict[str, list[Component]] = {}
    for component in components:
        children.setdefault(component.parent_id, []).append(component)
    out: dict[str, list[dict[str, object]]] = {}
    for component in children.get(realm_id, ()):
        out.setdefault(component.provider_type, []).append(_export_one(component, children))
    return out


async def _import_list(
    ctx: ImportContext, tx: Tx, realm: Realm, items: object, provider_type: str, parent_id: str, path: str
) -> None:
    if not isinstance(items, list):
        raise ctx.error(path, "must be an array of components")
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        if not isinstance(item, Mapping):
            raise ctx.error(where, "must be an object")
        provider, name = item.get("providerId"), item.get("name")
        if not isinstance(provider, str):
            raise ctx.error(where, "a component needs a providerId")
        try:
            config = read_config(item.get("config"))
        except ValueError as exc:
            raise ctx.error(join_path(where, "config"), str(exc)) from None
        sub_type = item.get("subType")
        given = item.get("id")
        component = Component(
            id=given if isinstance(given, str) and given else ctx.ids.new_id(),
            realm_id=realm.id,
            name=name if isinstance(name, str) else "",
            provider_id=provider,
            provider_type=provider_type,
            parent_id=parent_id,
            sub_type=sub_type if isinstance(sub_type, str) else None,
            config=config,
        )
        await ctx.store(where, tx.components.add(component))
        subs = item.get("subComponents") or {}
        if not isinstance(subs, Mapping):
            raise ctx.error(join_path(where, "subComponents"), "must be an object")
        for sub_type_name, sub_items in subs.items():
            sub_path = join_path(join_path(where, "subComponents"), str(sub_type_name))
            await _import_list(ctx, tx, realm, sub_items, str(sub_type_name), component.id, sub_path)


async def import_components(ctx: ImportContext, tx: Tx, realm: Realm, rep: Mapping[str, object]) -> None:
    """Store the file's components other than key providers (``key_components`` imports those)."""
    components = ctx.mapping(rep, "components", "$")
    for provider_type, items in components.items():
        if provider_type != KEY_PROVIDER:
            path = join_path("$.components", str(provider_type))
            await _import_list(ctx, tx, realm, items, str(provider_type), realm.id, path)
