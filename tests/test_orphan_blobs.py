"""Blobs no row refers to (channels/files/orphans.py): swept from the file store once they are
older than the grace period, on the disk and on S3; never a blob a row refers to, never one
an upload in flight is about to refer to; one node of several sweeps each day."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage
from channels.files.orphans import ORPHAN_GRACE, remove_orphan_blobs, sweep_if_due
from channels.files.uploads import UploadLimits, receive_upload
from server import keys
from storage import FILES_DIR
from storage.files import FileStore, Staged, chunks_of, parse_files_url

from . import databases, s3_support
from .clocks import FakeClock
from .file_support import blob_stored, share
from .mail_support import running_server
from .support import DAYS_AWAKE, email, eventually

LIMITS = UploadLimits(max_file_bytes=10 * 1024 * 1024, quota_bytes=100 * 1024 * 1024)
LATER = ORPHAN_GRACE + timedelta(hours=1)


@pytest.fixture
async def node(data_dir: Path, files_url: str) -> AsyncIterator[tuple[storage.Store, FileStore]]:
    """The test's database and its file store: the data dir's, or a bucket holding a copy."""
    store = await databases.open_store(data_dir)
    files = await storage.open_file_store(data_dir, files_url)
    try:
        yield store, files
    finally:
        await files.close()
        await store.close()


async def blobs_of(files: FileStore) -> set[str]:
    return {blob.sha256 async for blob in files.list_blobs()}


async def upload_as(store: storage.Store, files: FileStore, handle: str, data: bytes, name: str):
    user = await store.load_user_by_email(email(handle))
    assert user is not None
    return await receive_upload(
        store, files, user, name=name, chunks=chunks_of(data), limits=LIMITS
    )


async def test_blobs_no_row_refers_to_go_once_past_the_grace_period(node):
    store, files = node
    clock = FakeClock()
    before = await blobs_of(files)
    assert before  # the demo library's documents, which rows refer to
    orphan = await files.put(chunks_of(b"a blob whose row was never written"))
    kept = await upload_as(store, files, "mentee1", b"my CV, still uploaded", "cv.txt")
    dropped = await upload_as(store, files, "mentee1", b"a file whose row goes", "old.txt")
    shared = await upload_as(store, files, "mentee1", b"the same bytes twice", "a.txt")
    await upload_as(store, files, "mentor1", b"the same bytes twice", "b.txt")
    # Rows removed while the store could not be reached: their blobs stay behind.
    await store.write(lambda tx: tx.delete_file(dropped.public_id))
    await store.write(lambda tx: tx.delete_file(shared.public_id))

    young = await remove_orphan_blobs(store, files, clock=clock)
    assert young.removed == 0 and young.young >= 2
    assert orphan.sha256 in await blobs_of(files)

    clock.advance(seconds=LATER.total_seconds())
    report = await remove_orphan_blobs(store, files, clock=clock)
    assert (report.removed, report.young) == (2, 0)
    assert report.removed_size == orphan.size + dropped.size
    left = await blobs_of(files)
    assert left == before | {kept.sha256, shared.sha256}
    assert await files.size(kept.sha256) == kept.size  # still readable, whole

    again = await remove_orphan_blobs(store, files, clock=clock)
    assert again.removed == 0 and again.looked_at == len(left)


class PausingFiles:
    """A file store whose commit of `sha` waits, once the blob is in place, until the test lets
    it go on: an upload stopped between its blob and its row."""

    def __init__(self, files: FileStore, sha: str) -> None:
        self._files, self._sha = files, sha
        self.in_place, self.go_on = asyncio.Event(), asyncio.Event()

    def __getattr__(self, name: str):
        return getattr(self._files, name)

    async def commit(self, staged: Staged) -> None:
        await self._files.commit(staged)
        if staged.sha256 == self._sha:
            self.in_place.set()
            await self.go_on.wait()


async def test_an_upload_in_flight_keeps_its_blob(node):
    store, files = node
    clock = FakeClock()
    clock.advance(seconds=LATER.total_seconds())  # every blob already counts as old
    data = b"MARKER-inflight: the CV she is sending right now"
    sha = hashlib.sha256(data).hexdigest()
    orphan = await files.put(chunks_of(b"an orphan swept in the same pass"))
    pausing = PausingFiles(files, sha)
    uploading = asyncio.create_task(upload_as(store, pausing, "mentee1", data, "cv.txt"))  # type: ignore[arg-type]
    await asyncio.wait_for(pausing.in_place.wait(), 10)
    assert sha in await blobs_of(files) and await store.count_blob_references(sha) == 0

    sweeping = asyncio.create_task(remove_orphan_blobs(store, files, clock=clock))
    holds = store._holds  # type: ignore[attr-defined]
    process = getattr(holds, "_process", holds)
    await eventually(lambda: process._locks.get(sha, (None, 0))[1] == 2)  # the sweep waits
    pausing.go_on.set()
    saved = await asyncio.wait_for(uploading, 10)
    report = await asyncio.wait_for(sweeping, 10)

    assert report.removed == 1  # the orphan, in the same pass
    assert orphan.sha256 not in await blobs_of(files)
    assert await files.size(sha) == len(data) and saved.sha256 == sha
    assert b"".join([chunk async for chunk in files.open(sha)]) == data


async def test_one_node_of_several_sweeps_each_day(data_dir: Path, files_url: str):
    nodes = [await databases.open_store(data_dir) for _ in range(2)]
    files = [await storage.open_file_store(data_dir, files_url) for _ in range(2)]
    try:
        orphan = await files[0].put(chunks_of(b"left by a node that died"))
        soon = datetime.now(UTC).date() + timedelta(days=3)  # every blob is old by then
        clock = FakeClock(datetime(soon.year, soon.month, soon.day, 0, 30, tzinfo=UTC))
        reports = await asyncio.gather(
            *(sweep_if_due(store, f, clock=clock) for store, f in zip(nodes, files, strict=True))
        )
        swept = [report for report in reports if report is not None]
        assert len(swept) == 1 and swept[0].removed == 1
        assert orphan.sha256 not in await blobs_of(files[1])
        assert await sweep_if_due(nodes[1], files[1], clock=clock) is None  # done today
        [(removed, size)] = databases.rows(
            data_dir, "SELECT removed, removed_size FROM blob_sweeps"
        )
        assert (removed, size) == (1, orphan.size)

        # A node that claimed the next day's sweep and died: another takes it hours later.
        clock.advance(days=1)
        day = clock.now().date().isoformat()
        claimed_at = clock.now().isoformat()
        assert await nodes[0].write(lambda tx: tx.claim_blob_sweep(day, claimed_at, claimed_at))
        assert await sweep_if_due(nodes[1], files[1], clock=clock) is None  # still its own
        clock.advance(hours=7)
        assert await sweep_if_due(nodes[1], files[1], clock=clock) is not None
    finally:
        for store in nodes:
            await store.close()
        for f in files:
            await f.close()


async def test_what_is_not_named_as_a_blob_is_never_swept(node, files_url: str, data_dir: Path):
    """An object or file in the store that Mentorspace did not name (an operator's note, a
    stranger's key under the prefix) is not a blob: never listed, never deleted."""
    store, files = node
    if files_url:
        bucket, prefix = parse_files_url(files_url)
        s3 = s3_support.client(os.environ["AWS_ENDPOINT_URL_S3"])
        stranger = f"{prefix}blobs/ab/cd/notes.txt"
        s3.put_object(Bucket=bucket, Key=stranger, Body=b"the operator's notes")

        def still_there() -> bool:
            return stranger in s3_support.keys_under(
                os.environ["AWS_ENDPOINT_URL_S3"], files_url, "blobs/"
            )
    else:
        note = data_dir / FILES_DIR / "ab" / "cd" / "notes.txt"
        note.parent.mkdir(parents=True, exist_ok=True)
        note.write_bytes(b"the operator's notes")

        def still_there() -> bool:
            return note.is_file()

    clock = FakeClock()
    clock.advance(seconds=LATER.total_seconds())
    assert all(len(sha) == 64 for sha in await blobs_of(files))
    report = await remove_orphan_blobs(store, files, clock=clock)
    assert report.removed == 0 and still_there()


async def test_the_upload_sweeper_sweeps_orphans_and_a_pair_file_stays_the_pairs_alone(
    data_dir: Path, files_url: str
):
    clock = FakeClock()
    changes = {**DAYS_AWAKE, "files_url": files_url}
    async with running_server(data_dir, clock=clock, config_changes=changes) as server:
        marker = "MARKER-sweep-4e0a"
        data = f"{marker}: the letter I am drafting".encode()
        pair = await server.pair_channel_id(1)
        mentee = await server.client("mentee1")
        _, attachment = await share(mentee, data, f"{marker}.txt", pair)
        orphan = await server.app[keys.FILES].put(chunks_of(b"a blob whose row never came"))
        sweeper = server.app[keys.UPLOAD_SWEEPER]

        clock.advance(seconds=LATER.total_seconds())  # a new day, and everything is old
        before = sweeper.passes
        sweeper.wake()
        await eventually(lambda: sweeper.passes > before)
        assert sweeper.last_sweep is not None and sweeper.last_sweep.removed == 1
        assert not blob_stored(server, orphan.sha256)
        assert blob_stored(server, hashlib.sha256(data).hexdigest())

        mentor = await server.client("mentor1")
        answer = await mentor.get(attachment["url"])
        assert answer.status == 200 and await answer.read() == data
        missing = await mentor.get("/files/AAAAAAAAAAAAAAAAAAAAAAAA/x.txt")
        for handle in ("coordinator", "mentor2", "mentee2"):
            outsider = await server.client(handle)
            refused = await outsider.get(attachment["url"])
            assert (refused.status, await refused.text()) == (404, await missing.text())
