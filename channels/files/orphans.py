"""Blobs no row refers to: the daily sweep that removes them from the file store.

Rows and blobs part ways in a few places: an upload whose blob is in place but whose row was
never written (the write failed and the clean-up after it could not reach the store, or the
process died between the two), and rows removed while the store could not be reached
(`release_blobs` then leaves the blob).  Nothing reads such a blob (every download starts
from a row), but it takes room forever, on disk or in S3.

The sweep lists the store's blobs, keeps every one younger than ORPHAN_GRACE (by when it was
put in place) and every one a row refers to, and deletes the others one by one, each inside
its hold (`Store.hold_blobs`) after checking again that no row refers to it: an upload in
flight holds its blob from before it is in place until its row is committed, so the sweep
waits for it and then finds the row.  The grace period is for blobs put in place without a
hold (`mentorspace copy-files` or `restore` ahead of the database).

Every node's upload sweeper calls `sweep_if_due`; the day's sweep is claimed in the database
(`blob_sweeps`), so one node sweeps each day, and another one the same day only when the
first died before it finished.  The sweep also removes temporary objects a crash left.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.files.uploads import remove_unreferenced
from storage import Store
from storage.files import BlobInfo, FileStore

log = logging.getLogger(__name__)

ORPHAN_GRACE = timedelta(hours=24)
CLAIM_LEASE = timedelta(hours=6)  # a sweep claimed this long ago and not finished: its node died
LIST_BATCH = 500  # blobs looked up in the database with one query


@dataclass(frozen=True)
class SweepReport:
    looked_at: int  # blobs in the store
    young: int  # within the grace period: left alone
    removed: int  # no row referred to them: deleted
    removed_size: int  # their bytes


async def remove_orphan_blobs(
    store: Store, files: FileStore, *, clock: Clock = SYSTEM_CLOCK
) -> SweepReport:
    """Delete the blobs older than ORPHAN_GRACE that no row refers to."""
    cutoff = clock.now() - ORPHAN_GRACE
    looked_at = young = removed = removed_size = 0
    batch: list[BlobInfo] = []

    async def remove_batch() -> None:
        nonlocal removed, removed_size
        referenced = await store.list_referenced_blobs([blob.sha256 for blob in batch])
        for blob in batch:
            if blob.sha256 in referenced:
                continue
            async with store.hold_blobs(blob.sha256):
                if await remove_unreferenced(store, files, [blob.sha256]):
                    removed += 1
                    removed_size += blob.size
        batch.clear()

    async for blob in files.list_blobs():
        looked_at += 1
        if blob.modified >= cutoff:
            young += 1
            continue
        batch.append(blob)
        if len(batch) >= LIST_BATCH:
            await remove_batch()
    if batch:
        await remove_batch()
    return SweepReport(looked_at, young, removed, removed_size)


async def sweep_if_due(
    store: Store, files: FileStore, *, clock: Clock = SYSTEM_CLOCK
) -> SweepReport | None:
    """Today's sweep (orphan blobs, then stale temporary objects) when no other node has
    claimed it; None when one has, or it is done."""
    now = clock.now()
    day = now.date().isoformat()
    claimed = await store.write(
        lambda tx: tx.claim_blob_sweep(day, iso(now), iso(now - CLAIM_LEASE))
    )
    if not claimed:
        return None
    report = await remove_orphan_blobs(store, files, clock=clock)
    await files.remove_stale_temporaries()
    finished = iso(clock.now())
    await store.write(
        lambda tx: tx.finish_blob_sweep(day, finished, report.removed, report.removed_size)
    )
    if report.removed:
        log.info(
            "removed %s blobs (%s bytes) that no file referred to",
            report.removed,
            report.removed_size,
        )
    return report
