"""The file store: bytes kept by their sha256, deduplicated, behind a small interface that a
local disk implements here and an S3-compatible object store in `s3files.py`.

A blob is written in two steps so that nothing half-written is ever visible under its name:
`stage(chunks)` streams the bytes into a temporary object while hashing them and returns a
`Staged` (its sha256 and size); `commit(staged)` puts it in place under its sha256 (or drops it
when the same bytes are there already), `discard(staged)` throws it away.  `put` does both.
Keeping a blob from being deleted while a caller adds the rows that refer to it is the
database's part, not the file store's: `Store.hold_blobs` (storage/holds.py), so that it holds
across every node that shares the database.

The local implementation keeps `DATA_DIR/files/ab/cd/<sha256>`, writes through a temporary
file in `DATA_DIR/files/tmp` that is fsynced and renamed into place (then the directory is
fsynced), and does all its disk work on worker threads, never on the event loop.  A store that
cannot be reached (S3 down, access refused) raises FileStoreUnavailable.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Protocol
from urllib.parse import urlsplit

READ_CHUNK = 256 * 1024
STALE_TEMP_SECONDS = 24 * 3600  # a temporary file this old belongs to no upload any more


@dataclass(frozen=True)
class Staged:
    """Bytes written but not yet in place: their digest, their size, and where they wait."""

    sha256: str
    size: int
    key: str


@dataclass(frozen=True)
class BlobInfo:
    """A blob in place: its digest, its size, and when it was put there (UTC)."""

    sha256: str
    size: int
    modified: datetime


class FileStoreUnavailable(Exception):
    """The file store cannot be reached or refuses us: nothing was stored or read."""


class FileStore(Protocol):
    async def start(self) -> None:
        """Get ready (folders, a client) and remove temporary objects a crash left long ago."""

    async def close(self) -> None: ...

    async def check_reachable(self) -> None:
        """Raise unless the store answers (for /readyz)."""

    async def stage(self, chunks: AsyncIterable[bytes]) -> Staged:
        """Write the chunks to a temporary object, hashing them; if the iterator raises, nothing
        is left behind and the error goes on."""

    async def read_staged(self, staged: Staged, limit: int) -> bytes:
        """The first `limit` bytes of a staged object (to make a thumbnail before commit)."""

    async def commit(self, staged: Staged) -> None:
        """Put a staged object in place under its sha256 (a no-op for bytes already there)."""

    async def discard(self, staged: Staged) -> None:
        """Forget a staged object (a no-op once it is committed or discarded)."""

    async def put(self, chunks: AsyncIterable[bytes]) -> Staged:
        """Stage and commit."""

    async def exists(self, sha256: str) -> bool: ...

    async def size(self, sha256: str) -> int | None:
        """The blob's size in bytes, or None when there is no such blob."""

    def open(self, sha256: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes of a blob from `start` up to (not including) `end`, in chunks.  Raises
        FileNotFoundError when there is no such blob."""

    async def delete(self, sha256: str) -> None:
        """Remove a blob (a no-op when it is not there)."""

    def list_blobs(self) -> AsyncIterator[BlobInfo]:
        """Every blob in place (not the temporary objects), in no particular order; what is
        not named as a blob (a stranger's object, a bad name) is left out."""

    async def remove_stale_temporaries(self) -> None:
        """Remove temporary objects older than a day: what a crash in an upload left."""


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")  # S3's rule for a bucket's name


def parse_files_url(url: str) -> tuple[str, str]:
    """(bucket, key prefix ending in "/" or empty) of `s3://bucket/prefix`; ValueError else."""
    parts = urlsplit(url)
    if parts.scheme != "s3" or not _BUCKET.fullmatch(parts.netloc) or parts.query or parts.fragment:
        raise ValueError(f"a files URL is s3://bucket or s3://bucket/prefix, not {url[:60]!r}")
    prefix = parts.path.strip("/")
    return parts.netloc, f"{prefix}/" if prefix else ""


def check_sha(sha256: str) -> str:
    if not is_sha(sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class LocalFileStore:
    """Blobs on the local disk, under `root` (DATA_DIR/files)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._tmp = self.root / "tmp"

    def path_of(self, sha256: str) -> Path:
        sha = check_sha(sha256)
        return self.root / sha[:2] / sha[2:4] / sha

    async def start(self) -> None:
        """Create the folders and remove temporary files left by a crash long ago."""
        await asyncio.to_thread(self._start)

    async def close(self) -> None:
        """Nothing to let go of."""

    async def check_reachable(self) -> None:
        """Raise unless the folder for temporary files is there (a disk unmounted)."""
        if not await asyncio.to_thread(self._tmp.is_dir):
            raise FileStoreUnavailable(f"{self._tmp} is not a folder")

    def _start(self) -> None:
        self._tmp.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()

    async def remove_stale_temporaries(self) -> None:
        await asyncio.to_thread(self._remove_stale_temporaries)

    def _remove_stale_temporaries(self) -> None:
        if not self._tmp.is_dir():
            return
        cutoff = time.time() - STALE_TEMP_SECONDS
        for leftover in self._tmp.iterdir():
            with contextlib.suppress(OSError):
                if leftover.stat().st_mtime < cutoff:
                    leftover.unlink()

    async def stage(self, chunks: AsyncIterable[bytes]) -> Staged:
        self._tmp.mkdir(parents=True, exist_ok=True)
        path = self._tmp / f"{secrets.token_hex(16)}.part"
        out = await asyncio.to_thread(open, path, "xb")
        digest, size = hashlib.sha256(), 0
        try:
            async for chunk in chunks:
                if not chunk:
                    continue
                digest.update(chunk)
                size += len(chunk)
                await asyncio.to_thread(out.write, chunk)
            await asyncio.to_thread(_flush_and_close, out)
        except BaseException:
            await asyncio.to_thread(_close_and_remove, out, path)
            raise
        return Staged(digest.hexdigest(), size, path.name)

    def _staged_path(self, staged: Staged) -> Path:
        name = staged.key
        if "/" in name or not name.endswith(".part"):
            raise ValueError("not a staged key")
        return self._tmp / name

    async def read_staged(self, staged: Staged, limit: int) -> bytes:
        def read() -> bytes:
            with open(self._staged_path(staged), "rb") as source:
                return source.read(limit)

        return await asyncio.to_thread(read)

    async def commit(self, staged: Staged) -> None:
        await asyncio.to_thread(self._commit, staged)

    def _commit(self, staged: Staged) -> None:
        source = self._staged_path(staged)
        target = self.path_of(staged.sha256)
        if target.exists():
            source.unlink(missing_ok=True)  # the same bytes are there already
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(source, target)
        _fsync_dir(target.parent)

    async def discard(self, staged: Staged) -> None:
        await asyncio.to_thread(self._staged_path(staged).unlink, missing_ok=True)

    async def put(self, chunks: AsyncIterable[bytes]) -> Staged:
        staged = await self.stage(chunks)
        await self.commit(staged)
        return staged

    async def exists(self, sha256: str) -> bool:
        return await asyncio.to_thread(self.path_of(sha256).is_file)

    async def size(self, sha256: str) -> int | None:
        def size() -> int | None:
            try:
                return self.path_of(sha256).stat().st_size
            except FileNotFoundError:
                return None

        return await asyncio.to_thread(size)

    async def open(
        self, sha256: str, start: int = 0, end: int | None = None
    ) -> AsyncIterator[bytes]:
        source = await asyncio.to_thread(open, self.path_of(sha256), "rb")
        try:
            await asyncio.to_thread(source.seek, start)
            left = None if end is None else max(end - start, 0)
            while left is None or left > 0:
                want = READ_CHUNK if left is None else min(READ_CHUNK, left)
                chunk = await asyncio.to_thread(source.read, want)
                if not chunk:
                    break
                if left is not None:
                    left -= len(chunk)
                yield chunk
        finally:
            await asyncio.to_thread(source.close)

    async def delete(self, sha256: str) -> None:
        await asyncio.to_thread(self.path_of(sha256).unlink, missing_ok=True)

    async def list_blobs(self) -> AsyncIterator[BlobInfo]:
        """Folder by folder (ab/), each listed on a worker thread."""
        firsts = await asyncio.to_thread(_blob_folders, self.root)
        for first in firsts:
            for found in await asyncio.to_thread(_blobs_in, first):
                yield found


def is_sha(name: str) -> bool:
    return len(name) == 64 and all(c in "0123456789abcdef" for c in name)


def _blob_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(path for path in root.iterdir() if len(path.name) == 2 and path.is_dir())


def _blobs_in(first: Path) -> list[BlobInfo]:
    found = []
    for path in first.glob("*/*"):
        if (
            not is_sha(path.name)
            or path.name[:2] != first.name
            or path.parent.name != path.name[2:4]
        ):
            continue
        with contextlib.suppress(FileNotFoundError):  # deleted meanwhile
            facts = path.stat()
            found.append(
                BlobInfo(path.name, facts.st_size, datetime.fromtimestamp(facts.st_mtime, UTC))
            )
    return found


def _flush_and_close(out) -> None:  # type: ignore[no-untyped-def]
    try:
        out.flush()
        os.fsync(out.fileno())
    finally:
        out.close()


def _close_and_remove(out, path: Path) -> None:  # type: ignore[no-untyped-def]
    out.close()
    path.unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


async def chunks_of(data: bytes) -> AsyncIterator[bytes]:
    """Bytes already in memory (a thumbnail) as the chunks `stage` and `put` take."""
    yield data


if TYPE_CHECKING:

    def _keeps_the_contract(store: LocalFileStore) -> FileStore:
        """mypy fails here when the local store and the FileStore contract differ."""
        return store
