"""Helpers for the file tests: the page's CSRF token, uploads as a browser sends them, and
small real files made on the spot (images with EXIF, an ELF executable, a decompression bomb)."""

from __future__ import annotations

import io
import re
import struct
import zlib
from typing import Any

import aiohttp
from PIL import Image

from server import keys

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


def file_form(data: bytes, name: str, **fields: str) -> aiohttp.FormData:
    form = aiohttp.FormData()
    for key, value in fields.items():
        form.add_field(key, value)
    form.add_field("file", data, filename=name, content_type="application/octet-stream")
    return form


async def upload(
    client: Client, data: bytes, name: str, *, token: str | None = None, **kwargs: Any
) -> aiohttp.ClientResponse:
    """POST /api/v1/files as the page does (the CSRF token in X-CSRF-Token)."""
    headers = {"X-CSRF-Token": token or await csrf_of(client), **kwargs.pop("headers", {})}
    return await client._checked(
        "POST", "/api/v1/files", data=file_form(data, name), headers=headers, **kwargs
    )


async def uploaded(client: Client, data: bytes, name: str) -> dict[str, Any]:
    response = await upload(client, data, name)
    assert response.status == 201, await response.text()
    return (await response.json())["file"]


def blob_path(server: Server, sha256: str):
    return server.app[keys.FILES].path_of(sha256)


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
