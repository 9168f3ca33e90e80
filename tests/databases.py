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
import itertools
import os
import threading
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import storage

ENGINE = os.environ.get("MENTORSPACE_TEST_DATABASE", "sqlite")
if ENGINE not in ("sqlite", "postgresql"):
    raise SystemExit(f"MENTORSPACE_TEST_DATABASE is sqlite or postgresql, not {ENGINE!r}")
ADMIN_URL = os.environ.get(
    "MENTORSPACE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)

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


def _admin(*statements: str) -> None:
    """Run statements on the admin database, from a thread of its own (callers may be inside
    a running event loop, or not)."""

    async def run() -> None:
        import asyncpg

        conn = await asyncpg.connect(ADMIN_URL, timeout=5)
        try:
            for statement in statements:
                await conn.execute(statement)
        finally:
            await conn.close()

    failure: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(run())
        except BaseException as exc:
            failure.append(exc)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


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
