"""`mentorspace backup DEST` and `mentorspace restore SRC` as an operator uses them: a backup
taken while people write is one consistent moment; a restore gives back every row of every
table and every file; neither overwrites anything by surprise."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import uuid
from contextlib import closing
from pathlib import Path

import pytest

from server.cli.backup import MANIFEST
from storage import DATABASE_FILE, FILES_DIR
from storage.backup import list_blobs

from .file_support import png, share
from .support import Server, eventually
from .test_cli import help_of, run


@pytest.fixture
def data_dir(sqlite_data_dir: Path) -> Path:
    """Backup and restore copy SQLite's file: these tests run on SQLite on either engine
    (on PostgreSQL the commands refuse, tested below)."""
    return sqlite_data_dir


async def run_async(*args: str) -> tuple[int, str, str]:
    """The CLI as its own process, without blocking the server running in this one."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "server.cli",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


def all_rows(database: Path) -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order."""
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as db:
        names = [
            name
            for (name,) in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {
            name: sorted(db.execute(f'SELECT * FROM "{name}"').fetchall(), key=repr)
            for name in names
        }


def blob_bytes(folder: Path) -> dict[str, bytes]:
    return {sha: path.read_bytes() for sha, path in list_blobs(folder / FILES_DIR).items()}


def names_in(folder: Path) -> list[str]:
    """Every file under a folder, by name only: opening and closing a database file in the
    process that serves it would drop that process's SQLite locks (POSIX locks are per
    process), so a test must never read it with plain file calls."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file())


async def test_a_backup_taken_while_messages_are_posted_is_one_consistent_moment(
    data_dir: Path, tmp_path: Path
):
    fast = {"message_rate": 10_000, "message_burst": 10_000}  # writing as fast as it can
    server = await Server(data_dir, config_changes=fast).start()
    try:
        await _back_up_while_posting(server, tmp_path)
    finally:
        await server.stop()


async def _back_up_while_posting(server: Server, tmp_path: Path) -> None:
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    pair = await server.pair_channel_id(1)
    lounge = await server.channel_id("mentor_lounge")
    sockets = [(await mentee.socket(), pair), (await mentor.socket(), lounge)]
    writing = asyncio.Event()
    writing.set()
    posted = 0

    async def keep_posting(sock, channel_id: int) -> None:
        nonlocal posted
        while writing.is_set():
            await sock.send(channel_id, f"message {uuid.uuid4()}")
            posted += 1

    writers = [asyncio.create_task(keep_posting(sock, ch)) for sock, ch in sockets]
    try:
        await eventually(lambda: posted >= 20)  # the writers are well under way
        at_start = posted
        dest = tmp_path / "backup"
        code, out, err = await run_async("backup", str(dest), "--data-dir", str(server.data_dir))
        at_end = posted
    finally:
        writing.clear()
        await asyncio.gather(*writers)
    assert code == 0, err
    assert "Backed up" in out and str(dest) in out
    assert at_end > at_start  # messages were being written all along

    source = all_rows(server.data_dir / DATABASE_FILE)
    copy = all_rows(dest / DATABASE_FILE)
    copied_ids = {row[0] for row in copy["messages"]}
    live = {row[0]: row for row in source["messages"]}
    assert len(copied_ids) > len(live) - posted  # it holds some of what was posted meanwhile
    assert len(copied_ids) < len(live)  # and not what came after the snapshot
    # One moment: every message up to the newest in the copy, none after, each as stored.
    newest = max(copied_ids)
    assert copied_ids == {message_id for message_id in live if message_id <= newest}
    assert all(live[row[0]] == row for row in copy["messages"])
    with closing(sqlite3.connect(dest / DATABASE_FILE)) as db:
        # Each channel's counter agrees with its messages: no change is half in the copy.
        counters = db.execute(
            "SELECT c.id, c.last_seq, (SELECT max(m.seq) FROM messages m WHERE m.channel_id = c.id)"
            " FROM channels c"
        ).fetchall()
        assert counters and all(last == (newest or 0) for _id, last, newest in counters)
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("delete",)  # one file
    assert not (dest / f"{DATABASE_FILE}-wal").exists()
    await mentee.close()
    await mentor.close()


async def test_restore_gives_back_every_row_every_file_and_the_secret(
    server: Server, tmp_path: Path
):
    mentee = await server.client("mentee1")
    await share(mentee, png(color=(10, 200, 30)), "CV draft.png", await server.pair_channel_id(1))
    await server.stop()  # compare with a source that no longer moves
    source = server.data_dir
    dest = tmp_path / "backups" / "monday"
    backed_up = run("backup", str(dest), "--data-dir", str(source))
    assert backed_up.returncode == 0, backed_up.stderr
    assert "and the secret" in backed_up.stdout
    assert (dest / MANIFEST).exists()
    assert (dest.stat().st_mode & 0o777) == 0o700
    assert ((dest / "secret").stat().st_mode & 0o777) == 0o600

    fresh = tmp_path / "restored"
    restored = run("restore", str(dest), "--data-dir", str(fresh))
    assert restored.returncode == 0, restored.stderr
    assert "Restored" in restored.stdout and str(fresh) in restored.stdout

    assert all_rows(fresh / DATABASE_FILE) == all_rows(source / DATABASE_FILE)
    blobs = blob_bytes(fresh)
    assert blobs == blob_bytes(source) and len(blobs) >= 2  # the image and its thumbnail
    assert (fresh / "secret").read_bytes() == (source / "secret").read_bytes()

    running = await Server(fresh).start()  # the restored data dir serves
    try:
        mentee = await running.client("mentee1")
        pair = await running.pair_channel_id(1)
        history = await (await mentee.get(f"/api/v1/channels/{pair}/messages")).json()
        shared = [m for m in history["messages"] if m.get("attachments")]
        attachment = shared[-1]["attachments"][0]
        download = await mentee.get(attachment["url"])
        assert download.status == 200 and await download.read() == png(color=(10, 200, 30))
        await mentee.close()
    finally:
        await running.stop()


async def test_restore_never_overwrites_by_surprise(server: Server, tmp_path: Path):
    backup = tmp_path / "backup"
    code, _out, err = await run_async("backup", str(backup), "--data-dir", str(server.data_dir))
    assert code == 0, err
    before = names_in(server.data_dir), all_rows(server.data_dir / DATABASE_FILE)

    # A data dir with something in it: refused, nothing changed.
    code, _out, err = await run_async("restore", str(backup), "--data-dir", str(server.data_dir))
    assert code == 1 and "is not empty" in err and "--force" in err
    # --force while a server has the database open: refused, nothing changed.
    code, _out, err = await run_async(
        "restore", str(backup), "--data-dir", str(server.data_dir), "--force"
    )
    assert code == 1 and "stop it first" in err
    assert (names_in(server.data_dir), all_rows(server.data_dir / DATABASE_FILE)) == before

    await server.stop()
    code, out, err = await run_async(
        "restore", str(backup), "--data-dir", str(server.data_dir), "--force"
    )
    assert code == 0, err
    aside = list(server.data_dir.parent.glob(f"{server.data_dir.name}.before-restore-*"))
    assert len(aside) == 1 and str(aside[0]) in out  # moved aside, not deleted, and said so
    assert (aside[0] / DATABASE_FILE).exists()
    assert all_rows(server.data_dir / DATABASE_FILE) == all_rows(backup / DATABASE_FILE)


@pytest.mark.long
def test_bad_backup_and_restore_requests_are_refused_and_change_nothing(
    data_dir: Path, tmp_path: Path
):
    empty = tmp_path / "empty"
    empty.mkdir()
    no_data = run("backup", str(tmp_path / "b1"), "--data-dir", str(empty))
    assert no_data.returncode == 1 and "no Mentorspace database" in no_data.stderr
    assert not (tmp_path / "b1").exists()

    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("an older backup")
    over = run("backup", str(taken), "--data-dir", str(data_dir))
    assert over.returncode == 1 and "never overwrites" in over.stderr
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]

    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    unwritable = run("backup", str(a_file / "backup"), "--data-dir", str(data_dir))
    assert unwritable.returncode == 1 and "the backup failed" in unwritable.stderr
    assert "Traceback" not in unwritable.stderr

    inside = run("backup", str(data_dir / "backup"), "--data-dir", str(data_dir))
    assert inside.returncode == 1 and "inside the data dir" in inside.stderr

    not_a_backup = run("restore", str(data_dir), "--data-dir", str(tmp_path / "new"))
    assert not_a_backup.returncode == 1 and "not a backup" in not_a_backup.stderr
    assert not (tmp_path / "new").exists()

    good = tmp_path / "good"
    assert run("backup", str(good), "--data-dir", str(data_dir)).returncode == 0
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    (damaged / MANIFEST).write_bytes((good / MANIFEST).read_bytes())
    (damaged / DATABASE_FILE).write_bytes(b"not a database at all" * 100)
    broken = run("restore", str(damaged), "--data-dir", str(tmp_path / "new"))
    assert broken.returncode == 1 and "not a database" in broken.stderr
    assert not (tmp_path / "new").exists()
    assert not list(tmp_path.glob(".*"))  # no partial folder left behind


def test_a_programme_on_postgresql_is_pointed_to_pg_dump(data_dir: Path, tmp_path: Path):
    env = {**os.environ, "MENTORSPACE_DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    for command in ("backup", "restore"):
        refused = run(command, str(tmp_path / "b"), "--data-dir", str(data_dir), env=env)
        assert refused.returncode == 1 and "pg_dump" in refused.stderr, refused.stderr
        assert not (tmp_path / "b").exists()


def test_a_programme_with_its_files_on_s3_is_pointed_to_the_bucket(data_dir: Path, tmp_path: Path):
    env = {**os.environ, "MENTORSPACE_FILES_URL": "s3://mentorspace-files/programme"}
    env.pop("MENTORSPACE_DATABASE_URL", None)
    for command in ("backup", "restore"):
        refused = run(command, str(tmp_path / "b"), "--data-dir", str(data_dir), env=env)
        assert refused.returncode == 1 and "MENTORSPACE_FILES_URL" in refused.stderr, refused.stderr
        assert not (tmp_path / "b").exists()


def test_backup_and_restore_have_help(capsys):
    for command in ("backup", "restore"):
        assert "MENTORSPACE_DATA_DIR" in help_of(command, capsys)
