"""How often a brokered login writes the user session: once.

Database triggers (installed in the master's own database, SQLite or PostgreSQL, after the
server has migrated it) log every insert, update and delete of a ``user_sessions`` row, so the
count comes from the database itself, not from the code under test. A brokered login (first
login with profile review, and a later login through the link) makes one insert and nothing
else; re-authenticating the user of the current SSO session (``prompt=login``) updates that
session once instead.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator

import pytest
from tests.e2e.broker.browser import Browser, link, query
from tests.e2e.broker.seed import ALIAS, APP_REDIRECT, Seed, configure, start_pair
from tests.e2e.harness import Database, ServerProcess

SQLITE_TRIGGERS = [
    "CREATE TABLE session_writes (n INTEGER PRIMARY KEY AUTOINCREMENT, op TEXT NOT NULL)",
    *(
        f"CREATE TRIGGER log_session_{op} AFTER {op.upper()} ON user_sessions "
        f"BEGIN INSERT INTO session_writes (op) VALUES ('{op}'); END"
        for op in ("insert", "update", "delete")
    ),
]
POSTGRES_TRIGGERS = [
    "CREATE TABLE session_writes (n SERIAL PRIMARY KEY, op TEXT NOT NULL)",
    "CREATE FUNCTION log_session_write() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN INSERT INTO session_writes (op) VALUES (lower(TG_OP)); RETURN NULL; END $$",
    "CREATE TRIGGER log_session_write AFTER INSERT OR UPDATE OR DELETE ON user_sessions "
    "FOR EACH ROW EXECUTE FUNCTION log_session_write()",
]


class SessionWrites:
    """The trigger log of one server's database: ``take()`` returns the writes since the last
    call, oldest first, and empties the log."""

    def __init__(self, server: ServerProcess) -> None:
        self.server = server
        self._run(POSTGRES_TRIGGERS if server.pg_database else SQLITE_TRIGGERS)

    def take(self) -> list[str]:
        rows = self._run(["SELECT op FROM session_writes ORDER BY n", "DELETE FROM session_writes"])
        return [str(op) for (op,) in rows]

    def _run(self, statements: list[str]) -> list[tuple[object, ...]]:
        """Run ``statements`` in one transaction; the rows of the first that returns any."""
        if self.server.pg_database is None:
            path = self.server.db_url.split(":///", 1)[1]
            with sqlite3.connect(path) as conn:
                found = [conn.execute(s).fetchall() for s in statements]
            conn.close()
        else:
            found = asyncio.run(self._run_postgres(statements))
        return next((rows for rows in found if rows), [])

    async def _run_postgres(self, statements: list[str]) -> list[list[tuple[object, ...]]]:
        import asyncpg

        conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database=self.server.pg_database)
        try:
            async with conn.transaction():
                return [[tuple(r) for r in await conn.fetch(s)] for s in statements]
        finally:
            await conn.close()


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def seed(request: pytest.FixtureRequest, servers: Callable[..., ServerProcess]) -> Seed:
    db: Database = request.param
    master, slave = start_pair(servers, master_db=db)
    return configure(master, slave)


@pytest.fixture(scope="module")
def writes(seed: Seed) -> SessionWrites:
    return SessionWrites(seed.master)


@pytest.fixture
def browser() -> Iterator[Browser]:
    b = Browser(stop_at=APP_REDIRECT.rsplit("/", 1)[0])
    yield b
    b.close()


def brokered_login(seed: Seed, browser: Browser, **auth: str) -> None:
    """Master login page -> "Sign in with slave" -> the slave's form -> (review) -> the app."""
    page = browser.go(seed.auth_url(**auth))
    back = browser.go(link(page.text, f"social-{ALIAS}"))
    if "kc-form-login" in back.text:  # no SSO session at the slave yet (or prompt=login)
        back = browser.submit(back, "kc-form-login", username="slave_user", password="slave_password")
    if "kc-idp-review-profile-form" in back.text:
        profile = {"email": "slave_user@example.org", "firstName": "Slave", "lastName": "User"}
        browser.submit(back, "kc-idp-review-profile-form", **profile)
    assert browser.last.startswith(APP_REDIRECT) and "code" in query(browser.last), browser.last


def test_first_brokered_login_inserts_the_session_once(seed: Seed, writes: SessionWrites, browser: Browser) -> None:
    writes.take()
    brokered_login(seed, browser)
    assert writes.take() == ["insert"]


def test_later_brokered_login_inserts_the_session_once(seed: Seed, writes: SessionWrites, browser: Browser) -> None:
    brokered_login(seed, browser)  # the first login, if this test runs alone
    fresh = Browser(stop_at=APP_REDIRECT.rsplit("/", 1)[0])
    try:
        writes.take()
        brokered_login(seed, fresh)
        assert writes.take() == ["insert"]
    finally:
        fresh.close()


def test_reauthentication_updates_the_sso_session_once(seed: Seed, writes: SessionWrites, browser: Browser) -> None:
    brokered_login(seed, browser)
    writes.take()
    brokered_login(seed, browser, prompt="login")
    assert writes.take() == ["update"]
