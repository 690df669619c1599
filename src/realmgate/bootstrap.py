"""First-start work, done once per start before serving: the ``master`` realm and its admin,
a log line for each stored realm setting realmgate does not enforce, then ``--import-realm``
files (refused, all of them, when one sets an unenforced security setting and
``--import-strict`` is on).

Like Keycloak: the admin comes from ``KC_BOOTSTRAP_ADMIN_*`` (or ``KEYCLOAK_ADMIN*``) and an
existing user of that name is never touched; a realm that already exists is skipped with a log
line, never overwritten. Failures raise ``SetupError`` with a one-line message for stderr.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from realmgate.crypto.secrets import Randomness
from realmgate.model.role import Role
from realmgate.model.user import User
from realmgate.settings import Settings
from realmgate.store.interface import Conflict, Store, Tx

log = logging.getLogger("realmgate.bootstrap")
MASTER = "master"
# Realm roles of master that the admin API checks (the admin-API work refines their composites).
MASTER_ADMIN_ROLES: tuple[tuple[str, str], ...] = (
    ("admin", "${role_admin}"),
    ("create-realm", "${role_create-realm}"),
)


class SetupError(Exception):
    """Start-up cannot continue; ``str(exc)`` is one line naming the file or setting at fault."""


async def ensure_master(tx: Tx, *, now: int, ids: Randomness) -> str:
    """Create the master realm if missing and make sure its admin roles exist; returns its id."""
    realm = await tx.realms.get_by_name(MASTER)
    if realm is None:
        from realmgate.keycloak.defaults import create_realm

        realm = await create_realm(tx, MASTER, now=now, ids=ids)
        log.info("Created realm %s", MASTER)
    for name, description in MASTER_ADMIN_ROLES:
        if await tx.roles.get_realm_role(realm.id, name) is None:
            await tx.roles.add(Role(id=ids.new_id(), realm_id=realm.id, name=name, description=description))
    return realm.id


async def ensure_admin(tx: Tx, realm_id: str, username: str, password: str, *, now: int, ids: Randomness) -> bool:
    """Create the bootstrap admin unless a user of that name exists; True when created."""
    from realmgate.crypto.passwords import new_password_credential
    from realmgate.store.user_creation import add_user

    username = username.lower()
    if await tx.users.get_by_username(realm_id, username) is not None:
        return False
    realm = await tx.realms.get(realm_id)
    assert realm is not None
    user = User(id=ids.new_id(), realm_id=realm_id, username=username, created_timestamp=now * 1000)
    await add_user(tx, realm, user)
    credential = new_password_credential(user.id, password, now_ms=now * 1000, policy=realm.password_policy, ids=ids)
    await tx.credentials.add(credential)
    admin_role = await tx.roles.get_realm_role(realm_id, "admin")
    assert admin_role is not None
    await tx.users.grant_roles(realm_id, user.id, [admin_role.id])
    return True


async def bootstrap_master(store: Store, settings: Settings, *, now: int, ids: Randomness) -> None:
    """Master realm and admin in one transaction. Instances started together on one database
    race here: the loser's insert hits a unique key (``Conflict``), and its second attempt finds
    what the winner created."""
    for attempt in (1, 2):
        try:
            async with store.tx() as tx:
                created = await _bootstrap_master_tx(tx, settings, now=now, ids=ids)
            break
        except Conflict:
            if attempt == 2:
                raise
            log.info("Another instance is bootstrapping realm %s; checking again", MASTER)
    username = (settings.bootstrap_admin_username or "").lower()
    if created:
        log.info("Created bootstrap admin user %r in realm %s", username, MASTER)
    elif username:
        log.info("Admin user %r already exists in realm %s; left unchanged", username, MASTER)


async def _bootstrap_master_tx(tx: Tx, settings: Settings, *, now: int, ids: Randomness) -> bool:
    """True when the admin user was created by this call."""
    realm_id = await ensure_master(tx, now=now, ids=ids)
    username, password = settings.bootstrap_admin_username, settings.bootstrap_admin_password
    if username is None or password is None:
        return False
    return await ensure_admin(tx, realm_id, username, password, now=now, ids=ids)


def realm_files(path: str) -> list[Path]:
    """``path`` itself, or the ``*.json`` files of a directory in name order."""
    target = Path(path)
    if target.is_dir():
        files = sorted(p for p in target.glob("*.json") if p.is_file())
        if not files:
            raise SetupError(f"No *.json realm files in directory {path}")
        return files
    if not target.is_file():
        raise SetupError(f"Realm file {path} does not exist")
    return [target]


def read_realm_file(path: Path) -> dict[str, object]:
    """Parse one realm file; its top level must be an object with a ``realm`` name."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SetupError(f"Cannot read realm file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    try:
        rep = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SetupError(f"Realm file {path} is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(rep, dict) or not isinstance(rep.get("realm"), str) or not rep["realm"]:
        raise SetupError(f'Realm file {path} must be a JSON object with a "realm" name')
    return rep


async def import_realm_rep(
    store: Store, rep: Mapping[str, object], *, source: str, now: int, ids: Randomness, override: bool = False
) -> bool:
    """Import one realm representation in one transaction; False when it exists and is kept."""
    from realmgate.keycloak.realm_import import RealmFileError, import_realm

    name = str(rep["realm"])
    try:
        async with store.tx() as tx:
            existing = await tx.realms.get_by_name(name)
            if existing is not None:
                if not override:
                    return False
                await tx.realms.delete(existing.id)
            await import_realm(tx, rep, source=source, now=now, ids=ids)
    except RealmFileError as exc:
        raise SetupError(f"Invalid realm file {source}: {exc}") from None
    except Conflict:
        if override:
            raise
        return False  # another instance, starting together with this one, imported it first
    return True


def load_realm_files(path: str, *, strict: bool = False) -> list[tuple[Path, dict[str, object]]]:
    """Read and parse every realm file under ``path`` up front, so a bad file (or, when
    ``strict``, a weakened one) stops the start before the database is touched."""
    files = [(file, read_realm_file(file)) for file in realm_files(path)]
    if strict:
        refuse_unenforced(files)
    return files


def refuse_unenforced(files: list[tuple[Path, dict[str, object]]]) -> None:
    """``--strict``: raise ``SetupError`` naming every realm whose file sets a security setting
    realmgate does not enforce, before anything is imported (all or nothing)."""
    from realmgate.keycloak.representations import RepresentationError
    from realmgate.keycloak.unenforced import file_findings

    refused = []
    for file, rep in files:
        try:
            weak = [f.setting for f in file_findings(rep) if f.weakens]
        except RepresentationError:
            continue  # the import itself reports the bad value with its JSON path
        if weak:
            refused.append(f"realm {rep['realm']} ({file}): {', '.join(dict.fromkeys(weak))}")
    if refused:
        raise SetupError(
            "strict import refused, nothing imported; settings realmgate does not enforce: " + "; ".join(refused)
        )


async def warn_unenforced(store: Store) -> None:
    """At start, log every stored realm's settings that realmgate does not act on."""
    from realmgate.keycloak.unenforced import log_findings, realm_findings

    async with store.tx() as tx:
        realms = await tx.realms.list()
    for realm in realms:
        log_findings(realm.name, realm_findings(realm), context="stored")


async def import_realms(
    store: Store,
    files: list[tuple[Path, dict[str, object]]],
    *,
    now: int,
    ids: Randomness,
    override: bool = False,
    strict: bool = False,
) -> None:
    """Import parsed realm files; existing realms are skipped unless ``override``. With
    ``strict``, files setting unenforced security settings are refused first (``SetupError``)."""
    if strict:
        refuse_unenforced(files)
    for file, rep in files:
        if await import_realm_rep(store, rep, source=str(file), now=now, ids=ids, override=override):
            log.info("Imported realm %s from %s", rep["realm"], file)
        else:
            log.info("Realm %s already exists; not imported from %s", rep["realm"], file)


async def run_setup(
    store: Store,
    settings: Settings,
    files: list[tuple[Path, dict[str, object]]],
    *,
    clock: Callable[[], float] = time.time,
    ids: Randomness,
) -> None:
    """Everything a starting server does to the database before serving its first request;
    ``files`` are the parsed ``--import-realm`` files (``load_realm_files``)."""
    now = int(clock())
    await bootstrap_master(store, settings, now=now, ids=ids)
    await warn_unenforced(store)  # before the imports, which log their own realms
    await import_realms(store, files, now=now, ids=ids, strict=settings.import_strict)
