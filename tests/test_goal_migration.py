"""Migration 0013 rebuilds the notifications table (SQLite cannot change its CHECK in place, and
'satisfaction' is a new kind): every row, id and index is kept, and the CHECK still refuses an
unknown kind."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from storage import sqlite as engine

NOW = "2026-03-01T10:00:00+00:00"
INDEXES = {
    "notifications_user",
    "notifications_message",
    "notifications_unmailed",
    "notifications_open_pair",
    "notifications_resource",
}


def _rows(conn: sqlite3.Connection) -> list[tuple]:
    return conn.execute(
        "SELECT id, user_id, kind, channel_id, message_id, thread_id, actor_id, count,"
        " created_at, updated_at, read_at, mailed_at, resource_id FROM notifications ORDER BY id"
    ).fetchall()


def test_the_notifications_table_keeps_every_row_and_index(tmp_path, monkeypatch):
    before = tmp_path / "before"
    before.mkdir()
    for path in engine.MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name.split("_", 1)[0]) < 13:
            shutil.copy(path, before / path.name)
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    monkeypatch.setattr(engine, "MIGRATIONS_DIR", before)
    engine.migrate(conn)
    conn.executescript(
        f"""
        INSERT INTO users (id, email, name, role, created_at) VALUES
            (1, 'a@x', 'A', 'mentor', '{NOW}'), (2, 'b@x', 'B', 'mentee', '{NOW}');
        INSERT INTO channels (id, kind, name, created_at) VALUES (7, 'pair', 'A & B', '{NOW}');
        INSERT INTO messages (id, channel_id, author_id, kind, body, html, created_seq, seq,
            created_at) VALUES (9, 7, 1, 'text', 'hi', '<p>hi</p>', 1, 1, '{NOW}');
        INSERT INTO library_folders (id, name, audience, position, created_at)
            VALUES (3, 'Guides', 'everyone', 1, '{NOW}');
        INSERT INTO library_resources (id, folder_id, title, url, position, created_at, updated_at)
            VALUES (4, 3, 'Guide', 'https://example.org', 1, '{NOW}', '{NOW}');
        INSERT INTO notifications (id, user_id, kind, channel_id, message_id, actor_id, count,
            created_at, updated_at, read_at, mailed_at) VALUES
            (11, 2, 'pair_message', 7, 9, 1, 3, '{NOW}', '{NOW}', NULL, NULL),
            (12, 2, 'mention', 7, 9, 1, 1, '{NOW}', '{NOW}', '{NOW}', '{NOW}');
        INSERT INTO notifications (id, user_id, kind, resource_id, created_at, updated_at)
            VALUES (15, 1, 'resource', 4, '{NOW}', '{NOW}');
        """
    )
    kept = _rows(conn)
    upto = tmp_path / "upto-0013"
    upto.mkdir()
    monkeypatch.undo()
    for path in engine.MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name.split("_", 1)[0]) <= 13:
            shutil.copy(path, upto / path.name)
    monkeypatch.setattr(engine, "MIGRATIONS_DIR", upto)
    assert engine.migrate(conn) == ["0013_goals.sql"]

    assert _rows(conn) == kept
    names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert INDEXES | {"notifications_satisfaction"} <= names
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    # The next id goes on from the kept ones; the new kind is taken, an unknown one is not.
    conn.execute(
        "INSERT INTO notifications (user_id, kind, channel_id, created_at, updated_at)"
        f" VALUES (1, 'satisfaction', 7, '{NOW}', '{NOW}')"
    )
    assert conn.execute("SELECT max(id) FROM notifications").fetchone() == (16,)
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO notifications (user_id, kind, created_at, updated_at)"
            f" VALUES (1, 'bogus', '{NOW}', '{NOW}')"
        )
    # Still one open pair-message notification per person and channel.
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO notifications (user_id, kind, channel_id, created_at, updated_at)"
            f" VALUES (2, 'pair_message', 7, '{NOW}', '{NOW}')"
        )
    conn.close()
