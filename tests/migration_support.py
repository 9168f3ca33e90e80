"""A demo programme seeded on an older schema, for tests of the migrations that follow."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

import storage
from channels.demo import seed_demo
from storage import sqlite as engine


async def seed_on_older_schema(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keep: Callable[[str], bool]
) -> Path:
    """The demo seeded with only the migrations whose file names `keep` accepts (and today's
    seeding code, so keep what it needs); the data dir.  Opening it again applies the rest."""
    before = tmp_path / "migrations-before"
    before.mkdir()
    for path in sorted(engine.MIGRATIONS_DIR.glob("*.sql")):
        if keep(path.name):
            shutil.copy(path, before / path.name)
    with monkeypatch.context() as patched:
        patched.setattr(engine, "MIGRATIONS_DIR", before)
        data_dir = tmp_path / "data"
        data_dir.mkdir()
        store = await storage.open_store(data_dir)
        try:
            await seed_demo(store, await storage.open_file_store(data_dir))
        finally:
            await store.close()
    return data_dir
