"""kcadm's task verbs: ``add-roles``, ``remove-roles``, ``get-roles`` and ``set-password``.

They name things the way people think of them (a username, a group name or path, a role name,
a client's ``clientId``) and look the ids up, so no one has to copy a UUID between commands:

    realmgate admin add-roles -r demo --uusername alice --rolename user
    realmgate admin add-roles -r demo --gname staff --cclientid app --rolename editor
    realmgate admin remove-roles -r demo --uusername alice --rolename user
    realmgate admin get-roles -r demo --uusername alice --effective
    realmgate admin set-password -r demo --username alice --new-password s3cret --temporary

The target of ``add-roles``/``remove-roles``/``get-roles`` is a user (``--uusername``/``--uid``),
a group (``--gname``/``--gpath``/``--gid``) or a composite realm role (``--rname``/``--rid``);
``--cclientid``/``--cid`` switches from realm roles to that client's roles. ``get-roles``
without a target lists the realm's (or the client's) roles.
"""

from __future__ import annotations

import argparse
import getpass
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from realmgate.admin_cli.api import AdminApi
from realmgate.admin_cli.session import CliFailure

TARGETS = (
    ("--uusername", "user's username"),
    ("--uid", "user's id"),
    ("--gname", "group's name"),
    ("--gpath", "group's path, e.g. /staff/admins"),
    ("--gid", "group's id"),
    ("--rname", "composite realm role's name"),
    ("--rid", "composite role's id"),
)


@dataclass(frozen=True)
class Target:
    """Where roles are mapped: ``{path}/realm`` and ``{path}/clients/{id}`` (users and groups'
    ``role-mappings``) or, for a composite role, ``{path}`` itself for changes."""

    path: str
    composite: bool


def _one(found: list[Any], what: str) -> Any:
    if not found:
        raise CliFailure(f"{what} not found")
    if len(found) > 1:
        raise CliFailure(f"More than one {what}: use the id instead")
    return found[0]


def _user_id(api: AdminApi, username: str | None, user_id: str | None) -> str:
    if user_id:
        return user_id
    assert username is not None
    users = api.get("users", username=username, exact="true")
    wanted = username.lower()
    return str(_one([u for u in users if str(u.get("username", "")).lower() == wanted], f"User {username!r}")["id"])


def _walk(groups: list[Any]) -> Iterator[Any]:
    for group in groups:
        yield group
        yield from _walk(group.get("subGroups") or [])


def _group_id(api: AdminApi, args: argparse.Namespace) -> str:
    if args.gid:
        return str(args.gid)
    if args.gpath:
        return str(api.get("group-by-path/" + args.gpath.strip("/"))["id"])
    named = [g for g in _walk(api.get("groups", search=args.gname, exact="true")) if g.get("name") == args.gname]
    return str(_one(named, f"Group {args.gname!r}")["id"])


def _target(api: AdminApi, args: argparse.Namespace) -> Target | None:
    if args.uusername or args.uid:
        return Target(f"users/{_user_id(api, args.uusername, args.uid)}/role-mappings", composite=False)
    if args.gname or args.gpath or args.gid:
        return Target(f"groups/{_group_id(api, args)}/role-mappings", composite=False)
    if args.rid:
        return Target(f"roles-by-id/{args.rid}/composites", composite=True)
    if args.rname:
        return Target(f"roles/{args.rname}/composites", composite=True)
    return None


def _client_id(api: AdminApi, args: argparse.Namespace) -> str | None:
    if args.cid:
        return str(args.cid)
    if args.cclientid:
        return str(_one(api.get("clients", clientId=args.cclientid), f"Client {args.cclientid!r}")["id"])
    return None


def _roles(api: AdminApi, args: argparse.Namespace, client: str | None) -> list[Any]:
    base = f"clients/{client}/roles" if client else "roles"
    roles = [api.get(f"{base}/{name}") for name in args.rolename or []]
    roles += [api.get(f"roles-by-id/{role_id}") for role_id in args.roleid or []]
    if not roles:
        raise CliFailure("No role given: use --rolename or --roleid")
    return roles


def _kind(client: str | None) -> str:
    return f"clients/{client}" if client else "realm"


Handler = Callable[[AdminApi, argparse.Namespace], int]


def _change_roles(method: str) -> Handler:
    def handler(api: AdminApi, args: argparse.Namespace) -> int:
        target = _target(api, args)
        if target is None:
            raise CliFailure("No target given: use --uusername, --uid, --gname, --gpath, --gid, --rname or --rid")
        client = _client_id(api, args)
        path = target.path if target.composite else f"{target.path}/{_kind(client)}"
        api.call(method, path, body=_roles(api, args, client))
        return 0

    return handler


def _get_roles(api: AdminApi, args: argparse.Namespace) -> int:
    target = _target(api, args)
    client = _client_id(api, args)
    if target is None:
        base = f"clients/{client}/roles" if client else "roles"
        names = args.rolename or []
        result: Any = [api.get(f"{base}/{name}") for name in names] if names else api.get(base)
    else:
        suffix = "/composite" if args.effective else "/available" if args.available else ""
        if target.composite and suffix:
            raise CliFailure("--effective and --available apply to users and groups")
        result = api.get(f"{target.path}/{_kind(client)}{suffix}")
    print(json.dumps(result, indent=2))
    return 0


def _set_password(api: AdminApi, args: argparse.Namespace) -> int:
    if not args.username and not args.userid:
        raise CliFailure("No user given: use --username or --userid")
    user_id = _user_id(api, args.username, args.userid)
    password = args.new_password if args.new_password is not None else getpass.getpass("Enter new password: ")
    body = {"type": "password", "value": password, "temporary": args.temporary}
    api.call("PUT", f"users/{user_id}/reset-password", body=body)
    return 0


def _with_targets(parser: argparse.ArgumentParser) -> None:
    for flag, what in TARGETS:
        parser.add_argument(flag, help=f"The target: a {what}.")
    parser.add_argument("--cclientid", help="Client roles of the client with this clientId.")
    parser.add_argument("--cid", help="Client roles of the client with this id.")
    parser.add_argument("--rolename", action="append", metavar="NAME", help="Role name (repeatable).")
    parser.add_argument("--roleid", action="append", metavar="ID", help="Role id (repeatable).")


def add_parsers(
    verbs: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> list[argparse.ArgumentParser]:
    """Register the task verbs and return their parsers; ``common`` holds the flags every verb
    takes (``-r``, ``--config``). Each parser's ``api_handler`` runs with an ``AdminApi``."""
    for verb, method, what in (("add-roles", "POST", "Map roles to"), ("remove-roles", "DELETE", "Unmap roles from")):
        sub = verbs.add_parser(verb, parents=[common], help=f"{what} a user, group or composite role.")
        _with_targets(sub)
        sub.set_defaults(api_handler=_change_roles(method))
    listing = verbs.add_parser("get-roles", parents=[common], help="List roles (of a user, group or composite role).")
    _with_targets(listing)
    listing.add_argument("--effective", action="store_true", help="Include composite and group roles.")
    listing.add_argument("--available", action="store_true", help="Roles that could still be mapped.")
    listing.set_defaults(api_handler=_get_roles)
    password = verbs.add_parser("set-password", parents=[common], help="Set a user's password.")
    password.add_argument("--username", help="The user's username.")
    password.add_argument("--userid", help="The user's id.")
    password.add_argument("--new-password", help="The new password (prompted when left out).")
    password.add_argument("-t", "--temporary", action="store_true", help="Must be changed at next login.")
    password.set_defaults(api_handler=_set_password)
    return [verbs.choices[name] for name in ("add-roles", "remove-roles", "get-roles", "set-password")]
