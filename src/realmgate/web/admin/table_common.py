"""Shared pieces of the admin route table: the realm path prefix, common query parameters (the
``op`` constructor lives next to ``Operation`` in ``realmgate.admin.call``)."""

from __future__ import annotations

from realmgate.admin.call import Param

REALM_PATH = "/admin/realms/{realm}"
BRIEF = Param("briefRepresentation", "boolean", "Leave out attributes and role names")
SEARCH = Param("search", "string", "Substring to match")
EXACT = Param("exact", "boolean", "Match exactly")
DATE = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "pattern": r"^\d{1,15}$"}]}
USER_FILTERS = (
    SEARCH,
    Param("username", "string"),
    Param("email", "string"),
    Param("firstName", "string"),
    Param("lastName", "string"),
    EXACT,
    Param("enabled", "boolean"),
    Param(
        "q", "string", "Attribute search, key:value pairs separated by spaces", {"pattern": r"^\s*([^\s:]+:\S*\s*)*$"}
    ),
    Param("idpAlias", "string"),
    Param("idpUserId", "string"),
)
