"""Read-only documents about one client: its certificate info and its adapter installation file.

``certificates/{attr}`` is Keycloak's CertificateRepresentation of the client attributes
``{attr}.certificate``, ``{attr}.public.key`` and ``{attr}.kid`` (absent ones are left out, so a
client without a certificate answers ``{}``); the private key is never shown. The one
installation provider realmgate offers is ``keycloak-oidc-keycloak-json``, the ``keycloak.json``
an OIDC adapter reads; any other provider id is Keycloak's 404 ``Unknown Provider``.
"""

from __future__ import annotations

from typing import Any

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError

_CERT_FIELDS = {"certificate": "certificate", "publicKey": "public.key", "kid": "kid"}
KEYCLOAK_JSON = "keycloak-oidc-keycloak-json"


async def certificate_info(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    prefix = call.path["attr"]
    attrs = client.attributes
    return {out: attrs[f"{prefix}.{name}"] for out, name in _CERT_FIELDS.items() if attrs.get(f"{prefix}.{name}")}


async def installation(call: AdminCall) -> object:
    client = await lookup.client(call.tx, call.realm, call.path["id"])
    if call.path["provider"] != KEYCLOAK_JSON:
        raise AdminError.not_found("Unknown Provider")
    doc: dict[str, Any] = {
        "realm": call.realm.name,
        "auth-server-url": call.frontend_base.rstrip("/") + "/",
        "ssl-required": call.realm.ssl_required,
        "resource": client.client_id,
    }
    if client.public_client:
        doc["public-client"] = True
    if client.bearer_only:
        doc["bearer-only"] = True
    if not client.public_client and client.client_authenticator_type == "client-secret":
        doc["credentials"] = {"secret": client.secret or ""}
    if await call.tx.roles.list_client_roles(call.realm.id, client.id):
        doc["use-resource-role-mappings"] = True
    doc["confidential-port"] = 0
    return doc
