"""``realmgate admin``: the admin REST API from the shell, for people used to ``kcadm.sh``.

    realmgate admin config credentials --server http://localhost:8080 --realm master --user admin
    realmgate admin create realms -s realm=demo -s enabled=true
    realmgate admin create users -r demo -s username=alice -s enabled=true
    realmgate admin get users -r demo -q username=alice
    realmgate admin update realms/demo -s displayName=Demo
    realmgate admin delete users/ID -r demo
    realmgate admin add-roles -r demo --uusername alice --rolename user   (see admin_cli.shortcuts)

Output is the server's JSON; ``create`` says ``Created new ... with id '...'`` on stderr (``-i``
prints only the id). Any error exits non-zero with Keycloak's message. Hook into the main CLI
with ``admin_cli.add_parser(commands)``; ``python -m realmgate.admin_cli`` also works.
"""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx

from realmgate.admin_cli import shortcuts
from realmgate.admin_cli.api import AdminApi
from realmgate.admin_cli.body import apply_sets, read_file
from realmgate.admin_cli.session import DEFAULT_CONFIG, CliFailure, Session, fresh, login

VERBS = {"create": "POST", "get": "GET", "update": "PUT", "delete": "DELETE"}


def _credentials(args: argparse.Namespace, http: httpx.Client) -> int:
    print(f"Logging into {args.server} as user {args.user} of realm {args.realm}", file=sys.stderr)
    password = args.password if args.password is not None else getpass.getpass("Enter password: ")
    login(http, args.server, args.realm, args.user, password).save(Path(args.config))
    return 0


def _api(args: argparse.Namespace, http: httpx.Client) -> AdminApi:
    config = Path(args.config)
    session = fresh(http, Session.load(config), config)
    return AdminApi(http, session, args.realm or session.realm)


def _call(args: argparse.Namespace, http: httpx.Client) -> int:
    api = _api(args, http)
    method = VERBS[args.verb]
    body = None
    if method in ("POST", "PUT") or args.file is not None or args.set:
        body = apply_sets(read_file(args.file), args.set or [])
    params = dict(item.partition("=")[::2] for item in args.query or [])
    response = api.call(method, args.path, body=body, params=params)
    if response.status_code == 201:
        new_id = response.headers.get("location", "").rstrip("/").rsplit("/", 1)[-1]
        if args.id_only:
            print(new_id)
        else:
            kind = args.path.strip("/").split("/")[-1].rstrip("s") or "resource"
            print(f"Created new {kind} with id '{new_id}'", file=sys.stderr)
    elif response.content:
        try:
            print(json.dumps(response.json(), indent=2))
        except ValueError:
            print(response.text)
    return 0


def _shortcut(args: argparse.Namespace, http: httpx.Client) -> int:
    code: int = args.api_handler(_api(args, http), args)
    return code


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``admin`` on the main ``realmgate`` parser."""
    admin = commands.add_parser("admin", help="Call the admin REST API (kcadm-style).")
    _configure(admin)


def _configure(admin: argparse.ArgumentParser) -> None:
    # --config works before or after the verb, as kcadm's: the verb's copy only sets it when given.
    config_help = f"Session file (default {DEFAULT_CONFIG})."
    admin.add_argument("--config", default=str(DEFAULT_CONFIG), help=config_help)
    anywhere = argparse.ArgumentParser(add_help=False)
    anywhere.add_argument("--config", default=argparse.SUPPRESS, help=config_help)
    common = argparse.ArgumentParser(add_help=False, parents=[anywhere])
    common.add_argument("-r", "--target-realm", dest="realm", help="Realm to act on (default: login realm).")
    verbs = admin.add_subparsers(dest="verb", required=True, metavar="VERB")
    config = verbs.add_parser(
        "config", parents=[anywhere], help="Log in: 'config credentials --server URL --realm R --user U'."
    )
    config.add_argument("what", choices=["credentials"])
    config.add_argument("--server", required=True, help="Server URL, e.g. http://localhost:8080")
    config.add_argument("--realm", required=True, help="Realm to log in to (usually master).")
    config.add_argument("--user", required=True, help="Username.")
    config.add_argument("--password", help="Password (prompted when left out).")
    config.set_defaults(admin_handler=_credentials)
    for verb in VERBS:
        sub = verbs.add_parser(verb, parents=[common], help=f"{VERBS[verb]} an admin resource.")
        sub.add_argument("path", metavar="PATH", help="e.g. users, clients/ID, realms/demo")
        sub.add_argument("-q", "--query", action="append", metavar="NAME=VALUE", help="Query parameter.")
        if verb != "get":
            sub.add_argument("-s", "--set", action="append", metavar="KEY=VALUE", help="Set a body attribute.")
            sub.add_argument("-f", "--file", help="JSON body file ('-' for stdin).")
        if verb == "create":
            sub.add_argument("-i", "--id", dest="id_only", action="store_true", help="Print only the new id.")
        sub.set_defaults(admin_handler=_call, file=None, set=None, id_only=False)
    for sub in shortcuts.add_parsers(verbs, common):
        sub.set_defaults(admin_handler=_shortcut)
    admin.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run a parsed ``admin`` command; errors print Keycloak's message and return 1."""
    try:
        with httpx.Client(timeout=30.0) as http:
            code: int = args.admin_handler(args, http)
            return code
    except CliFailure as exc:
        print(f"realmgate admin: {exc}", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="realmgate admin", description=__doc__.split("\n\n")[0])
    _configure(parser)
    return run(parser.parse_args(argv))
