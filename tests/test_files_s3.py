"""A programme whose files live on an S3-compatible store (moto's server mode): the bucket is
never shown to anyone, every download goes through the server's checks, and when the store
goes away people are told so plainly while nothing they were told was saved is lost.  (The
other file tests run on S3 too: tests/test_files.py, test_file_access.py, test_file_images.py
and the conformance suite in test_file_store.py.)"""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import FILES_DIR
from storage.files import parse_files_url
from storage.holds import BLOB_LOCKS

from . import databases, s3_support
from .file_support import png, share, stored_blobs, upload
from .mail_support import running_server
from .s3_support import MotoServer
from .support import Server, eventually
from .test_operations import TcpRelay

UNAVAILABLE = "Files cannot be reached right now. Please try again in a few minutes."


@pytest.fixture
async def s3_server(data_dir: Path, files_url_s3: str) -> AsyncIterator[Server]:
    async with running_server(data_dir, config_changes={"files_url": files_url_s3}) as server:
        yield server


@pytest.fixture
def files_url_s3(s3_url: str, moto_server: MotoServer, data_dir: Path) -> str:
    s3_support.copy_blobs(data_dir / FILES_DIR, moto_server.endpoint, s3_url)
    return s3_url


def disk_blobs(data_dir: Path) -> set[str]:
    return {path.name for path in (data_dir / FILES_DIR).glob("??/??/*")}


async def test_a_pair_file_on_s3_is_served_only_by_the_server_to_the_pair(
    s3_server: Server, moto_server: MotoServer, files_url_s3: str, data_dir: Path
):
    on_disk = disk_blobs(data_dir)
    bucket, _prefix = parse_files_url(files_url_s3)
    pair = await s3_server.pair_channel_id(1)
    mentee = await s3_server.client("mentee1")
    marker = "MARKER-s3-5b2d"
    data = f"{marker}: my salary expectations".encode()
    message, attachment = await share(mentee, data, f"{marker}.txt", pair)
    _, picture = await share(mentee, png(), "me.png", pair)

    # What clients are given names the server's own paths, never the bucket, a key or a
    # signed URL.
    said = repr(message) + repr(picture)
    for secret in (bucket, moto_server.endpoint, str(moto_server.port), "X-Amz", "blobs/"):
        assert secret not in said
    assert attachment["url"].startswith("/files/") and picture["url"].startswith("/files/")

    mentor = await s3_server.client("mentor1")
    whole = await mentor.get(attachment["url"], allow_redirects=False)
    assert whole.status == 200 and await whole.read() == data
    assert "Location" not in whole.headers
    part = await mentor.get(attachment["url"], headers={"Range": "bytes=3-9"})
    assert part.status == 206 and await part.read() == data[3:10]
    assert (await mentor.get(picture["thumbnail_url"])).status == 200

    # Nobody outside the pair, coordinators included, gets it: the same 404 as no file.
    missing = await mentor.get("/files/AAAAAAAAAAAAAAAAAAAAAAAA/x.txt")
    for handle in ("coordinator", "mentor2", "mentee2"):
        outsider = await s3_server.client(handle)
        for path in (attachment["url"], picture["url"], picture["thumbnail_url"]):
            answer = await outsider.get(path, allow_redirects=False)
            assert (answer.status, await answer.text()) == (404, await missing.text())
            assert marker not in await answer.text()

    # The bytes went to the bucket, not to the node's disk.
    assert hashlib.sha256(data).hexdigest() in stored_blobs(s3_server)
    assert disk_blobs(data_dir) == on_disk


@pytest.fixture
async def relayed(
    data_dir: Path, files_url_s3: str, moto_server: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Server, TcpRelay]]:
    """A server that reaches S3 through a relay the test can cut, as when the store goes away."""
    relay = await TcpRelay(moto_server.port).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", f"http://127.0.0.1:{relay.port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    async with running_server(data_dir, config_changes={"files_url": files_url_s3}) as server:
        yield server, relay
    monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server.endpoint)


async def test_when_s3_goes_away_people_are_told_and_nothing_saved_is_lost(
    relayed: tuple[Server, TcpRelay], moto_server: MotoServer, files_url_s3: str
):
    server, relay = relayed
    pair = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    kept = b"the CV she was told is saved"
    _, saved = await share(mentee, kept, "cv.txt", pair)
    doomed_message, _doomed = await share(mentee, b"to be deleted", "old.txt", pair)
    ready = await mentee.get("/readyz")
    assert (await ready.json())["checks"]["files"] == "ok"
    mentee_user = await server.user("mentee1")
    bytes_before = await server.store.count_file_bytes(mentee_user.id)

    await relay.cut()

    ready = await mentee.get("/readyz")
    assert ready.status == 503 and (await ready.json())["checks"]["files"] == "failed"
    refused = await upload(mentee, b"a new draft", "draft.txt")
    assert refused.status == 503
    assert (await refused.json())["error"]["message"] == UNAVAILABLE
    assert await server.store.count_file_bytes(mentee_user.id) == bytes_before  # no row
    download = await mentor.get(saved["url"])
    assert download.status == 503 and UNAVAILABLE in await download.text()
    # Chat goes on, and deleting a message with a file works (its blob waits in the bucket).
    sock = await mentor.socket() if not mentor.sockets else mentor.sockets[0]
    assert (await sock.send(pair, "still here"))["body"] == "still here"
    mentee_sock = mentee.sockets[0]
    deleted = await mentee_sock.call("message:delete", {"message_id": doomed_message["id"]})
    assert "error" not in deleted, deleted
    assert (await server.store.load_message(doomed_message["id"])).deleted_at is not None

    # The file she was told was saved is whole in the bucket, and its row is there.
    row = await server.store.load_file(saved["id"])
    assert row is not None and row.sha256 == hashlib.sha256(kept).hexdigest()
    bucket, prefix = parse_files_url(files_url_s3)
    sha = row.sha256
    stored = s3_support.client(moto_server.endpoint).get_object(
        Bucket=bucket, Key=f"{prefix}blobs/{sha[:2]}/{sha[2:4]}/{sha}"
    )
    assert stored["Body"].read() == kept


async def test_an_upload_on_one_node_keeps_its_blob_while_another_deletes_the_same_bytes(
    data_dir: Path, files_url_s3: str
):
    """Node A deletes the last message with some bytes while node B receives an upload of the
    same bytes.  Both wait on the blob's hold (the test holds it first, from a third
    connection, so that both are queued); whichever goes first, B's file keeps its blob."""
    if databases.ENGINE != "postgresql":
        pytest.skip("nodes share holds through PostgreSQL (make test-postgres); SQLite is one node")
    shared = {"files_url": files_url_s3}
    data = b"the same CV, uploaded twice"
    digest = hashlib.sha256(data).hexdigest()
    async with (
        running_server(data_dir, config_changes=shared) as node_a,
        running_server(data_dir, config_changes=shared) as node_b,
    ):
        pair = await node_a.pair_channel_id(1)
        mentee = await node_a.client("mentee1")
        mentor = await node_b.client("mentor1")
        message, _ = await share(mentee, data, "cv.txt", pair)
        mentor_user = await node_b.user("mentor1")
        gate = await databases.open_store(data_dir)
        try:
            async with gate.hold_blobs(digest):
                deleting = asyncio.create_task(
                    mentee.sockets[0].call("message:delete", {"message_id": message["id"]})
                )
                uploading = asyncio.create_task(upload(mentor, data, "cv-copy.txt"))

                async def both_wait() -> bool:
                    waiting = await gate._pool.fetchval(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        " AND classid = $1::int::oid AND NOT granted",
                        BLOB_LOCKS,
                    )
                    return waiting == 2

                await eventually(both_wait)
                assert await node_b.store.count_file_bytes(mentor_user.id) == 0
            deleted, uploaded_copy = await asyncio.gather(deleting, uploading)
        finally:
            await gate.close()
        assert "error" not in deleted, deleted
        assert uploaded_copy.status == 201, await uploaded_copy.text()
        copy = (await uploaded_copy.json())["file"]
        for node in (node_a, node_b):
            client = await node.client("mentor1")
            answer = await client.get(copy["url"])
            assert answer.status == 200 and await answer.read() == data
        assert digest in stored_blobs(node_a)


def test_the_demo_puts_its_library_documents_in_the_bucket(
    s3_url: str, moto_server: MotoServer, tmp_path: Path
):
    from .test_cli import run

    data = tmp_path / "demo"
    seeded = run("demo", "--data-dir", str(data), "--files-url", s3_url)  # AWS_* from s3_url
    assert seeded.returncode == 0, seeded.stderr
    in_bucket = s3_support.keys_under(moto_server.endpoint, s3_url, "blobs/")
    assert in_bucket and disk_blobs(data) == set()
    referenced = {sha for (sha,) in databases.rows(data, "SELECT sha256 FROM files")}
    assert referenced and referenced <= {key.rsplit("/", 1)[1] for key in in_bucket}
