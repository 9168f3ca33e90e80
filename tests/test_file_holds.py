"""A hold on a blob keeps out every other holder of it (storage/holds.py): on SQLite, in this
process and in any other process on the same database file (several nodes on one machine),
which sees the lock file of the blob's bucket taken."""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path

import pytest

from storage import holds
from storage.holds import DiskHolds

from .support import eventually

SHA = "ab" + "0" * 62
SAME_BUCKET = "ab" + "1" * 62


def bucket_taken(folder: Path, sha: str) -> bool:
    """As another process would see it: try the bucket's lock without waiting."""
    fd = os.open(folder / sha[:2], os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@pytest.mark.parametrize("other_sha", [SHA, SAME_BUCKET])
async def test_a_hold_keeps_out_a_holder_in_another_process_on_the_same_database(
    tmp_path, monkeypatch, other_sha
):
    one, two = DiskHolds(tmp_path), DiskHolds(tmp_path)  # as two processes would
    refused = []
    try_lock = holds.try_lock

    def counted(fd: int) -> bool:
        taken = try_lock(fd)
        refused.append(not taken)
        return taken

    order = []

    async def second_holder() -> None:
        async with two.hold(other_sha):
            order.append("two in")

    async with one.hold(SHA):
        assert bucket_taken(tmp_path, SHA)  # what every other process sees
        monkeypatch.setattr(holds, "try_lock", counted)
        waiting = asyncio.create_task(second_holder())
        await eventually(lambda: any(refused))  # it tried, and was kept out
        order.append("one out")
    await asyncio.wait_for(waiting, 5)  # let go: the other holder gets in
    assert order == ["one out", "two in"]
    assert not bucket_taken(tmp_path, SHA)  # and released it on leaving


async def test_holds_of_several_blobs_take_their_buckets_in_one_order(tmp_path):
    held = DiskHolds(tmp_path)
    other = "cd" + "2" * 62
    done = await asyncio.wait_for(
        asyncio.gather(*(_hold_both(held, pair) for pair in [(SHA, other), (other, SHA)] * 5)),
        10,
    )
    assert done == [True] * 10
    assert not bucket_taken(tmp_path, SHA) and not bucket_taken(tmp_path, other)


async def _hold_both(held: DiskHolds, shas: tuple[str, str]) -> bool:
    async with held.hold(*shas):
        await asyncio.sleep(0)
    return True
