"""`mentorspace copy-data --to postgresql://…`: a programme moved from SQLite to PostgreSQL
whole (every row of every table, every channel's last seq), served from there with the same
history and seq going on without gaps; an occupied target refused with nothing written; a
failure part way leaving the target empty; a copy made while the source is written to is one
moment of it.  The source is SQLite whatever engine the suite runs on; PostgreSQL is needed."""

from __future__ import annotations

import sqlite3
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from storage import DATABASE_FILE, FILES_DIR
from storage.copy_data import CopyFailed, copy_to_postgres

from . import databases
from .conftest import require_service
from .file_support import png, share
from .notify_support import mention
from .questionnaire_support import answer, assign, create_questionnaire, full_answers
from .support import Server
from .task_support import create_task, pair_id, post_now
from .test_backup import run_async
from .test_search import found_ids

SEARCH_TABLES = "message_search"  # SQLite's FTS5 index and its own tables: PostgreSQL has its own


@pytest.fixture
def target() -> str:
    """A new, empty PostgreSQL database's URL."""
    require_service("PostgreSQL", databases.postgres_reachable())
    name, url = databases.create_database()
    databases.drop_later(name)
    return url


def sqlite_rows(data_dir: Path) -> dict[str, list[tuple]]:
    """Every row of every table of a SQLite programme but its search index and migrations."""
    with closing(sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True)) as db:
        names = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if not name.startswith(SEARCH_TABLES) and name != "schema_migrations"
        ]
        return {
            name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


def postgres_rows(url: str, tables: list[str]) -> dict[str, list[tuple]]:
    """The same tables in PostgreSQL, every column but those it computes (search)."""
    probe = Path(f"/nonexistent/{uuid.uuid4()}")
    databases.use_database(probe, url)
    try:
        found = {}
        for table in tables:
            columns = [c for c in databases.columns(probe, table) if c != "search"]
            listed = ", ".join(f'"{c}"' for c in columns)
            found[table] = sorted(
                databases.rows(probe, f'SELECT {listed} FROM "{table}"'), key=repr
            )
        return found
    finally:
        databases.forget_database(probe)


def postgres_counts(url: str) -> dict[str, int]:
    probe = Path(f"/nonexistent/{uuid.uuid4()}")
    databases.use_database(probe, url)
    try:
        names = databases.rows(
            probe,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()"
            " AND table_type = 'BASE TABLE' AND table_name <> 'schema_migrations'",
        )
        return {
            name: databases.rows(probe, f'SELECT count(*) FROM "{name}"')[0][0] for (name,) in names
        }
    finally:
        databases.forget_database(probe)


async def fill_programme(data_dir: Path, marker: str) -> None:
    """Messages, a thread, a file, a task, an anonymous questionnaire answered, a mention,
    a reaction: the demo programme with something in most tables."""
    server = await Server(data_dir, config_changes={"message_rate": 1000}).start()
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    coordinator = await server.client("coordinator")
    try:
        pair = await server.pair_channel_id(1)
        sock = await mentee.socket()
        said = await sock.send(pair, f"the pair's secret {marker}")
        await (await mentor.socket()).send(pair, "a reply in the thread", thread_id=said["id"])
        await share(mentee, png(), "cv.png", pair, body="my CV")
        await mentor.sockets[0].send(pair, f"hello {mention(mentee.user)}")
        await sock.call("reaction:toggle", {"message_id": said["id"], "emoji": "👍"})
        task = await create_task(coordinator)
        await post_now(coordinator, task, {"pairs": [await pair_id(server, 1)]})
        made = await create_questionnaire(coordinator, anonymous=True, title="Honestly")
        await assign(coordinator, made["id"])
        await answer(mentee, made["id"], full_answers(made, text="fine"), 201)
        for n in range(30):
            await sock.send(pair, f"message {n}")
    finally:
        for client in (mentee, mentor, coordinator):
            await client.close()
        await server.stop()


async def test_a_programme_copied_to_postgresql_is_served_from_there_as_it_was(
    sqlite_data_dir: Path, target: str
):
    marker = f"PAIRSECRET{uuid.uuid4().hex[:8]}"
    await fill_programme(sqlite_data_dir, marker)
    before = sqlite_rows(sqlite_data_dir)
    for table in ("messages", "files", "task_occurrences", "questionnaire_held_answers"):
        assert before[table], table
    assert any(row for row in before["messages"] if row[3] is not None)  # a thread reply

    code, out, err = await run_async(
        "copy-data", "--data-dir", str(sqlite_data_dir), "--to", target
    )
    assert code == 0, err
    assert "Checked: the rows of every table and the last seq" in out
    assert str(sqlite_data_dir / FILES_DIR) in out  # where the files are, which stay there
    assert marker not in out + err
    assert postgres_rows(target, list(before)) == before  # every row, every column

    server = await Server(sqlite_data_dir, config_changes={"database_url": target}).start()
    mentee = await server.client("mentee1")
    coordinator = await server.client("coordinator")
    try:
        pair = await server.pair_channel_id(1)
        history = await (await mentee.get(f"/api/v1/channels/{pair}/messages?limit=100")).json()
        assert any(marker in m["body"] for m in history["messages"])
        assert await found_ids(mentee, marker)  # PostgreSQL's search index has the copy
        assert await found_ids(coordinator, marker) == []
        response = await coordinator.get(f"/api/v1/channels/{pair}/messages")
        assert response.status == 404

        sock = await mentee.socket()
        first = await sock.send(pair, "the first message on PostgreSQL")
        second = await sock.send(pair, "and the second")
        assert first["seq"] == history["last_seq"] + 1
        assert second["seq"] == first["seq"] + 1
        assert first["id"] > max(row[0] for row in before["messages"])  # fresh ids
        changes = await (
            await mentee.get(f"/api/v1/channels/{pair}/changes?since_seq={history['last_seq']}")
        ).json()
        assert [m["id"] for m in changes["changes"]] == [first["id"], second["id"]]
    finally:
        await mentee.close()
        await coordinator.close()
        await server.stop()


@pytest.mark.long
async def test_a_target_that_holds_anything_is_refused_and_left_as_it_was(
    sqlite_data_dir: Path, target: str
):
    code, _, err = await run_async("copy-data", "--data-dir", str(sqlite_data_dir), "--to", target)
    assert code == 0, err
    copied = postgres_rows(target, list(sqlite_rows(sqlite_data_dir)))

    code, _, err = await run_async("copy-data", "--data-dir", str(sqlite_data_dir), "--to", target)
    assert code == 1
    assert "the target database is not empty" in err and "nothing was written" in err
    assert postgres_rows(target, list(copied)) == copied

    # A database of something else: not even Mentorspace's schema is written into it.
    require_service("PostgreSQL", databases.postgres_reachable())
    name, other = databases.create_database()
    databases.drop_later(name)
    probe = Path(f"/nonexistent/{uuid.uuid4()}")
    databases.use_database(probe, other)
    databases.rows(probe, "CREATE TABLE notes (line TEXT)")
    code, _, err = await run_async("copy-data", "--data-dir", str(sqlite_data_dir), "--to", other)
    assert code == 1 and "tables that are not Mentorspace's (notes)" in err
    assert set(postgres_counts(other)) == {"notes"}
    databases.forget_database(probe)


async def test_a_copy_that_fails_part_way_leaves_the_target_empty(
    sqlite_data_dir: Path, target: str
):
    # PostgreSQL's text cannot hold a NUL character, SQLite's can: the last message fails.
    with closing(sqlite3.connect(sqlite_data_dir / DATABASE_FILE)) as db:
        db.execute(
            "UPDATE messages SET body = ? WHERE id = (SELECT max(id) FROM messages)", ("a\x00b",)
        )
        db.commit()
    copied = []
    with pytest.raises(CopyFailed, match="copying messages"):
        await copy_to_postgres(
            sqlite_data_dir / DATABASE_FILE,
            target,
            batch_rows=2,
            progress=lambda table, rows, total: copied.append(table),
        )
    assert "users" in copied and "messages" in copied  # it failed well into the copy
    counts = postgres_counts(target)
    assert "messages" in counts  # the schema is there (migrated first) …
    assert set(counts.values()) == {0}  # … and not one row

    code, _, err = await run_async("copy-data", "--data-dir", str(sqlite_data_dir), "--to", target)
    assert code == 1 and "rolled back" in err and "holds none of it" in err


async def test_a_copy_is_one_moment_of_a_source_written_to_meanwhile(
    sqlite_data_dir: Path, target: str
):
    database = sqlite_data_dir / DATABASE_FILE
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA journal_mode = WAL")  # as the server keeps it
    before = sqlite_rows(sqlite_data_dir)
    wrote = []

    def write_meanwhile(table: str, rows: int, total: int) -> None:
        if wrote:
            return
        with closing(sqlite3.connect(database)) as db:
            db.execute("UPDATE channels SET last_seq = last_seq + 5")
            db.execute("INSERT INTO login_failures (key, failed_at) VALUES ('x', '2026-01-01')")
            db.commit()
        wrote.append(table)

    report = await copy_to_postgres(database, target, batch_rows=2, progress=write_meanwhile)
    assert wrote and report.rows["login_failures"] == 0
    assert postgres_rows(target, list(before)) == before
    assert sqlite_rows(sqlite_data_dir) != before  # the source did change meanwhile


def test_copy_data_takes_sqlite_as_its_source_only(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("MENTORSPACE_DATABASE_URL", raising=False)
    from .test_cli import run

    code = run(
        "copy-data",
        "--data-dir",
        str(tmp_path),
        "--database-url",
        "postgresql://nobody@127.0.0.1:1/x",
        "--to",
        "postgresql://nobody@127.0.0.1:1/y",
    )
    assert code.returncode == 1 and "already on PostgreSQL" in code.stderr
    missing = run("copy-data", "--data-dir", str(tmp_path), "--to", "postgresql://a@b/c")
    assert missing.returncode == 1 and "there is no Mentorspace database" in missing.stderr
    wrong = run("copy-data", "--data-dir", str(tmp_path), "--to", "mysql://a@b/c")
    assert wrong.returncode == 1 and "postgresql://" in wrong.stderr
