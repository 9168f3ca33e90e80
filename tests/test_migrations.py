"""Migrations that rebuild a table (SQLite's way to change a CHECK) keep every row and every
reference to it: the demo programme, seeded before such a migration, is all there after it."""

from __future__ import annotations

import sqlite3

import storage

from .migration_support import seed_on_older_schema


def _counts(path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT name FROM sqlite_schema WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'message_search%'"
            )
        ]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}
    finally:
        conn.close()


async def test_the_coordinator_line_migration_keeps_every_row(tmp_path, monkeypatch):
    # Before 0014, with the later migrations today's seeding code needs and that do not touch
    # what 0014 rebuilds (0016, research); the runner applies any version not yet recorded.
    data_dir = await seed_on_older_schema(
        tmp_path, monkeypatch, lambda name: name < "0014" or name >= "0016"
    )
    database = data_dir / storage.DATABASE_FILE
    seeded = _counts(database)
    assert seeded["channels"] > 0 and seeded["messages"] > 0 and seeded["notifications"] > 0

    store = await storage.open_store(data_dir)  # applies 0014 and every later one
    await store.close()
    after = _counts(database)
    assert {t: after[t] for t in seeded if t != "schema_migrations"} == {
        t: n for t, n in seeded.items() if t != "schema_migrations"
    }
    conn = sqlite3.connect(database)
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # The references follow the new tables: deleting a channel still cascades.
        conn.execute("PRAGMA foreign_keys = ON")
        pair = conn.execute("SELECT id FROM channels WHERE kind = 'pair' LIMIT 1").fetchone()[0]
        members = conn.execute(
            "SELECT count(*) FROM channel_members WHERE channel_id = ?", (pair,)
        ).fetchone()[0]
        assert members == 2
        conn.execute("DELETE FROM messages WHERE channel_id = ?", (pair,))
        conn.execute("DELETE FROM pairs WHERE channel_id = ?", (pair,))
        conn.execute("DELETE FROM channels WHERE id = ?", (pair,))
        assert (
            conn.execute(
                "SELECT count(*) FROM channel_members WHERE channel_id = ?", (pair,)
            ).fetchone()[0]
            == 0
        )
    finally:
        conn.close()
