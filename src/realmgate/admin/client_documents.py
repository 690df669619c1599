"""Read-only documents about one client: its certificate info and its adapter installation file.

``certificates/{attr}`` is Keycloak's CertificateRepresentation of the client attributes
``{attr}.certificate``, ``{attr}.public.key`` and ``{attr}.kid`` (absent ones are left out, so a
client without a certificate answers ``{}``); the private key is never shown. The one
installation provider realmgate offers is ``keycloak-oidc-keycloak-json``, the ``keycloak.json``
an OIDC adapter reads; any other provider id is Keycloak's 404 ``Unknown Provider``.
``certificates/{attr}/upload-certificate`` takes Keycloak's multipart form (``keystoreFormat``,
``file``) for the PEM formats; JKS and PKCS12 keystores are refused.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from realmgate.admin import lookup
from realmgate.admin.call import AdminCall
from realmgate.admin.errors import AdminError
from realmgate.admin.reps import body_object

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


def _pem_body(text: str) -> str:
    """The base64 between a PEM's BEGIN and END lines, on one line (how Keycloak stores it)."""
    return "".join(line.strip() for line in text.strip().splitlines() if line.strip() and not line.startswith("-----"))


def _parsed(keystore_format: str, text: str) -> dict[str, str]:
    """The CertificateRepresentation of an uploaded PEM; other keystore formats are refused."""
    try:
        if keystore_format == "Certificate PEM":
            x509.load_pem_x509_certificate(text.strip().encode("ascii"))
            return {"certificate": _pem_body(text)}
        if keystore_format == "Public Key PEM":
            serialization.load_pem_public_key(text.strip().encode("ascii"))
            return {"publicKey": _pem_body(text)}
    except (ValueError, UnicodeEncodeError):
        raise AdminError.bad_request(f"Invalid value for file: not a {keystore_format}") from None
    raise AdminError.bad_request(f"Invalid value for keystoreFormat: realmgate reads {' or '.join(UPLOAD_FORMATS)}")


UPLOAD_FORMATS = ("Certificate PEM", "Public Key PEM")


async def upload_certificate(call: AdminCall) -> object:
    """``upload-certificate``: replace the attribute prefix's certificate or public key (the
    other of the two, and the kid, are cleared, as Keycloak does)."""
    client = await lookup.client(call.tx, call.realm, call.path["id"], for_update=True)
    form = body_object(call.body)
    keystore_format, text = form.get("keystoreFormat"), form.get("file")
    if not isinstance(keystore_format, str) or not isinstance(text, str) or not text.strip():
        raise AdminError.bad_request("Invalid value for body: keystoreFormat and file are required")
    info = _parsed(keystore_format, text)
    prefix = call.path["attr"]
    attributes = {
        k: v for k, v in client.attributes.items() if k not in {f"{prefix}.{n}" for n in _CERT_FIELDS.values()}
    }
    attributes.update({f"{prefix}.{_CERT_FIELDS[key]}": value for key, value in info.items()})
    await call.tx.clients.update(replace(client, attributes=attributes))
    return info
