"""What the search index costs each message written, in the storage write path alone.

    python scripts/index_write_bench.py                 # 20,000 messages a run, 2 rounds
    PYTHONPATH=/path/to/other/tree python scripts/index_write_bench.py   # another version

Each run opens a fresh store and writes `--messages` messages the way the server does: every
message through `add_message` in a write block of its own, `--writers` at a time.  Runs
alternate between the index as the migrations leave it and the same store with the search
triggers dropped (so nothing is indexed), and report the process's CPU per message for each
(the writer thread included), and other programs' CPU meanwhile (`other_cpu_s`: when high, the
figures are noise).  The difference is the index's share of a write; the message benchmark
(`scripts/bench.py`) says what it does to persisted msg/s.  Timing only, never in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from bench import machine_busy_s  # beside this script

import storage
from channels.chat.directory import set_up_programme
from channels.chat.messages import add_message
from channels.clock import SYSTEM_CLOCK, iso

TRIGGERS = ("message_search_insert", "message_search_update", "message_search_delete")
WORDS = "meeting plan cv interview thanks tomorrow goal draft great week letter call".split()


async def one_run(messages: int, writers: int, indexed: bool, rng: random.Random) -> float:
    """CPU milliseconds per message written."""
    with tempfile.TemporaryDirectory(prefix="mentorspace-index-bench-") as workdir:
        store = await storage.open_store(Path(workdir))
        try:
            await set_up_programme(store)
            if not indexed:
                db = sqlite3.connect(Path(workdir) / storage.DATABASE_FILE)
                try:
                    for trigger in TRIGGERS:
                        db.execute(f"DROP TRIGGER {trigger}")
                    db.commit()
                finally:
                    db.close()
            now = iso(SYSTEM_CLOCK.now())

            async def people(tx):
                author = await tx.insert_user(
                    email="writer@bench.example",
                    name="Writer",
                    role="mentor",
                    password_hash=None,
                    now=now,
                )
                channel = await tx.insert_channel(kind="community", name="bench", now=now)
                return author.id, channel.id

            author_id, channel_id = await store.write(people)
            bodies = [" ".join(rng.choices(WORDS, k=rng.randint(3, 25))) for _ in range(messages)]

            async def writer(share: list[str]) -> None:
                for body in share:

                    async def write(tx, body=body):
                        await add_message(
                            tx,
                            channel_id=channel_id,
                            author_id=author_id,
                            kind="text",
                            body=body,
                            html=f"<p>{body}</p>",
                            now=now,
                        )

                    await store.write(write)

            started = time.process_time()
            await asyncio.gather(*(writer(bodies[k::writers]) for k in range(writers)))
            return (time.process_time() - started) * 1000 / messages
        finally:
            await store.close()


async def run(args: argparse.Namespace) -> dict:
    rng = random.Random(1)
    per_message: dict[str, list[float]] = {"indexed": [], "not_indexed": []}
    machine_before, ours_before = machine_busy_s(), time.process_time()
    for _ in range(args.rounds):
        for indexed in (True, False):
            cpu_ms = await one_run(args.messages, args.writers, indexed, rng)
            per_message["indexed" if indexed else "not_indexed"].append(round(cpu_ms, 3))
    other = (machine_busy_s() - machine_before) - (time.process_time() - ours_before)
    share = min(per_message["indexed"]) - min(per_message["not_indexed"])
    return {
        "messages": args.messages,
        "writers": args.writers,
        "cpu_ms_per_message": per_message,
        "index_ms_per_message": round(share, 3),  # the best runs' difference
        "other_cpu_s": round(max(0.0, other), 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(run(args))), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
