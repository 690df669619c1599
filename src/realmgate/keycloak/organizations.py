"""Keycloak's OrganizationRepresentation <-> ``Organization``, with Keycloak 26's rules for
names, aliases and domains (``JpaOrganizationProvider``, ``OrganizationAdapter``), and the
``organizations`` of realm files.

The rules raise ``OrganizationError`` with Keycloak's message and status, so the admin API and
the realm importer word them alike. Whether a name, alias or domain is taken is the caller's
check (it needs the store).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from realmgate.model.organization import Organization, OrganizationDomain

ORGANIZATION_FIELDS = frozenset(
    {
        "id",
        "name",
        "alias",
        "enabled",
        "description",
        "redirectUrl",
        "attributes",
        "domains",
        "members",
        "identityProviders",
    }
)
# Keycloak checks a domain as the part after "@" of an e-mail address.
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
)


class OrganizationError(Exception):
    """A rule of Keycloak's organizations was broken; ``status`` is Keycloak's (400 or 409)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _text(rep: Mapping[str, object], name: str) -> str | None:
    value = rep.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise OrganizationError(f"Invalid value for {name}: must be a string")
    return value


def _attributes(value: object) -> dict[str, tuple[str, ...]] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise OrganizationError("Invalid value for attributes: must be an object")
    out: dict[str, tuple[str, ...]] = {}
    for key, raw in value.items():
        items = raw if isinstance(raw, list) else [raw]
        out[str(key)] = tuple(str(v) for v in items if v is not None)
    return out


def _domains(value: object) -> tuple[OrganizationDomain, ...] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise OrganizationError("Invalid value for domains: must be an array")
    found: dict[str, OrganizationDomain] = {}
    for item in value:
        if not isinstance(item, Mapping):
            raise OrganizationError("Invalid value for domains: must be an array of objects")
        name = item.get("name")
        if not isinstance(name, str) or not name.strip() or not _DOMAIN.match(name):
            raise OrganizationError(f"The specified domain is invalid: {name}")
        found[name.lower()] = OrganizationDomain(name=name.lower(), verified=item.get("verified") is True)
    return tuple(found.values())


def _check_redirect_url(url: str | None) -> None:
    if url and not (urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc):
        raise OrganizationError("Invalid redirect URL")


def new_organization(rep: Mapping[str, object], *, id: str, realm_id: str) -> Organization:
    """The organization a create body describes (``provider.create`` then ``toModel``)."""
    name = _text(rep, "name")
    if name is None or not name.strip():
        raise OrganizationError("Name can not be null")
    alias = _text(rep, "alias")
    if alias is not None and not alias.strip():
        alias = None
    if alias is not None and " " in alias:
        raise OrganizationError("Alias contains a reserved character")
    if alias is None:
        if " " in name:
            raise OrganizationError("Name contains a reserved character and cannot be used as alias")
        alias = name
    base = Organization(id=id, realm_id=realm_id, name=name, alias=alias)
    return updated_organization(base, rep)


def updated_organization(org: Organization, rep: Mapping[str, object]) -> Organization:
    """``org`` changed by an update body: name, enabled (Keycloak's default true), description and
    redirect URL as given; attributes and domains only when present; the alias may not change."""
    name = _text(rep, "name")
    alias = _text(rep, "alias")
    if alias and alias != org.alias:
        raise OrganizationError("Cannot change the alias")
    enabled = rep.get("enabled", True)
    if not isinstance(enabled, bool):
        raise OrganizationError("Invalid value for enabled: must be a boolean")
    redirect_url = _text(rep, "redirectUrl")
    _check_redirect_url(redirect_url)
    attributes = _attributes(rep.get("attributes"))
    domains = _domains(rep.get("domains"))
    return dataclasses.replace(
        org,
        name=name if name and name.strip() else org.name,
        enabled=enabled,
        description=_text(rep, "description"),
        redirect_url=redirect_url,
        attributes=org.attributes if attributes is None else attributes,
        domains=org.domains if domains is None else domains,
    )


def organization_to_rep(org: Organization, *, brief: bool = False) -> dict[str, Any]:
    """As Keycloak's ``ModelToRepresentation``: the brief form leaves out the attributes."""
    rep: dict[str, Any] = {"id": org.id, "name": org.name, "alias": org.alias, "enabled": org.enabled}
    if org.description is not None:
        rep["description"] = org.description
    if org.redirect_url is not None:
        rep["redirectUrl"] = org.redirect_url
    if not brief:
        rep["attributes"] = {k: list(v) for k, v in org.attributes.items()}
    rep["domains"] = [{"name": d.name, "verified": d.verified} for d in org.domains]
    return rep


def export_organization(org: Organization, member_usernames: Sequence[str], aliases: Sequence[str]) -> dict[str, Any]:
    """An organization in a realm export: its members by username, its providers by alias."""
    rep = organization_to_rep(org)
    rep["members"] = [{"username": name, "membershipType": "UNMANAGED"} for name in member_usernames]
    rep["identityProviders"] = [{"alias": alias} for alias in aliases]
    return rep
