"""Fixtures: a demo programme seeded once per run and copied for each test, and a real server
on an ephemeral port over that copy."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from argon2 import profiles

import storage
from channels.demo import seed_demo
from channels.people import passwords

from . import databases
from .clocks import FakeClock
from .mail_support import SmtpServer, running_server
from .s3_support import files_url, moto_server, s3_url  # noqa: F401 (fixtures for every test)
from .support import DAYS_AWAKE, Client, Server

# The servers the tests run in this process hash passwords with argon2's cheapest parameters:
# a login at the recommended ones costs about 0.3 s of CPU, and the suite logs in over a
# thousand times.  The demo template is seeded with them too.  Servers started as separate
# processes (the storm, several nodes, the CLI) keep the recommended ones.
passwords.PARAMETERS = profiles.CHEAPEST


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked `long` first (the sort keeps the rest in order): a run on two workers then
    ends on short tests on both, rather than one worker finishing a long test alone."""
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


@pytest.fixture(scope="session")
def demo_data(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A data dir with the demo programme, made once; tests get copies.  On PostgreSQL
    (tests/databases.py) the programme is in a template database the copies are made from."""
    data_dir = tmp_path_factory.mktemp("demo-template")
    template = None
    if databases.ENGINE == "postgresql":
        require_service("PostgreSQL", databases.postgres_reachable())
        template, url = databases.create_database()
        databases.use_database(data_dir, url)

    async def seed() -> None:
        store = await databases.open_store(data_dir)
        try:
            await seed_demo(store, await storage.open_file_store(data_dir))
        finally:
            await store.close()

    try:
        asyncio.run(seed())
        yield data_dir
    finally:
        # Dropped together at the end: PostgreSQL makes a checkpoint for each DROP DATABASE,
        # which would cost every test a second or two.
        databases.drop_databases()
        if template is not None:
            databases.drop_database(template)


@pytest.fixture(scope="session")
def sqlite_demo_data(demo_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo programme in SQLite whatever engine the tests run on: for what only SQLite
    has (`mentorspace backup` and `restore` copy its file)."""
    if not databases.database_url(demo_data):
        return demo_data
    data_dir = tmp_path_factory.mktemp("demo-sqlite")

    async def seed() -> None:
        store = await storage.open_store(data_dir)
        try:
            await seed_demo(store, await storage.open_file_store(data_dir))
        finally:
            await store.close()

    asyncio.run(seed())
    return data_dir


@pytest.fixture
def sqlite_data_dir(
    sqlite_demo_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A copy of the SQLite demo programme, with no database URL in the environment."""
    monkeypatch.delenv("MENTORSPACE_DATABASE_URL", raising=False)
    copy = tmp_path / "data"
    shutil.copytree(sqlite_demo_data, copy)
    return copy


@pytest.fixture
def data_dir(demo_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of the demo programme.  On PostgreSQL, commands the test runs (`python -m
    server.cli … --data-dir`) find its database in MENTORSPACE_DATABASE_URL."""
    copy = tmp_path / "data"
    shutil.copytree(demo_data, copy)
    template_url = databases.database_url(demo_data)
    if not template_url:
        yield copy
        return
    name, url = databases.create_database(template=template_url.rsplit("/", 1)[1])
    databases.use_database(copy, url)
    monkeypatch.setenv("MENTORSPACE_DATABASE_URL", url)
    try:
        yield copy
    finally:
        databases.forget_database(copy)
        databases.drop_later(name)


@pytest.fixture
async def server(data_dir: Path) -> AsyncIterator[Server]:
    running = await Server(data_dir).start()
    clients: list[Client] = []
    original = running.client

    async def tracked_client(*args, **kwargs) -> Client:
        client = await original(*args, **kwargs)
        clients.append(client)
        return client

    running.client = tracked_client  # type: ignore[method-assign]
    yield running
    for client in clients:
        await client.close()
    await running.stop()


@pytest.fixture
async def file_server(data_dir: Path, files_url: str) -> AsyncIterator[Server]:  # noqa: F811
    """The demo programme served twice by the file tests that use it: with its files on the
    local disk, and in a bucket on an S3-compatible server (moto; tests/s3_support.py)."""
    async with running_server(data_dir, config_changes={"files_url": files_url}) as running:
        yield running


def require_service(name: str, available: bool) -> None:
    """Skip when a service is missing on a developer machine; fail in CI."""
    if available:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{name} is required in CI but is not reachable")
    pytest.skip(f"{name} is not running on this machine")


# Programme administration and mail (issue 4): a real SMTP server, a clock tests move.


@pytest.fixture
async def smtp() -> AsyncIterator[SmtpServer]:
    server = await SmtpServer().start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def mail_server(data_dir: Path, smtp: SmtpServer, clock: FakeClock) -> AsyncIterator[Server]:
    """The demo programme served with mail going to `smtp` and time from `clock` (sessions
    last the days a test moves it on)."""
    config = {**smtp.config(), **DAYS_AWAKE}
    async with running_server(data_dir, clock=clock, config_changes=config) as running:
        yield running
