"""Thumbnails (upright by EXIF, no metadata, bombs refused without harm), and what time does
to uploads: one never attached is removed after a day, by the injected clock."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image

from server import keys

from .clocks import FakeClock
from .file_support import (
    blob_stored,
    jpeg_with_exif,
    png,
    png_bomb,
    share,
    stored_blobs,
    upload,
    uploaded,
)
from .mail_support import running_server
from .support import DAYS_AWAKE, Server, eventually


@pytest.fixture
def server(file_server: Server) -> Server:
    """Each test runs on both file stores: the local disk and S3 (conftest.file_server)."""
    return file_server


async def test_a_thumbnail_is_upright_and_carries_no_metadata(server: Server):
    mentee = await server.client("mentee1")
    pair = await server.pair_channel_id(1)
    photo = jpeg_with_exif(orientation=6)  # stored 80 x 40, shown turned a quarter: 40 x 80
    assert Image.open(io.BytesIO(photo)).getexif()[0x010F] == "SecretCam"
    _, file = await share(mentee, photo, "me.jpg", pair)
    assert (file["width"], file["height"]) == (40, 80)

    mentor = await server.client("mentor1")
    response = await mentor.get(file["thumbnail_url"])
    assert response.status == 200 and response.headers["Content-Type"] == "image/webp"
    assert response.headers["Content-Disposition"] == "inline"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    thumbnail = Image.open(io.BytesIO(await response.read()))
    assert thumbnail.size == (40, 80)
    assert (
        not thumbnail.getexif()
        and "exif" not in thumbnail.info
        and "icc_profile" not in thumbnail.info
    )
    # The original is served as it was uploaded.
    original = await mentor.get(file["url"])
    assert await original.read() == photo


async def test_a_large_image_gets_a_small_thumbnail(server: Server):
    mentee = await server.client("mentee1")
    file = await uploaded(mentee, png(3000, 1500), "wide.png")
    assert (file["width"], file["height"]) == (640, 320)
    row = await server.store.load_file(file["id"])
    assert (row.width, row.height) == (3000, 1500) and row.thumb_size < 20_000


async def test_a_decompression_bomb_is_refused_and_the_server_carries_on(server: Server):
    mentee = await server.client("mentee1")
    bomb = png_bomb()
    assert len(bomb) < 50_000  # small on the wire; 400 million pixels decoded
    response = await upload(mentee, bomb, "bomb.png")
    assert response.status == 413
    error = (await response.json())["error"]
    assert error["code"] == "too_large" and "more than 50 million pixels" in error["message"]
    assert stored_blobs(server) == set()
    assert (await mentee.get("/api/v1/me")).status == 200
    fine = await uploaded(mentee, png(), "after.png")
    assert fine["thumbnail_url"] is not None


@pytest.fixture
async def clocked(data_dir: Path, files_url: str) -> AsyncIterator[tuple[Server, FakeClock]]:
    clock = FakeClock()
    changes = {**DAYS_AWAKE, "files_url": files_url}
    async with running_server(data_dir, clock=clock, config_changes=changes) as server:
        yield server, clock


async def _sweep(server: Server) -> None:
    sweeper = server.app[keys.UPLOAD_SWEEPER]
    before = sweeper.passes
    sweeper.wake()
    await eventually(lambda: sweeper.passes > before)


async def test_an_upload_never_attached_is_removed_after_a_day(clocked):
    server, clock = clocked
    mentee = await server.client("mentee1")
    pair = await server.pair_channel_id(1)
    forgotten = await uploaded(mentee, b"forgotten draft", "draft.txt")
    _, sent = await share(mentee, png(), "sent.png", pair)
    also_shared = await uploaded(mentee, png(), "copy.png")  # the same bytes as the sent one
    forgotten_blob = (await server.store.load_file(forgotten["id"])).sha256
    assert blob_stored(server, forgotten_blob)

    clock.advance(hours=23)
    await _sweep(server)
    assert (await mentee.get(forgotten["url"])).status == 200

    clock.advance(hours=2)
    await _sweep(server)
    assert (await mentee.get(forgotten["url"])).status == 404
    assert (await mentee.get(also_shared["url"])).status == 404
    assert not blob_stored(server, forgotten_blob)
    # The sent message keeps its file: its bytes and thumbnail were shared with the stale copy.
    assert (await mentee.get(sent["url"])).status == 200
    assert (await mentee.get(sent["thumbnail_url"])).status == 200
    assert len(stored_blobs(server)) == 2
    # A stale upload can no longer be attached.
    late = await mentee.sockets[0].call(
        "message:send",
        {"channel_id": pair, "body": "", "attachments": [forgotten["id"]], "client_id": "late"},
    )
    assert late["error"]["code"] == "not_found"


async def test_uploads_are_rate_limited_per_person(clocked):
    server, _clock = clocked  # the clock stands still: no token comes back during the test
    mentee = await server.client("mentee1")
    statuses = [(await upload(mentee, f"n{n}".encode(), "n.txt")).status for n in range(21)]
    assert statuses == [201] * 20 + [429]
    other = await server.client("mentor1")
    assert (await upload(other, b"mine", "m.txt")).status == 201
