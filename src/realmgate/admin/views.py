"""How users and groups look in admin responses, shared by the users, groups and roles services.

Keycloak decorates the stored fields: a user carries ``totp``, ``disableableCredentialTypes``
and ``access`` (what the caller may do with it); brief representations drop ``attributes``;
a group carries its ``path``, ``subGroupCount`` and ``access``.
"""

from __future__ import annotations

from typing import Any

from realmgate.keycloak.representations import user_to_rep
from realmgate.model.role import Group
from realmgate.model.user import User

USER_ACCESS_MANAGE = {
    "manageGroupMembership": True,
    "view": True,
    "mapRoles": True,
    "impersonate": False,
    "manage": True,
}
USER_ACCESS_VIEW = {
    "manageGroupMembership": False,
    "view": True,
    "mapRoles": False,
    "impersonate": False,
    "manage": False,
}


def user_summary(user: User, *, brief: bool = False) -> dict[str, Any]:
    rep: dict[str, Any] = dict(user_to_rep(user))
    rep.setdefault("totp", False)
    rep.setdefault("disableableCredentialTypes", [])
    rep.setdefault("requiredActions", [])
    if brief:
        rep.pop("attributes", None)
    elif "attributes" in rep and not rep["attributes"]:
        rep.pop("attributes")
    return rep


def user_view(
    user: User, *, can_manage: bool, brief: bool = False, service_client: str | None = None
) -> dict[str, Any]:
    rep = user_summary(user, brief=brief)
    if service_client is not None:
        rep["serviceAccountClientId"] = service_client
    rep["access"] = dict(USER_ACCESS_MANAGE if can_manage else USER_ACCESS_VIEW)
    return rep


def group_brief(group: Group, path: str) -> dict[str, Any]:
    rep: dict[str, Any] = {"id": group.id, "name": group.name, "path": path}
    if group.parent_id is not None:
        rep["parentId"] = group.parent_id
    if group.description is not None:
        rep["description"] = group.description
    return rep
