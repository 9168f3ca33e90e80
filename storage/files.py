"""The file store: bytes kept by their sha256, deduplicated, behind a small interface that a
local disk implements here and an S3-compatible store can implement later.

A blob is written in two steps so that nothing half-written is ever visible under its name:
`stage(chunks)` streams the bytes into a temporary object while hashing them and returns a
`Staged` (its sha256 and size); `commit(staged)` puts it in place under its sha256 (or drops it
when the same bytes are there already), `discard(staged)` throws it away.  `put` does both.
`hold(*shas)` keeps blobs from being deleted while a caller adds the rows that refer to them:
the one who deletes a blob checks, inside the same hold, that no row refers to it any more.
Locally a hold is an asyncio lock and an flock on `DATA_DIR/files/locks/<two hex digits>`, so
it holds across the processes that share one directory too (several nodes on one disk).

The local implementation keeps `DATA_DIR/files/ab/cd/<sha256>`, writes through a temporary
file in `DATA_DIR/files/tmp` that is fsynced and renamed into place (then the directory is
fsynced), and does all its disk work on worker threads, never on the event loop.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
import secrets
import time
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

READ_CHUNK = 256 * 1024
STALE_TEMP_SECONDS = 24 * 3600  # a temporary file this old belongs to no upload any more
LOCKS_DIR = "locks"  # a lock file per first two hex digits of a digest (256 at most)
LOCK_RETRY_SECONDS = 0.005


@dataclass(frozen=True)
class Staged:
    """Bytes written but not yet in place: their digest, their size, and where they wait."""

    sha256: str
    size: int
    key: str


class FileStore(Protocol):
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

    def hold(self, *shas: str) -> contextlib.AbstractAsyncContextManager[None]:
        """While held, no other holder of one of these digests runs: add rows that refer to a
        blob, or check that none do and delete it, inside a hold."""

    async def exists(self, sha256: str) -> bool: ...

    async def size(self, sha256: str) -> int | None:
        """The blob's size in bytes, or None when there is no such blob."""

    def open(self, sha256: str, start: int = 0, end: int | None = None) -> AsyncIterator[bytes]:
        """The bytes of a blob from `start` up to (not including) `end`, in chunks.  Raises
        FileNotFoundError when there is no such blob."""

    async def delete(self, sha256: str) -> None:
        """Remove a blob (a no-op when it is not there)."""


def _check_sha(sha256: str) -> str:
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError("not a sha256 hex digest")
    return sha256


class _Holds:
    """One asyncio lock per digest, dropped when nobody holds or waits for it: within this
    process.  LocalFileStore adds a lock that other processes see (`_locked_on_disk`)."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @contextlib.asynccontextmanager
    async def hold(self, *shas: str) -> AsyncIterator[None]:
        ordered = sorted(set(shas))  # one order for everyone: no two holders wait on each other
        for sha in ordered:
            lock, users = self._locks.get(sha) or (asyncio.Lock(), 0)
            self._locks[sha] = (lock, users + 1)
        acquired: list[str] = []
        try:
            for sha in ordered:
                await self._locks[sha][0].acquire()
                acquired.append(sha)
            yield
        finally:
            for sha in acquired:
                self._locks[sha][0].release()
            for sha in ordered:
                lock, users = self._locks[sha]
                if users <= 1:
                    del self._locks[sha]
                else:
                    self._locks[sha] = (lock, users - 1)


class LocalFileStore:
    """Blobs on the local disk, under `root` (DATA_DIR/files)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._tmp = self.root / "tmp"
        self._holds = _Holds()

    def path_of(self, sha256: str) -> Path:
        sha = _check_sha(sha256)
        return self.root / sha[:2] / sha[2:4] / sha

    async def start(self) -> None:
        """Create the folders and remove temporary files left by a crash long ago."""
        await asyncio.to_thread(self._start)

    def _start(self) -> None:
        self._tmp.mkdir(parents=True, exist_ok=True)
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

    @contextlib.asynccontextmanager
    async def hold(self, *shas: str) -> AsyncIterator[None]:
        """This process's lock of each digest, then the lock file of its bucket, which every
        process sharing this directory (several nodes on one disk) waits for too."""
        checked = [_check_sha(sha) for sha in shas]
        async with self._holds.hold(*checked), self._locked_on_disk(checked):
            yield

    @contextlib.asynccontextmanager
    async def _locked_on_disk(self, shas: list[str]) -> AsyncIterator[None]:
        buckets = sorted({sha[:2] for sha in shas})  # one order for every process
        held: list[int] = []
        try:
            for bucket in buckets:
                fd = await asyncio.to_thread(self._open_lock, bucket)
                held.append(fd)
                # Polled: another process that holds it cannot set an asyncio.Event here.
                while not await asyncio.to_thread(_try_lock, fd):  # noqa: ASYNC110
                    await asyncio.sleep(LOCK_RETRY_SECONDS)
            yield
        finally:
            for fd in held:
                os.close(fd)  # which releases its lock

    def _open_lock(self, bucket: str) -> int:
        folder = self.root / LOCKS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        return os.open(folder / bucket, os.O_RDWR | os.O_CREAT, 0o600)

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


def _try_lock(fd: int) -> bool:
    """Take the lock of an open lock file without waiting; False if someone holds it (another
    process, or another holder here: each opens the file anew, so they exclude each other)."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


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
