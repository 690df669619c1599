"""``/admin/serverinfo``, ``/admin/{realm}/console/whoami`` and the realm's ``keys`` listing.

Server info is truthful: realmgate's own version, and only the identity provider types and
protocol mapper types realmgate implements (Keycloak's admin clients read these lists to offer
choices, so listing anything more would offer what cannot work). Only keys Keycloak's
ServerInfoRepresentation has: clients such as python-keycloak check the set of keys. Identity
provider mapper types are listed per provider type, as in Keycloak.
"""

from __future__ import annotations

import base64
import platform
import time
from typing import Any

from realmgate import __version__
from realmgate.admin import auth as admin_auth
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import realm_not_found
from realmgate.broker.registry import PROVIDER_TYPES
from realmgate.model.keys import RealmKey
from realmgate.protocol.mappers import REGISTRY as PROTOCOL_MAPPERS

_STARTED = time.time()


def _mapper_category(type_id: str) -> str:
    return "Role mapper" if "role" in type_id else "Token mapper"


def server_info(now: int) -> dict[str, Any]:
    uptime = max(int(now - _STARTED), 0)
    return {
        "systemInfo": {
            "version": __version__,
            "serverTime": time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(now)),
            "uptime": f"{uptime // 3600} hours, {uptime % 3600 // 60} minutes, {uptime % 60} seconds",
            "uptimeMillis": uptime * 1000,
            "javaVersion": "",
            "javaVendor": "",
            "javaVm": f"{platform.python_implementation()} {platform.python_version()}",
            "osName": platform.system(),
            "osArchitecture": platform.machine(),
            "product": "realmgate",
        },
        "profileInfo": {
            "name": "community",
            "disabledFeatures": [],
            "previewFeatures": [],
            "experimentalFeatures": [],
        },
        "themes": {"login": [{"name": "realmgate", "locales": ["en"]}]},
        # As Keycloak: every type under identityProviders (grouped), social ones also apart.
        "identityProviders": [p.server_info() for p in PROVIDER_TYPES.values()],
        "socialProviders": [p.server_info() for p in PROVIDER_TYPES.values() if p.social],
        "protocolMapperTypes": {
            "openid-connect": [
                {
                    "id": type_id,
                    "name": type_id,
                    "category": _mapper_category(type_id),
                    "helpText": "",
                    "priority": 0,
                    "properties": [],
                }
                for type_id in sorted(PROTOCOL_MAPPERS)
            ]
        },
        "clientInstallations": {},
        "componentTypes": {},
        "passwordPolicies": [],
        "enums": {
            "sslRequired": ["all", "external", "none"],
            "eventType": [],
            "operationType": ["CREATE", "UPDATE", "DELETE", "ACTION"],
            "resourceType": [],
        },
        "cryptoInfo": {
            "supportedKeystoreTypes": [],
            "clientSignatureSymmetricAlgorithms": ["HS256", "HS384", "HS512"],
        },
    }


async def serverinfo(call: AdminCall) -> object:
    return server_info(call.now)


async def whoami(call: AdminCall) -> object:
    """Keycloak's WhoAmI: the caller, and per realm the admin roles it holds there."""
    who = call.who
    if call.path.get("realm") and call.target is None:
        raise realm_not_found()
    access: dict[str, list[str]] = {}
    for realm in await call.tx.realms.list():
        held = await admin_auth.admin_roles_in(call.tx, who, realm.name)
        if held:
            access[realm.name] = sorted(held & admin_auth.ANY_ADMIN_ROLE)
    user = who.user
    display = " ".join(p for p in (user.first_name, user.last_name) if p) or user.username
    return {
        "userId": user.id,
        "realm": who.realm.name,
        "displayName": display,
        "locale": "en",
        "createRealm": admin_auth.may_create_realms(who),
        "realm_access": access,
        "temporary": False,
    }


def _der_b64(pem: str | None) -> str | None:
    if not pem:
        return None
    body = "".join(line for line in pem.strip().splitlines() if not line.startswith("-----"))
    base64.b64decode(body)  # proves it is base64 before publishing it
    return body


def _key_rep(key: RealmKey) -> dict[str, Any]:
    status = "ACTIVE" if key.active and key.enabled else ("PASSIVE" if key.enabled else "DISABLED")
    rep: dict[str, Any] = {
        "providerId": key.provider_id,
        "providerPriority": key.priority,
        "kid": key.kid,
        "status": status,
        "type": key.key_type,
        "algorithm": key.algorithm,
        "use": key.use.upper(),
    }
    public = _der_b64(key.public_pem)
    if public is not None:
        rep["publicKey"] = public
    if key.certificate:
        rep["certificate"] = key.certificate
    return rep


async def keys(call: AdminCall) -> object:
    stored = sorted(await call.tx.keys.list(call.realm.id), key=lambda k: -k.priority)
    active: dict[str, str] = {}
    for key in stored:
        if key.active and key.enabled:
            active.setdefault(key.algorithm, key.kid)
    return {"active": active, "keys": [_key_rep(k) for k in stored]}


async def clear_cache(call: AdminCall) -> None:
    """``clear-realm-cache`` / ``clear-user-cache``: caches are keyed by the realm's config version,
    so every edit already refreshes them; the endpoints exist because admin clients call them.
    (``clear-keys-cache`` empties the upstream key cache: ``admin.identity_providers``.)"""
    return None
