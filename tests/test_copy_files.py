"""`mentorspace copy-files --to s3://…` (storage/copy_files.py): the files a programme's
database refers to copied into a bucket on an S3-compatible server (moto), served from there
to the pair alone; a run after an interruption copies only what is missing; a damaged
source blob is reported and not copied; bad input is refused with nothing written."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage
from storage import FILES_DIR
from storage.copy_files import CopyFilesFailed, copy_files, load_references
from storage.files import (
    FileStore,
    FileStoreUnavailable,
    LocalFileStore,
    chunks_of,
    parse_files_url,
)
from storage.s3files import S3FileStore

from . import databases, s3_support
from .file_support import png, share
from .mail_support import running_server
from .s3_support import MotoServer
from .support import Server
from .test_backup import run_async


def bucket_blobs(endpoint: str, url: str) -> dict[str, int]:
    bucket, prefix = parse_files_url(url)
    s3 = s3_support.client(endpoint)
    found = {}
    for page in s3.get_paginator("list_objects_v2").paginate(
        Bucket=bucket, Prefix=f"{prefix}blobs/"
    ):
        for item in page.get("Contents", []):
            found[item["Key"].rsplit("/", 1)[1]] = item["Size"]
    return found


async def references(data_dir: Path) -> dict[str, int]:
    return await load_references(data_dir, databases.database_url(data_dir), storage.DATABASE_FILE)


async def test_files_copied_to_a_bucket_are_served_from_there_to_the_pair_alone(
    data_dir: Path, s3_url: str, moto_server: MotoServer
):
    marker = "MARKER-copyfiles-7c1e"
    data = f"{marker}: what I earn now".encode()
    async with running_server(data_dir) as server:
        pair = await server.pair_channel_id(1)
        mentee = await server.client("mentee1")
        _, attachment = await share(mentee, data, f"{marker}.txt", pair)
        _, picture = await share(mentee, png(), f"{marker}.png", pair)
    orphan = await LocalFileStore(data_dir / FILES_DIR).put(chunks_of(b"nobody's blob"))

    code, out, err = await run_async("copy-files", "--data-dir", str(data_dir), "--to", s3_url)
    assert code == 0, err
    wanted = await references(data_dir)
    assert hashlib.sha256(data).hexdigest() in wanted
    assert f"Checked: all {len(wanted)} files the database refers to" in out
    assert marker not in out + err  # counts and sizes, never a name or a byte of a file
    assert bucket_blobs(moto_server.endpoint, s3_url) == wanted  # and not the orphan
    assert orphan.sha256 not in bucket_blobs(moto_server.endpoint, s3_url)

    async with running_server(data_dir, config_changes={"files_url": s3_url}) as server:
        await _only_the_pair_reads(server, attachment, picture, data, marker)


async def _only_the_pair_reads(
    server: Server, attachment: dict, picture: dict, data: bytes, marker: str
) -> None:
    mentor = await server.client("mentor1")
    answer = await mentor.get(attachment["url"])
    assert answer.status == 200 and await answer.read() == data
    assert (await mentor.get(picture["thumbnail_url"])).status == 200
    missing = await mentor.get("/files/AAAAAAAAAAAAAAAAAAAAAAAA/x.txt")
    for handle in ("coordinator", "mentor2", "mentee2"):
        outsider = await server.client(handle)
        for path in (attachment["url"], picture["url"], picture["thumbnail_url"]):
            refused = await outsider.get(path, allow_redirects=False)
            assert (refused.status, await refused.text()) == (404, await missing.text())
            assert marker not in await refused.text()


class BreakingSource:
    """A source store that goes away in the middle of its `after`-th blob."""

    def __init__(self, files: FileStore, after: int) -> None:
        self._files, self._left = files, after

    def __getattr__(self, name: str):
        return getattr(self._files, name)

    async def open(self, sha256: str, start: int = 0, end: int | None = None):
        self._left -= 1
        async for chunk in self._files.open(sha256, start, end):
            if self._left <= 0:
                yield chunk[: len(chunk) // 2]
                raise FileStoreUnavailable("the disk went away")
            yield chunk


@pytest.fixture
async def stores(data_dir: Path, s3_url: str) -> AsyncIterator[tuple[FileStore, S3FileStore]]:
    source = await storage.open_file_store(data_dir)
    target = S3FileStore(s3_url)
    await target.start()
    try:
        yield source, target
    finally:
        await target.close()
        await source.close()


async def test_a_run_after_an_interruption_copies_only_what_is_missing(
    data_dir: Path, s3_url: str, moto_server: MotoServer, stores
):
    source, target = stores
    wanted = await references(data_dir)
    assert len(wanted) >= 3
    with pytest.raises(FileStoreUnavailable):
        await copy_files(BreakingSource(source, after=3), target, wanted, workers=1)  # type: ignore[arg-type]
    there = bucket_blobs(moto_server.endpoint, s3_url)
    assert len(there) == 2  # two whole blobs; the third broke off, and left no half of itself
    assert all(wanted[sha] == size for sha, size in there.items())

    told: list[int] = []
    report = await copy_files(source, target, wanted, progress=told.append)
    assert (report.kept, report.copied, report.replaced) == (2, len(wanted) - 2, 0)
    assert sum(told) == sum(size for sha, size in wanted.items() if sha not in there)
    assert bucket_blobs(moto_server.endpoint, s3_url) == wanted

    code, out, err = await run_async("copy-files", "--data-dir", str(data_dir), "--to", s3_url)
    assert code == 0, err
    assert f"Copied 0 files (0 bytes) to {s3_url}; {len(wanted)} were there already." in out


async def test_a_damaged_source_blob_is_told_and_not_copied(
    data_dir: Path, s3_url: str, moto_server: MotoServer
):
    wanted = await references(data_dir)
    damaged = sorted(wanted)[0]
    path = LocalFileStore(data_dir / FILES_DIR).path_of(damaged)
    path.write_bytes(b"x" * wanted[damaged])  # the same size, other bytes

    code, _out, err = await run_async("copy-files", "--data-dir", str(data_dir), "--to", s3_url)
    assert code == 1
    assert "1 of the" in err and "missing or damaged in the source" in err and damaged in err
    assert "run the same command again" in err
    assert bucket_blobs(moto_server.endpoint, s3_url) == {
        sha: size for sha, size in wanted.items() if sha != damaged
    }


async def test_read_back_finds_a_blob_in_the_bucket_that_holds_other_bytes(
    data_dir: Path, s3_url: str, moto_server: MotoServer, stores
):
    source, target = stores
    wanted = await references(data_dir)
    await copy_files(source, target, wanted)
    sha = sorted(wanted)[0]
    bucket, _prefix = parse_files_url(s3_url)
    s3 = s3_support.client(moto_server.endpoint)
    s3.put_object(Bucket=bucket, Key=target.key_of(sha), Body=b"y" * wanted[sha])

    plain = await copy_files(source, target, wanted)
    assert (plain.kept, plain.copied) == (len(wanted), 0)  # the size is right: not read
    checked = await copy_files(source, target, wanted, read_back=True)
    assert (checked.copied, checked.replaced) == (1, 1)
    stored = s3.get_object(Bucket=bucket, Key=target.key_of(sha))["Body"].read()
    assert hashlib.sha256(stored).hexdigest() == sha


async def test_bad_input_is_refused_and_nothing_is_written(
    data_dir: Path, s3_url: str, moto_server: MotoServer, tmp_path: Path
):
    async def refused(*args: str) -> str:
        code, out, err = await run_async("copy-files", *args)
        assert code == 1 and out == "", (out, err)
        return err

    data = ("--data-dir", str(data_dir))
    assert "s3://bucket/prefix" in await refused(*data, "--to", str(tmp_path / "elsewhere"))
    assert not (tmp_path / "elsewhere").exists()
    assert "a files URL is s3://bucket" in await refused(*data, "--to", "s3://Not_A_Bucket/x")
    missing_bucket = "s3://mentorspace-no-such-bucket/programme"
    assert "cannot reach" in await refused(*data, "--to", missing_bucket)
    names = [b["Name"] for b in s3_support.client(moto_server.endpoint).list_buckets()["Buckets"]]
    assert "mentorspace-no-such-bucket" not in names
    assert "already" in await refused(*data, "--files-url", s3_url, "--to", s3_url)
    if not databases.database_url(data_dir):
        empty = tmp_path / "empty"
        empty.mkdir()
        assert "there is no database" in await refused("--data-dir", str(empty), "--to", s3_url)
        assert list(empty.iterdir()) == []
    assert bucket_blobs(moto_server.endpoint, s3_url) == {}


async def test_a_copy_that_cannot_finish_says_so(data_dir: Path, stores):
    source, target = stores
    wanted = await references(data_dir)
    gone = sorted(wanted)[-1]
    await source.delete(gone)
    with pytest.raises(CopyFilesFailed, match=r"1 of the .* missing or damaged in the source"):
        await copy_files(source, target, wanted)
