"""One conformance suite for the file store (storage/files.py): every test runs on the local
disk and on an S3-compatible server (moto's server mode, tests/s3_support.py).  Content is
kept by its sha256, once; nothing half-written is ever under a blob's name; a failed upload
leaves nothing behind; byte ranges read what they say; a store that cannot be reached says so
(FileStoreUnavailable) rather than answering wrong."""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import FileStore, FileStoreUnavailable, LocalFileStore, open_file_store
from storage.files import READ_CHUNK, chunks_of, parse_files_url

from . import s3_support
from .s3_support import MotoServer
from .support import free_port


@pytest.fixture(params=["local", "s3"])
async def files(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[FileStore]:
    files_url = "" if request.param == "local" else request.getfixturevalue("s3_url")
    store = await open_file_store(tmp_path, files_url)
    yield store
    await store.close()


def blobs_in(files: FileStore) -> set[str]:
    if isinstance(files, LocalFileStore):
        return {path.name for path in files.root.glob("??/??/*")}
    endpoint = os.environ["AWS_ENDPOINT_URL_S3"]
    return {key.rsplit("/", 1)[1] for key in s3_support.keys_under(endpoint, files.url, "blobs/")}


def temporaries_in(files: FileStore) -> list[str]:
    if isinstance(files, LocalFileStore):
        return [path.name for path in (files.root / "tmp").iterdir()]
    endpoint = os.environ["AWS_ENDPOINT_URL_S3"]
    return s3_support.keys_under(endpoint, files.url, "tmp/") + s3_support.unfinished_uploads(
        endpoint, files.url
    )


async def read(files: FileStore, sha256: str, start: int = 0, end: int | None = None) -> bytes:
    return b"".join([chunk async for chunk in files.open(sha256, start, end)])


async def pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for at in range(0, len(data), size):
        yield data[at : at + size]


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def test_a_blob_is_kept_by_its_sha256_once(files: FileStore):
    data = b"my CV, draft 3\n" * 1000
    staged = await files.put(pieces(data, 4096))
    assert (staged.sha256, staged.size) == (sha(data), len(data))
    assert await files.exists(sha(data)) and await files.size(sha(data)) == len(data)
    assert await read(files, sha(data)) == data
    again = await files.put(chunks_of(data))
    assert again.sha256 == staged.sha256
    assert blobs_in(files) == {sha(data)} and temporaries_in(files) == []


async def test_a_staged_blob_is_not_there_until_committed(files: FileStore):
    data = b"\x89PNG not really" * 100
    staged = await files.stage(chunks_of(data))
    assert await files.read_staged(staged, 10) == data[:10]
    assert await files.read_staged(staged, 10**6) == data
    assert not await files.exists(staged.sha256) and await files.size(staged.sha256) is None
    assert blobs_in(files) == set() and len(temporaries_in(files)) == 1
    await files.commit(staged)
    assert await read(files, staged.sha256) == data
    assert blobs_in(files) == {staged.sha256} and temporaries_in(files) == []
    await files.discard(staged)  # a no-op once committed
    assert await read(files, staged.sha256) == data


async def test_committing_bytes_already_there_keeps_one_and_discarding_leaves_nothing(
    files: FileStore,
):
    first = await files.put(chunks_of(b"same bytes"))
    second = await files.stage(chunks_of(b"same bytes"))
    await files.commit(second)
    thrown = await files.stage(chunks_of(b"never wanted"))
    await files.discard(thrown)
    await files.discard(thrown)  # twice is fine
    assert blobs_in(files) == {first.sha256} and temporaries_in(files) == []
    assert not await files.exists(thrown.sha256)


async def test_an_empty_blob_is_a_blob(files: FileStore):
    staged = await files.put(chunks_of(b""))
    assert staged.size == 0 and await files.size(staged.sha256) == 0
    assert await read(files, staged.sha256) == b""
    assert await read(files, staged.sha256, 0, 0) == b""


class Broken(Exception):
    pass


async def test_a_stream_that_fails_leaves_nothing_behind(files: FileStore):
    async def failing(after: int) -> AsyncIterator[bytes]:
        for _ in range(after):
            yield b"x" * 1024 * 1024
        raise Broken

    with pytest.raises(Broken):
        await files.stage(failing(after=2))
    with pytest.raises(Broken):  # past a multipart upload's first part on S3
        await files.stage(failing(after=20))
    assert blobs_in(files) == set() and temporaries_in(files) == []


async def test_a_large_file_streams_in_both_directions(files: FileStore):
    data = b"".join(bytes([n]) * 1024 * 1024 for n in range(19))  # 19 MiB: four S3 parts
    staged = await files.put(pieces(data, 64 * 1024))
    assert staged.size == len(data) and await files.size(staged.sha256) == len(data)
    digest, largest = hashlib.sha256(), 0
    async for chunk in files.open(staged.sha256):
        digest.update(chunk)
        largest = max(largest, len(chunk))
    assert digest.hexdigest() == staged.sha256 and largest <= READ_CHUNK
    mib = 1024 * 1024
    assert await read(files, staged.sha256, 8 * mib - 2, 8 * mib + 2) == data[8 * mib - 2 :][:4]
    assert temporaries_in(files) == []


async def test_byte_ranges(files: FileStore):
    data = bytes(range(256)) * 4
    staged = await files.put(chunks_of(data))
    digest = staged.sha256
    assert await read(files, digest, 0, 1) == data[:1]
    assert await read(files, digest, 10, 20) == data[10:20]
    assert await read(files, digest, 1000) == data[1000:]
    assert await read(files, digest, 1000, 5000) == data[1000:]  # an end past the end
    assert await read(files, digest, len(data)) == b""
    assert await read(files, digest, 5000, 6000) == b""
    assert await read(files, digest, 7, 7) == b""


async def test_a_missing_blob_is_not_found_and_deleting_is_idempotent(files: FileStore):
    missing = sha(b"never stored")
    assert not await files.exists(missing) and await files.size(missing) is None
    with pytest.raises(FileNotFoundError):
        await anext(files.open(missing))
    with pytest.raises(FileNotFoundError):
        await anext(files.open(missing, 3, 3))
    staged = await files.put(chunks_of(b"to be deleted"))
    await files.delete(staged.sha256)
    await files.delete(staged.sha256)
    await files.delete(missing)
    assert not await files.exists(staged.sha256) and blobs_in(files) == set()
    with pytest.raises(ValueError):
        await files.exists("../../etc/passwd")
    with pytest.raises(ValueError):
        await files.delete("A" * 64)


async def test_the_store_answers_when_reachable(files: FileStore):
    await files.check_reachable()


async def test_starting_removes_what_a_crash_left_long_ago_and_nothing_newer(
    files: FileStore, monkeypatch: pytest.MonkeyPatch
):
    kept = await files.put(chunks_of(b"a blob stays"))
    await files.stage(chunks_of(b"an upload a crash cut short"))  # never committed
    await files.start()  # a restart soon after: nothing is old enough
    assert len(temporaries_in(files)) == 1
    if not isinstance(files, LocalFileStore):  # and a multipart upload never completed (moto
        # dates every one in 2010, so only its removal can be shown here)
        bucket, prefix = parse_files_url(files.url)
        s3_support.client(os.environ["AWS_ENDPOINT_URL_S3"]).create_multipart_upload(
            Bucket=bucket, Key=f"{prefix}tmp/crashed.part"
        )
        assert len(temporaries_in(files)) == 2
    monkeypatch.setattr(type(files).__module__ + ".STALE_TEMP_SECONDS", -3600)  # a day later
    await files.start()
    assert temporaries_in(files) == [] and blobs_in(files) == {kept.sha256}
    assert await read(files, kept.sha256) == b"a blob stays"


# S3 only: what the store says when it cannot do what it is asked.


class BreakingRelay:
    """A relay to moto that breaks each connection once it has carried `after` bytes of
    answers, the first `times` times: as when S3 drops a download half-way."""

    def __init__(self, port: int, *, after: int, times: int) -> None:
        self.target_port, self.after, self.times = port, after, times
        self.breaks = 0
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> BreakingRelay:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [writer, up_writer]

        async def requests() -> None:
            while data := await reader.read(65536):
                up_writer.write(data)
                await up_writer.drain()

        async def answers() -> None:
            carried = 0
            while data := await up_reader.read(65536):
                carried += len(data)
                if carried > self.after and self.breaks < self.times:
                    self.breaks += 1
                    return
                writer.write(data)
                await writer.drain()

        pipes = [asyncio.create_task(requests()), asyncio.create_task(answers())]
        try:
            await asyncio.wait(pipes, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for pipe in pipes:
                pipe.cancel()
            await asyncio.gather(*pipes, return_exceptions=True)
            writer.close()
            up_writer.close()


@pytest.mark.parametrize(("after", "times"), [(700_000, 2), (300_000, 12), (1, 100)])
async def test_a_download_that_s3_drops_half_way_goes_on_from_where_it_was(
    s3_url: str, moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch, after: int, times: int
):
    data = os.urandom(3 * 1024 * 1024)
    writer = await open_file_store(Path("unused"), s3_url)
    try:
        staged = await writer.put(chunks_of(data))
    finally:
        await writer.close()
    relay = await BreakingRelay(moto_server.port, after=after, times=times).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{relay.port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    reader = await open_file_store(Path("unused"), s3_url)
    try:
        if after > 1:  # each connection carries part of it: more breaks than RESUMES is fine
            assert await read(reader, staged.sha256) == data
            assert await read(reader, staged.sha256, 1000, 2_000_000) == data[1000:2_000_000]
            assert relay.breaks == times
        else:  # S3 answers nothing: said, never a short file passed off as whole
            with pytest.raises(FileStoreUnavailable):
                await read(reader, staged.sha256)
    finally:
        await reader.close()
        await relay.stop()


async def test_an_unreachable_s3_store_says_so(s3_url: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{free_port()}")  # nobody there
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    store = await open_file_store(Path("unused"), s3_url)  # starts: /readyz will tell
    try:
        with pytest.raises(FileStoreUnavailable):
            await store.check_reachable()
        with pytest.raises(FileStoreUnavailable):
            await store.put(chunks_of(b"lost?"))
        with pytest.raises(FileStoreUnavailable):
            await anext(store.open(sha(b"lost?")))
        with pytest.raises(FileStoreUnavailable):
            await store.size(sha(b"lost?"))
    finally:
        await store.close()


async def test_a_bucket_that_is_not_there_is_unavailable_not_empty(
    moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
):
    s3_support.use_s3(monkeypatch, moto_server.endpoint)
    store = await open_file_store(Path("unused"), "s3://no-such-bucket-here/x")
    try:
        with pytest.raises(FileStoreUnavailable):
            await store.check_reachable()
        with pytest.raises(FileStoreUnavailable):  # a download: not a missing file
            await anext(store.open(sha(b"anything")))
        with pytest.raises(FileStoreUnavailable):
            await store.put(chunks_of(b"anything"))
    finally:
        await store.close()
