"""Groups: the tree (top-level list with subgroups, ``children``), ``group-by-path``, members,
``count``, and a user's group memberships.

Keycloak's texts: a duplicate top-level name is 409 ``Top level group named 'x' already
exists.``, a duplicate child name 409 ``Sibling group named 'x' already exists.``; a group cannot
be moved under itself or its own descendants.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from realmgate.admin import idp_mappers, lookup
from realmgate.admin.auth import require_grantable
from realmgate.admin.call import AdminCall, Created
from realmgate.admin.errors import AdminError, group_not_found
from realmgate.admin.reps import body_object, read
from realmgate.admin.views import user_summary
from realmgate.keycloak.representations import RoleNamer, group_from_rep, group_to_rep
from realmgate.model.role import Group, Role


class _Tree:
    """All groups of a realm at once: paths, children and role names without repeated queries."""

    def __init__(self, groups: Sequence[Group], roles: Mapping[str, Role], client_ids: Mapping[str, str]):
        self.by_id = {g.id: g for g in groups}
        self.paths = lookup.group_paths(self.by_id)
        self.children: dict[str | None, list[Group]] = {}
        for g in sorted(groups, key=lambda g: g.name):
            self.children.setdefault(g.parent_id, []).append(g)
        self._roles = roles
        self._client_ids = client_ids

    def namer(self) -> RoleNamer:
        def name(role_id: str) -> tuple[str | None, str] | None:
            role = self._roles.get(role_id)
            if role is None:
                return None
            if role.client_id is None:
                return None, role.name
            client_id = self._client_ids.get(role.client_id)
            return None if client_id is None else (client_id, role.name)

        return name

    def rep(self, group: Group, *, deep: bool = True, brief: bool = False) -> dict[str, Any]:
        subs = [self.rep(c, deep=deep, brief=brief) for c in self.children.get(group.id, [])] if deep else []
        rep: dict[str, Any] = dict(group_to_rep(group, path=self.paths[group.id], namer=self.namer(), sub_groups=subs))
        rep["subGroupCount"] = len(self.children.get(group.id, []))
        if brief:
            for key in ("attributes", "realmRoles", "clientRoles"):
                rep.pop(key, None)
        return rep

    def descendants(self, group_id: str) -> set[str]:
        out: set[str] = set()
        stack = [group_id]
        while stack:
            for child in self.children.get(stack.pop(), []):
                if child.id not in out:
                    out.add(child.id)
                    stack.append(child.id)
        return out


async def _tree(call: AdminCall) -> _Tree:
    tx, realm = call.tx, call.realm
    graph = await call.auth.role_graph(tx, realm.id)
    clients = {c.id: c.client_id for c in await tx.clients.list(realm.id)}
    return _Tree(await tx.groups.list(realm.id), graph, clients)


def _page(items: list[Any], call: AdminCall) -> list[Any]:
    first, maximum = call.page()
    return items[first : None if maximum is None else first + maximum]


def _matches(tree: _Tree, group: Group, search: str, exact: bool) -> bool:
    """The group or any descendant matches ``search`` (Keycloak keeps the path to a match)."""
    if (group.name == search) if exact else (search.lower() in group.name.lower()):
        return True
    return any(_matches(tree, c, search, exact) for c in tree.children.get(group.id, []))


async def list_groups(call: AdminCall) -> object:
    tree = await _tree(call)
    brief = bool(call.bool_arg("briefRepresentation", True))
    top = tree.children.get(None, [])
    search = call.str_arg("search")
    if search:
        exact = bool(call.bool_arg("exact", False))
        top = [g for g in top if _matches(tree, g, search, exact)]
    return [tree.rep(g, brief=brief) for g in _page(top, call)]


async def count_groups(call: AdminCall) -> object:
    tree = await _tree(call)
    search = call.str_arg("search")
    top = bool(call.bool_arg("top", False))
    groups = tree.children.get(None, []) if top else list(tree.by_id.values())
    if search:
        groups = [g for g in groups if search.lower() in g.name.lower()]
    return {"count": len(groups)}


async def get_group(call: AdminCall) -> object:
    tree = await _tree(call)
    group = tree.by_id.get(call.path["id"])
    if group is None:
        raise group_not_found()
    return tree.rep(group)


async def group_by_path(call: AdminCall) -> object:
    tree = await _tree(call)
    wanted = "/" + call.path["path"].strip("/")
    for group_id, path in tree.paths.items():
        if path == wanted:
            return tree.rep(tree.by_id[group_id])
    raise AdminError.not_found("Group path does not exist")


def _check_sibling_name(tree: _Tree, name: str, parent_id: str | None, own_id: str | None) -> None:
    for sibling in tree.children.get(parent_id, []):
        if sibling.name == name and sibling.id != own_id:
            if parent_id is None:
                raise AdminError.conflict(f"Top level group named '{name}' already exists.")
            raise AdminError.conflict(f"Sibling group named '{name}' already exists.")


async def _place(call: AdminCall, parent_id: str | None) -> Created | None:
    """Create a group under ``parent_id`` or, when the body names an existing id, move it there."""
    tx, realm = call.tx, call.realm
    rep = body_object(call.body)
    tree = await _tree(call)
    existing_id = rep.get("id")
    if isinstance(existing_id, str) and existing_id:
        group = tree.by_id.get(existing_id)
        if group is None:
            raise group_not_found()
        if parent_id is not None and (parent_id == group.id or parent_id in tree.descendants(group.id)):
            raise AdminError.bad_request("Cannot move a group under itself or one of its subgroups")
        moved = read(group_from_rep, rep, replace(group, parent_id=parent_id), "GroupRepresentation")
        _check_sibling_name(tree, moved.name, parent_id, moved.id)
        await tx.groups.update(replace(moved, id=group.id, parent_id=parent_id))
        new_path = (tree.paths[parent_id] if parent_id else "") + "/" + moved.name
        await idp_mappers.group_moved(tx, realm.id, old_path=tree.paths[group.id], new_path=new_path)
        return None
    base = Group(id=call.ids.new_id(), realm_id=realm.id, name="", parent_id=parent_id)
    group = replace(read(group_from_rep, rep, base, "GroupRepresentation"), id=base.id, parent_id=parent_id)
    _check_sibling_name(tree, group.name, parent_id, None)
    await lookup.unique(tx.groups.add(group), f"Group named '{group.name}' already exists.")
    if parent_id is None:
        return Created(group.id)
    body = dict(group_to_rep(group, path=f"{tree.paths[parent_id]}/{group.name}", namer=tree.namer()))
    body["subGroupCount"] = 0
    return Created(group.id, location=f"groups/{group.id}", body=body)


async def create_group(call: AdminCall) -> Created | None:
    return await _place(call, None)


async def add_child(call: AdminCall) -> Created | None:
    parent = await lookup.group(call.tx, call.realm, call.path["id"])
    return await _place(call, parent.id)


async def list_children(call: AdminCall) -> object:
    tree = await _tree(call)
    if call.path["id"] not in tree.by_id:
        raise group_not_found()
    brief = bool(call.bool_arg("briefRepresentation", False))
    children = tree.children.get(call.path["id"], [])
    return [tree.rep(c, brief=brief) for c in _page(children, call)]


async def update_group(call: AdminCall) -> None:
    tree = await _tree(call)
    group = tree.by_id.get(call.path["id"])
    if group is None:
        raise group_not_found()
    updated = replace(read(group_from_rep, call.body, group, "GroupRepresentation"), id=group.id)
    _check_sibling_name(tree, updated.name, group.parent_id, group.id)
    await call.tx.groups.update(replace(updated, parent_id=group.parent_id, role_ids=group.role_ids))
    if updated.name != group.name:
        parent = tree.paths[group.parent_id] if group.parent_id else ""
        await idp_mappers.group_moved(
            call.tx, call.realm.id, old_path=tree.paths[group.id], new_path=f"{parent}/{updated.name}"
        )


async def delete_group(call: AdminCall) -> None:
    group = await lookup.group(call.tx, call.realm, call.path["id"])
    await call.tx.groups.delete(call.realm.id, group.id)


async def members(call: AdminCall) -> object:
    group = await lookup.group(call.tx, call.realm, call.path["id"])
    first, maximum = call.page()
    users = await call.tx.users.group_members(call.realm.id, group.id, first=first, max=maximum)
    brief = bool(call.bool_arg("briefRepresentation", False))
    return [user_summary(u, brief=brief) for u in users]


# --- a user's groups ----------------------------------------------------------------------------


async def user_groups(call: AdminCall) -> object:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    tree = await _tree(call)
    ids = await call.tx.users.group_ids(call.realm.id, user.id)
    groups = sorted((tree.by_id[i] for i in ids if i in tree.by_id), key=lambda g: tree.paths[g.id])
    search = call.str_arg("search")
    if search:
        groups = [g for g in groups if search.lower() in g.name.lower()]
    brief = bool(call.bool_arg("briefRepresentation", True))
    return [_membership_rep(tree.rep(g, deep=False, brief=brief)) for g in _page(groups, call)]


def _membership_rep(rep: dict[str, Any]) -> dict[str, Any]:
    """A user's group as Keycloak's ``toRepresentation(group, full)``: no subgroup fields, which
    only the group endpoints fill in."""
    return {k: v for k, v in rep.items() if k not in ("subGroups", "subGroupCount")}


async def user_groups_count(call: AdminCall) -> object:
    """``{"count": n}``; ``search`` counts the groups whose name contains it (any case)."""
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    tree = await _tree(call)
    ids = await call.tx.users.group_ids(call.realm.id, user.id)
    search = (call.str_arg("search") or "").lower()
    return {"count": sum(1 for i in ids if i in tree.by_id and search in tree.by_id[i].name.lower())}


async def join_group(call: AdminCall) -> None:
    """Membership hands out the group's (and its ancestors') roles, so admin roles among them
    need the caller to hold them, as a direct mapping would."""
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    group = await lookup.group(call.tx, call.realm, call.path["group_id"])
    tree = await _tree(call)
    role_ids: list[str] = []
    current: Group | None = group
    while current is not None:
        role_ids.extend(current.role_ids)
        current = tree.by_id.get(current.parent_id) if current.parent_id else None
    snapshot = await call.auth.snapshot(call.tx, call.realm.id)
    roles = [snapshot.roles[i] for i in role_ids if i in snapshot.roles]
    await require_grantable(call.tx, call.who, call.realm, snapshot, roles)
    if group.id not in await call.tx.users.group_ids(call.realm.id, user.id):
        await call.tx.users.join_group(call.realm.id, user.id, group.id)
    await idp_mappers.forget_grants(call.tx, call.realm.id, user.id, "group", [group.id])


async def leave_group(call: AdminCall) -> None:
    user = await lookup.user(call.tx, call.realm, call.path["id"])
    group = await lookup.group(call.tx, call.realm, call.path["group_id"])
    await call.tx.users.leave_group(call.realm.id, user.id, group.id)
    await idp_mappers.forget_grants(call.tx, call.realm.id, user.id, "group", [group.id])
