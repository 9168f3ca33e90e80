"""Helpers for the file tests: the page's CSRF token, uploads as a browser sends them, and
small real files made on the spot (images with EXIF, an ELF executable, a decompression bomb)."""

from __future__ import annotations

import io
import os
import re
import struct
import uuid
import zlib
from typing import Any

from PIL import Image

from server import keys
from storage.files import FileStore, LocalFileStore

from . import databases, s3_support
from .support import Client, Server


async def csrf_of(client: Client) -> str:
    """The CSRF token the home page carries for this client's session."""
    html = await (await client.get("/")).text()
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    if found is None:  # home has no form: a channel page has the composer's
        channel_id = (await (await client.get("/api/v1/channels")).json())["channels"][0]["id"]
        html = await (await client.get(f"/channels/{channel_id}")).text()
        found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found is not None
    return found.group(1)


class RawForm:
    """A multipart/form-data body as a browser writes it: the file's name in raw UTF-8, with
    only `"`, CR and LF escaped (%22, %0D, %0A) as the HTML standard says.  (aiohttp's
    FormData would percent-encode every other byte too, or refuse control characters.)"""

    def __init__(self, data: bytes, name: str, **fields: str) -> None:
        self.boundary = f"----form{uuid.uuid4().hex}"
        parts = [
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'.encode()
            + value.encode()
            + b"\r\n"
            for key, value in fields.items()
        ]
        escaped = name.replace('"', "%22").replace("\r", "%0D").replace("\n", "%0A")
        parts.append(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="file"; filename="{escaped}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
        self.body = b"".join(parts) + f"--{self.boundary}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def request(self, headers: dict[str, str] | None = None) -> dict[str, Any]:
        """The keyword arguments of an aiohttp request that sends this form."""
        return {
            "data": self.body,
            "headers": {"Content-Type": self.content_type, **(headers or {})},
        }


def file_form(data: bytes, name: str, **fields: str) -> dict[str, Any]:
    """`aiohttp` request arguments that send the form (as `**file_form(...)`)."""
    return RawForm(data, name, **fields).request()


async def upload(
    client: Client, data: bytes, name: str, *, token: str | None = None, **kwargs: Any
) -> Any:
    """POST /api/v1/files as the page does (the CSRF token in X-CSRF-Token)."""
    headers = {"X-CSRF-Token": token or await csrf_of(client), **kwargs.pop("headers", {})}
    form = RawForm(data, name).request(headers)
    return await client._checked("POST", "/api/v1/files", **form, **kwargs)


async def uploaded(client: Client, data: bytes, name: str) -> dict[str, Any]:
    response = await upload(client, data, name)
    assert response.status == 201, await response.text()
    return (await response.json())["file"]


def blob_stored(server: Server, sha256: str) -> bool:
    """Whether the server's file store has the blob, on the local disk or in S3."""
    files = server.app[keys.FILES]
    if isinstance(files, LocalFileStore):
        return files.path_of(sha256).is_file()
    return files.key_of(sha256) in s3_support.keys_under(_endpoint(), files.url, "blobs/")


def _endpoint() -> str:
    return os.environ["AWS_ENDPOINT_URL_S3"]  # s3_support.use_s3 set it


def png(width: int = 64, height: int = 48, color=(200, 40, 40), **save: Any) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG", **save)
    return out.getvalue()


def jpeg_with_exif(orientation: int, width: int = 80, height: int = 40) -> bytes:
    """A JPEG wider than tall as stored, with an EXIF orientation, a camera and a GPS tag."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "SecretCam"  # Make
    exif[0x8825] = {1: "N", 2: (55.0, 40.0, 12.0)}  # GPS: where the photo was taken
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def elf() -> bytes:
    """The start of a Linux executable: what a `.png` that is really a program begins with."""
    return b"\x7fELF\x02\x01\x01" + b"\0" * 9 + b"\x02\x00\x3e\x00" + b"\0" * 200


def windows_exe() -> bytes:
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\0" * 300


def png_bomb(side: int = 20_000) -> bytes:
    """A valid PNG header claiming side x side pixels (400 million by default), with a tiny
    compressed body: decoded, it would take gigabytes."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)  # 8-bit greyscale
    rows = zlib.compress(b"\0" * (side + 1) * 64, 9)  # a few rows; the rest is missing
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")
    )


async def share(
    client: Client, data: bytes, name: str, channel_id: int, **extra: Any
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Upload a file and send it in a message over the client's socket (opened if needed):
    the message as the ACK gives it, and its attachment."""
    sock = client.sockets[0] if client.sockets else await client.socket()
    upload_json = await uploaded(client, data, name)
    message = await sock.send(
        channel_id, extra.pop("body", ""), attachments=[upload_json["id"]], **extra
    )
    [attachment] = message["attachments"]
    assert attachment["id"] == upload_json["id"]
    return message, attachment


def stored_blobs(server: Server) -> set[str]:
    """The digests of every blob in the file store (not the temporary files), leaving out the
    documents of the demo library, which every test's data starts with."""
    library = {
        sha
        for (sha,) in databases.rows(
            server.app[keys.CONFIG].data_dir,
            "SELECT f.sha256 FROM files f JOIN library_resources r ON r.file_id = f.public_id",
        )
    }
    return _blob_names(server.app[keys.FILES]) - library


def _blob_names(files: FileStore) -> set[str]:
    if isinstance(files, LocalFileStore):
        return {path.name for path in files.root.glob("??/??/*")}
    return {
        key.rsplit("/", 1)[1] for key in s3_support.keys_under(_endpoint(), files.url, "blobs/")
    }


def temporary_files(server: Server) -> list:
    """What waits in the file store's temporary place: files, objects, unfinished uploads."""
    files = server.app[keys.FILES]
    if isinstance(files, LocalFileStore):
        return list((files.root / "tmp").iterdir())
    return s3_support.keys_under(_endpoint(), files.url, "tmp/") + s3_support.unfinished_uploads(
        _endpoint(), files.url
    )
