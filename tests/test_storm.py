"""Kill -9 in the middle of a write storm (scripts/storm.py): 20 clients send with their own
client_ids, the server process is SIGKILLed and restarted 10 times, and clients send what was
not acknowledged again with the same client_id.  Checked here against the database itself."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from storage import DATABASE_FILE

STORM = Path(__file__).resolve().parent.parent / "scripts" / "storm.py"


@pytest.mark.long
def test_every_acknowledged_message_survives_kill_9_exactly_once(data_dir: Path, tmp_path):
    report = tmp_path / "storm.json"
    done = subprocess.run(
        [
            *(sys.executable, str(STORM), "--cycles", "10", "--clients", "20"),
            *("--data-dir", str(data_dir), "--report", str(report), "--timeout", "30"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    result = json.loads(report.read_text())
    assert result["errors"] == []
    acked = result["acked_ids"]
    assert len(acked) >= 10 * 1  # each cycle waited for at least one ACK before the kill

    with sqlite3.connect(f"file:{data_dir / DATABASE_FILE}?mode=ro", uri=True) as db:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        stored = db.execute(
            "SELECT client_id, id FROM messages WHERE client_id LIKE 'storm-%'"
        ).fetchall()
        # Exactly once, as the message the ACK named; and nothing unacknowledged slipped in
        # (every client sent its last message until it was acknowledged).
        assert sorted(stored) == sorted(acked.items())
        for channel_id, last_seq in db.execute("SELECT id, last_seq FROM channels"):
            rows = db.execute(
                "SELECT created_seq, seq FROM messages WHERE channel_id = ?", (channel_id,)
            ).fetchall()
            created = [created_seq for created_seq, _ in rows]
            assert len(set(created)) == len(created), channel_id
            # Each seq was taken by a message's creation or is its latest change: no gaps.
            taken = set(created) | {seq for _, seq in rows}
            assert taken == set(range(1, last_seq + 1)), channel_id
