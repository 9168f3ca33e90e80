"""Which database engine the tests run on, and throwaway PostgreSQL databases.

`MENTORSPACE_TEST_DATABASE=postgresql` runs the suite on PostgreSQL (`make test-postgres`):
the demo programme is seeded once into a template database, and each test gets a database
copied from it (`CREATE DATABASE … TEMPLATE`), dropped after the test.  The server the test
starts, and `open_store(data_dir)` here, use the database of that data dir.  The server is
`MENTORSPACE_TEST_POSTGRES_URL` (default: 127.0.0.1:5432, trust auth, database `test`, which
is only used to create and drop the others).  Without it the tests skip, or fail under CI.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import sqlite3
import threading
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import storage

ENGINE = os.environ.get("MENTORSPACE_TEST_DATABASE", "sqlite")
if ENGINE not in ("sqlite", "postgresql"):
    raise SystemExit(f"MENTORSPACE_TEST_DATABASE is sqlite or postgresql, not {ENGINE!r}")
ADMIN_URL = os.environ.get(
    "MENTORSPACE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

T = TypeVar("T")
_urls: dict[Path, str] = {}
_names = itertools.count(1)


def database_url(data_dir: Path) -> str:
    """The PostgreSQL database of this data dir; empty: SQLite in the data dir."""
    return _urls.get(Path(data_dir).resolve(), "")


def use_database(data_dir: Path, url: str) -> None:
    _urls[Path(data_dir).resolve()] = url


def forget_database(data_dir: Path) -> None:
    _urls.pop(Path(data_dir).resolve(), None)


async def open_store(data_dir: Path) -> storage.SQLiteStore | storage.PostgresStore:
    """The store of a test's data dir, on the engine the tests run on."""
    return await storage.open_store(data_dir, database_url(data_dir))


def _url_of(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _in_a_thread(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run `work()` to the end on an event loop of its own thread: callers may be inside a
    running event loop (an async test calling a sync helper), or not."""
    outcome: list[Any] = []
    failure: list[BaseException] = []

    def target() -> None:
        try:
            outcome.append(asyncio.run(work()))
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]
    return outcome[0]


def _admin(*statements: str) -> None:
    """Run statements on the admin database."""

    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    _in_a_thread(run)


def columns(data_dir: Path, table: str) -> list[str]:
    """The columns of a table of the test's database, in order."""
    if not database_url(data_dir):
        return [
            name for _, name, *_ in rows(data_dir, "SELECT * FROM pragma_table_info(?)", (table,))
        ]
    found = rows(
        data_dir,
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position",
        (table,),
    )
    return [name for (name,) in found]


def rows(data_dir: Path, sql: str, params: tuple = ()) -> list[tuple]:
    """Read a test's database directly, as someone with the disk (or the database) would:
    the SQLite file read-only, or the PostgreSQL database (the statement translated)."""
    url = database_url(data_dir)
    if not url:
        file = f"file:{Path(data_dir) / storage.DATABASE_FILE}?mode=ro"
        with contextlib.closing(sqlite3.connect(file, uri=True)) as db:
            return db.execute(sql, params).fetchall()

    async def run() -> list[tuple]:
        import asyncpg

        from storage.dialect import to_postgres

        conn = await asyncpg.connect(url, timeout=5)
        try:
            text, args = to_postgres(sql, params)
            return [tuple(row) for row in await conn.fetch(text, *args)]
        finally:
            await conn.close()

    return _in_a_thread(run)


def postgres_reachable() -> bool:
    try:
        _admin("SELECT 1")
    except Exception:  # refused, no such database, asyncpg not installed
        return False
    return True


def create_database(template: str | None = None) -> tuple[str, str]:
    """A new empty database (or a copy of `template`): its name and URL."""
    name = f"mentorspace_test_{os.getpid()}_{next(_names)}"
    copy = f" TEMPLATE {template}" if template else ""
    _admin(f"CREATE DATABASE {name}{copy}")
    return name, _url_of(name)


def drop_database(name: str) -> None:
    _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


_to_drop: list[str] = []


def drop_later(name: str) -> None:
    """Drop at the end of the run (`drop_databases`), with the others."""
    _to_drop.append(name)


def drop_databases() -> None:
    names, _to_drop[:] = list(_to_drop), []
    if names:
        _admin(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in names))
