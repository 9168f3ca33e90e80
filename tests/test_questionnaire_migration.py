"""Migration 0012 rebuilds the notifications table for the kind 'questionnaire' (SQLite cannot
change a CHECK in place): every row, id, value and index survives it."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from storage import sqlite as engine
from storage.sqlite import MIGRATIONS_DIR, migrate

NOW = "2026-03-01T10:00:00.000000+00:00"


def _apply_before(conn: sqlite3.Connection, version: int) -> None:
    conn.execute(
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        number = int(path.name.split("_", 1)[0])
        if number >= version:
            continue
        conn.executescript(path.read_text(encoding="utf-8"))
        conn.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", (number, path.name, NOW))


def test_notifications_keep_every_row_and_index_through_the_rebuild(tmp_path, monkeypatch):
    conn = sqlite3.connect(tmp_path / "db.sqlite3", isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    _apply_before(conn, 12)
    conn.execute(
        "INSERT INTO users (id, email, name, role, created_at) VALUES"
        " (1, 'a@x', 'A', 'mentee', ?), (2, 'b@x', 'B', 'mentor', ?)",
        (NOW, NOW),
    )
    conn.execute(
        "INSERT INTO channels (id, kind, name, created_at) VALUES (7, 'pair', 'P', ?)", (NOW,)
    )
    conn.execute(
        "INSERT INTO messages (id, channel_id, author_id, kind, body, html, created_seq, seq,"
        " created_at) VALUES (9, 7, 2, 'text', 'hi', '<p>hi</p>', 1, 1, ?)",
        (NOW,),
    )
    conn.execute(
        "INSERT INTO library_folders (id, name, audience, position, created_at)"
        " VALUES (3, 'F', 'everyone', 1, ?)",
        (NOW,),
    )
    conn.execute(
        "INSERT INTO library_resources (id, folder_id, title, url, position, created_at,"
        " updated_at) VALUES (4, 3, 'R', 'https://example.org', 1, ?, ?)",
        (NOW, NOW),
    )
    kinds = ["mention", "reply", "pair_message", "task", "task_due", "announcement"]
    for n, kind in enumerate(kinds, start=10):
        conn.execute(
            "INSERT INTO notifications (id, user_id, kind, channel_id, message_id, thread_id,"
            " actor_id, count, created_at, updated_at, read_at, mailed_at)"
            " VALUES (?, 1, ?, 7, 9, ?, 2, ?, ?, ?, ?, ?)",
            (
                n,
                kind,
                9 if kind == "reply" else None,
                n,
                NOW,
                NOW,
                NOW if n % 2 else None,
                NOW if n == 12 else None,
            ),
        )
    conn.execute(
        "INSERT INTO notifications (id, user_id, kind, resource_id, created_at, updated_at)"
        " VALUES (30, 1, 'resource', 4, ?, ?)",
        (NOW, NOW),
    )
    before = conn.execute("SELECT * FROM notifications ORDER BY id").fetchall()
    indexes_before = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notifications'"
        )
    }

    upto = tmp_path / "upto-0012"  # this migration alone: later ones rebuild the table again
    upto.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name.split("_", 1)[0]) <= 12:
            shutil.copy(path, upto / path.name)
    monkeypatch.setattr(engine, "MIGRATIONS_DIR", upto)
    applied = migrate(conn)
    assert applied == ["0012_questionnaires.sql"]

    after = conn.execute("SELECT * FROM notifications ORDER BY id").fetchall()
    assert [row[:-1] for row in after] == before  # the new last column: questionnaire_id
    assert all(row[-1] is None for row in after)
    indexes_after = {
        row[0]
        for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'notifications'"
        )
    }
    assert indexes_before | {"notifications_questionnaire"} == indexes_after
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    # The new kind is accepted, a made-up one still refused, and the open pair notification
    # is still one per person and channel.
    conn.execute(
        "INSERT INTO notifications (user_id, kind, channel_id, created_at, updated_at)"
        " VALUES (1, 'questionnaire', 7, ?, ?)",
        (NOW, NOW),
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO notifications (user_id, kind, created_at, updated_at)"
            " VALUES (1, 'bogus', ?, ?)",
            (NOW, NOW),
        )
    conn.execute(
        "INSERT INTO notifications (user_id, kind, channel_id, created_at, updated_at)"
        " VALUES (2, 'pair_message', 7, ?, ?)",
        (NOW, NOW),
    )
    with pytest.raises(sqlite3.IntegrityError):
        conn.execute(
            "INSERT INTO notifications (user_id, kind, channel_id, created_at, updated_at)"
            " VALUES (2, 'pair_message', 7, ?, ?)",
            (NOW, NOW),
        )
    conn.close()
