"""Files shared in channels, through the real server: upload (multipart, streamed), attach to a
message, download, by every role in every kind of channel; and every refusal of an upload
(too large before the body is read, cut at the limit when chunked, quota, the kind sniffed
from the content, cross-site requests), with nothing kept of what was refused."""

from __future__ import annotations

import asyncio
import hashlib
import io
import uuid
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from channels.programme.communities import create_community, join_community

from .file_support import (
    csrf_of,
    elf,
    file_form,
    png,
    share,
    stored_blobs,
    temporary_files,
    upload,
    uploaded,
    windows_exe,
)
from .mail_support import running_server
from .support import Client, Server

MIB = 1024 * 1024


@pytest.fixture
def server(file_server: Server) -> Server:
    """Each test runs on both file stores: the local disk and S3 (conftest.file_server)."""
    return file_server


async def status_of(client: Client, path: str) -> int:
    response = await client.get(path)
    await response.read()
    return response.status


# --- every role, every kind of channel --------------------------------------------------


async def test_the_pair_shares_files_both_ways(server: Server):
    pair = await server.pair_channel_id(1)
    mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
    cv = b"Sara Nielsen\nCurriculum vitae, draft 3\n"
    _, from_mentee = await share(mentee, cv, "CV draft.txt", pair, body="My CV, as promised")
    _, from_mentor = await share(mentor, png(), "comments.png", pair)

    response = await mentor.get(from_mentee["url"])
    assert response.status == 200 and await response.read() == cv
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=\"CV draft.txt\"; filename*=UTF-8''CV%20draft.txt"
    )
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == "sandbox"
    assert from_mentee["thumbnail_url"] is None and from_mentee["label"] == "Text"

    picture = await mentee.get(from_mentor["url"])
    assert picture.status == 200 and picture.headers["Content-Type"] == "image/png"
    assert picture.headers["Content-Disposition"].startswith("inline;")
    assert await status_of(mentee, from_mentor["thumbnail_url"]) == 200


async def test_lounges_communities_and_announcements(server: Server):
    clients = {h: await server.client(h) for h in ("coordinator", "mentor1", "mentor2", "mentee1", "mentee2")}  # fmt: skip
    mentor_lounge = await server.channel_id("mentor_lounge")
    mentee_lounge = await server.channel_id("mentee_lounge")
    announcements = await server.channel_id("announcements")
    nursing = await create_community(
        server.store, await server.user("coordinator"), {"name": "Nursing", "topic": "Care"}
    )
    for handle in ("mentee1", "mentor2"):
        await join_community(server.store, await server.user(handle), nursing.id)

    _, in_mentor_lounge = await share(
        clients["mentor1"], b"tips for new mentors", "tips.md", mentor_lounge
    )
    _, in_mentee_lounge = await share(clients["mentee1"], png(), "me.png", mentee_lounge)
    _, in_community = await share(clients["mentee1"], b"a,b\n1,2\n", "shifts.csv", nursing.id)
    news, in_news = await share(
        clients["coordinator"], b"%PDF-1.4\n%guide\n", "Guide.pdf", announcements
    )
    # Everyone may reply to an announcement in its thread, with a file.
    _, in_reply = await share(
        clients["mentee2"], b"my question, in writing", "question.txt", announcements,
        thread_id=news["id"],
    )  # fmt: skip
    assert in_mentor_lounge["type"] == "text/markdown" and in_community["type"] == "text/csv"
    assert in_news["type"] == "application/pdf"

    expected = {
        "coordinator": (200, 200, 200, 200, 200),
        "mentor1": (200, 404, 404, 200, 200),  # not in the community
        "mentor2": (200, 404, 200, 200, 200),
        "mentee1": (404, 200, 200, 200, 200),
        "mentee2": (404, 200, 404, 200, 200),
    }
    files = (in_mentor_lounge, in_mentee_lounge, in_community, in_news, in_reply)
    for handle, statuses in expected.items():
        got = tuple([await status_of(clients[handle], f["url"]) for f in files])
        assert got == statuses, handle
    pdf = await clients["mentee1"].get(in_news["url"])
    assert pdf.headers["Content-Disposition"].startswith("inline;")  # a PDF opens in the browser
    assert pdf.headers["Content-Security-Policy"] == "sandbox"

    # Only coordinators start an announcement: a mentee's file cannot make one either.
    mentee_file = await uploaded(clients["mentee1"], b"hello", "hello.txt")
    sock = clients["mentee1"].sockets[0]
    ack = await sock.call(
        "message:send",
        {"channel_id": announcements, "body": "", "attachments": [mentee_file["id"]], "client_id": "a1"},
    )  # fmt: skip
    assert ack["error"]["code"] == "forbidden"


async def test_the_http_send_takes_attachments_and_range_requests_work(server: Server):
    mentee = await server.client("mentee1")
    pair = await server.pair_channel_id(1)
    data = bytes(range(256)) * 40  # not text: sent as a zip below
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        out.writestr("notes/one.bin", data)
    zipped = archive.getvalue()
    first = await uploaded(mentee, zipped, "notes.zip")
    second = await uploaded(mentee, png(), "b.png")
    response = await mentee.post(
        f"/api/v1/channels/{pair}/messages",
        {"body": "two files", "attachments": [second["id"], first["id"]], "client_id": "h1"},
    )
    assert response.status == 201
    message = (await response.json())["message"]
    assert [a["name"] for a in message["attachments"]] == ["b.png", "notes.zip"]  # as given
    history = await (await mentee.get(f"/api/v1/channels/{pair}/messages")).json()
    assert history["messages"][-1]["attachments"] == message["attachments"]

    url = first["url"]
    part = await mentee.get(url, headers={"Range": "bytes=10-19"})
    assert part.status == 206 and await part.read() == zipped[10:20]
    assert part.headers["Content-Range"] == f"bytes 10-19/{len(zipped)}"
    tail = await mentee.get(url, headers={"Range": "bytes=-5"})
    assert tail.status == 206 and await tail.read() == zipped[-5:]
    beyond = await mentee.get(url, headers={"Range": f"bytes={len(zipped)}-"})
    assert beyond.status == 416 and beyond.headers["Content-Range"] == f"bytes */{len(zipped)}"
    whole = await mentee.get(url)
    assert whole.status == 200 and hashlib.sha256(await whole.read()).hexdigest() == whole.headers[
        "ETag"
    ].strip('"')
    again = await mentee.get(url, headers={"If-None-Match": whole.headers["ETag"]})
    assert again.status == 304


# --- refusals: size, quota, kind, cross-site ---------------------------------------------


@pytest.fixture
async def small_server(data_dir: Path, files_url: str) -> AsyncIterator[Server]:
    """Files of at most 1 MiB, and 1.5 MiB a person (on the local disk, and on S3)."""
    async with running_server(
        data_dir, config_changes={"max_file_mb": 1, "quota_mb": 1.5, "files_url": files_url}
    ) as server:
        yield server


async def _raw_request(server: Server, head: str, body_start: bytes) -> tuple[bytes, bytes]:
    """Send a request's head and the start of its body over a plain socket, then read the
    answer without sending the rest: (status line, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", server.port)
    try:
        writer.write(head.encode() + body_start)
        await writer.drain()
        answer_head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
        length = int(next(
            line.split(b":")[1] for line in answer_head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        ))  # fmt: skip
        body = await asyncio.wait_for(reader.readexactly(length), 10)
        return answer_head.split(b"\r\n")[0], body
    finally:
        writer.close()


async def test_a_body_announced_too_large_is_refused_before_it_is_read(small_server: Server):
    client = await small_server.client("mentee1")
    token = await csrf_of(client)
    head = (
        "POST /api/v1/files HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{small_server.port}\r\n"
        f"Cookie: {small_server.cookie}={client.token}\r\n"
        f"X-CSRF-Token: {token}\r\n"
        "Content-Type: multipart/form-data; boundary=xyz\r\n"
        f"Content-Length: {30 * MIB}\r\n\r\n"
    )
    # Only the first kilobyte of the 30 MiB is ever sent: the answer cannot have waited for it.
    start = b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n\r\n'
    status, body = await _raw_request(small_server, head, start + b"%PDF" + b"\0" * 1000)
    assert status == b"HTTP/1.1 413 Request Entity Too Large"
    assert b'"too_large"' in body and b"at most 1 MB a file" in body
    assert stored_blobs(small_server) == set() and temporary_files(small_server) == []
    assert (await client.get("/api/v1/me")).status == 200


async def test_a_chunked_upload_is_cut_at_the_limit(small_server: Server):
    client = await small_server.client("mentee1")
    token = await csrf_of(client)
    sent = 0

    async def body() -> AsyncIterator[bytes]:  # no Content-Length: chunked transfer encoding
        nonlocal sent
        yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.txt"\r\n\r\n'
        for _ in range(48):  # 3 MiB of text, three times the limit
            sent += 64 * 1024
            yield b"a" * (64 * 1024)
        yield b"\r\n--xyz--\r\n"

    response = await client.http.post(
        "/api/v1/files",
        data=body(),
        headers={"X-CSRF-Token": token, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "too_large"
    assert stored_blobs(small_server) == set() and temporary_files(small_server) == []

    # Chunked and within the limit: fine.
    async def small() -> AsyncIterator[bytes]:
        yield b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="ok.txt"\r\n\r\n'
        yield b"b" * 1000
        yield b"\r\n--xyz--\r\n"

    fine = await client.http.post(
        "/api/v1/files",
        data=small(),
        headers={"X-CSRF-Token": token, "Content-Type": "multipart/form-data; boundary=xyz"},
    )
    assert fine.status == 201, await fine.text()


async def test_a_full_quota_is_a_clear_error(small_server: Server):
    client = await small_server.client("mentee1")
    half = b"x" * (700 * 1024)
    first = await uploaded(client, half, "one.txt")
    second = await uploaded(client, half + b"y", "two.txt")  # 1.37 MiB of 1.5
    third = await upload(client, half + b"z", "three.txt")
    assert third.status == 413
    error = (await third.json())["error"]
    assert (
        error["code"] == "too_large" and "Your files already take up your 2 MB" in error["message"]
    )
    assert len(stored_blobs(small_server)) == 2 and temporary_files(small_server) == []
    # Another person's quota is their own.
    other = await small_server.client("mentor1")
    assert (await upload(other, half, "mine.txt")).status == 201
    assert first["id"] != second["id"]


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (elf(), "holiday.png"),  # a Linux program renamed .png
        (windows_exe(), "cv.pdf"),  # a Windows program renamed .pdf
        (bytes(range(256)) * 4, "data.txt"),  # not UTF-8, no known signature
        (b"text with a \0 in it", "notes.txt"),
        (b"GIF89a" + b"\0" * 10, "x.gif"),  # accepted: a GIF (its thumbnail simply fails)
    ],
)
async def test_the_kind_is_sniffed_from_the_content(server: Server, data: bytes, name: str):
    client = await server.client("mentee1")
    response = await upload(client, data, name)
    if name == "x.gif":
        assert response.status == 201
        file = (await response.json())["file"]
        assert file["type"] == "image/gif" and file["thumbnail_url"] is None
        return
    assert response.status == 400
    error = (await response.json())["error"]
    assert error["code"] == "invalid" and "cannot be shared here" in error["message"]
    assert "Allowed: images (PNG, JPEG, GIF, WebP), PDF" in error["message"]
    assert stored_blobs(server) == set() and temporary_files(server) == []


async def test_text_named_like_an_image_is_text(server: Server):
    client = await server.client("mentee1")
    file = await uploaded(client, "Grüße, plain text".encode(), "photo.png")
    assert file["type"] == "text/plain" and file["name"] == "photo.png"
    response = await client.get(file["url"])
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:/Users/ada/Desktop/cv.txt", "cv.txt"),
        ("bad\tname\r\n.txt", "bad name .txt"),  # CR LF arrive as %0D%0A, as browsers send them
        ("invoice\u202etxt.exe", "invoicetxt.exe"),  # an RTL override would show "invoiceexe.txt"
        ("\u2066hidden\u2069 isolate.txt", "hidden isolate.txt"),
        ("..", "file.txt"),
        ("   ", "file.txt"),
        ("a" * 300 + ".txt", "a" * 115 + "….txt"),
    ],
)
async def test_hostile_names_are_cleaned_for_display(server: Server, sent: str, shown: str):
    client = await server.client("mentee1")
    file = await uploaded(client, b"just text", sent)
    assert file["name"] == shown
    response = await client.get(file["url"])
    assert response.status == 200
    disposition = response.headers["Content-Disposition"]
    assert "\r" not in disposition and "\n" not in disposition and "/" not in disposition


async def test_control_characters_in_the_part_headers_are_refused(server: Server):
    """aiohttp's parser refuses a NUL or a bell in a header: a clear `invalid`, nothing kept.
    (Names with them are cleaned when they do arrive: test_file_rules.py.)"""
    client = await server.client("mentee1")
    response = await upload(client, b"text", "bad\x00\x07name.txt")
    assert response.status == 400 and (await response.json())["error"]["code"] == "invalid"
    assert stored_blobs(server) == set() and temporary_files(server) == []


async def test_uploads_need_the_page_token_and_this_site(server: Server):
    client = await server.client("mentee1")
    token = await csrf_of(client)
    no_token = await client._checked("POST", "/api/v1/files", **file_form(b"hi", "a.txt"))
    assert no_token.status == 403 and (await no_token.json())["error"]["code"] == "forbidden"
    wrong = await upload(client, b"hi", "a.txt", token="0" * 64)
    assert wrong.status == 403
    foreign = await upload(
        client, b"hi", "a.txt", token=token, headers={"Origin": "https://evil.example"}
    )
    assert foreign.status == 403
    # The token as a form field before the file, as a form without JavaScript sends it.
    as_field = await client._checked(
        "POST", "/api/v1/files", **file_form(b"hi", "a.txt", csrf_token=token)
    )
    assert as_field.status == 201
    logged_out = await server.client()
    anonymous = await logged_out._checked("POST", "/api/v1/files", **file_form(b"hi", "a.txt"))
    assert anonymous.status in (401, 403)
    assert len(stored_blobs(server)) == 1


async def test_the_form_without_javascript_takes_a_file(server: Server):
    pair = await server.pair_channel_id(1)
    mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
    watching = await mentor.socket()
    token = await csrf_of(mentee)
    form = file_form(
        b"attached without JavaScript", "plain.txt",
        csrf_token=token, client_id=str(uuid.uuid4()), thread_id="", body="See the file",
    )  # fmt: skip
    response = await mentee.http.post(f"/channels/{pair}/messages", **form, allow_redirects=False)
    assert response.status == 303, await response.text()
    live = await watching.wait_for("message", lambda m: m["body"] == "See the file")
    [attachment] = live["attachments"]
    assert attachment["name"] == "plain.txt"
    downloaded = await mentor.get(attachment["url"])
    assert await downloaded.read() == b"attached without JavaScript"
    page = await (await mentor.get(f"/channels/{pair}")).text()
    assert "plain.txt" in page and attachment["url"] in page

    # Without a file, the form posts as before; without its token, nothing is posted.
    plain = await mentee.http.post(
        f"/channels/{pair}/messages",
        data={"csrf_token": token, "body": "just words", "client_id": str(uuid.uuid4())},
        allow_redirects=False,
    )
    assert plain.status == 303
    forged = file_form(b"x", "x.txt", body="forged", client_id=str(uuid.uuid4()))
    refused = await mentee.http.post(f"/channels/{pair}/messages", **forged)
    assert refused.status == 403
