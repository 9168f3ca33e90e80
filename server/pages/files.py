"""Downloading a file and an image's thumbnail.  Allowed exactly when the person may read the
message's channel now (`channels.files.uploads.load_download`, asked at every request), the
same 404 as a missing file otherwise.  A file is never run as a page of this site: every
answer says `nosniff` and `Content-Security-Policy: sandbox`, and only images and PDFs are
shown in the browser; everything else is saved (`Content-Disposition: attachment`).  Range
requests work, for resuming a download and for PDF viewers."""

from __future__ import annotations

import logging
from urllib.parse import quote

from aiohttp import web

from channels.errors import NotFound
from channels.files.kinds import INLINE
from channels.files.uploads import NO_FILE, load_download
from server import keys
from server.auth import current_user
from storage.records import StoredFile

log = logging.getLogger(__name__)
routes = web.RouteTableDef()

FILE_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox",
    "Cache-Control": "private, no-cache",  # kept, but asked again each time: access can end
    "Accept-Ranges": "bytes",
}


@routes.get("/files/{file_id}/{name}")
async def download(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    upload = await load_download(
        request.app[keys.STORE],
        user,
        request.match_info["file_id"],
        count="Range" not in request.headers,  # the rest of a download is the same download
        clock=request.app[keys.CLOCK],
    )
    return await serve_file(request, upload)


async def serve_file(request: web.Request, upload: StoredFile) -> web.StreamResponse:
    """A file someone may have (the caller checked), shown in the browser only when safe."""
    inline = upload.mime in INLINE
    content_type = upload.mime + ("; charset=utf-8" if upload.mime.startswith("text/") else "")
    disposition = f"{'inline' if inline else 'attachment'}; {_filename(upload.name)}"
    return await _serve(request, upload.sha256, upload.size, content_type, disposition)


@routes.get("/thumbnails/{file_id}")
async def thumbnail(request: web.Request) -> web.StreamResponse:
    user = await current_user(request)
    upload = await load_download(request.app[keys.STORE], user, request.match_info["file_id"])
    if upload.thumb_sha256 is None or upload.thumb_size is None:
        raise NotFound(NO_FILE)
    return await _serve(
        request, upload.thumb_sha256, upload.thumb_size, upload.thumb_mime or "image/webp", "inline"
    )


def _filename(name: str) -> str:
    """Both forms of the name: a plain ASCII one for old clients, and the exact one (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\%' else "_" for c in name
    )
    return f"filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _serve(
    request: web.Request, sha256: str, size: int, content_type: str, disposition: str
) -> web.StreamResponse:
    etag = f'"{sha256}"'
    headers = {**FILE_HEADERS, "Content-Type": content_type, "ETag": etag}
    headers["Content-Disposition"] = disposition
    if etag in request.headers.get("If-None-Match", ""):
        return web.Response(status=304, headers=headers)
    start, end, status = 0, size, 200
    if "Range" in request.headers and request.headers.get("If-Range", etag) == etag:
        try:
            wanted = request.http_range
        except ValueError:
            wanted = slice(None, None)  # several ranges, or nonsense: the whole file
        if wanted.start is not None or wanted.stop is not None:
            start = wanted.start if wanted.start is not None else 0
            if start < 0:  # the last N bytes
                start = max(size + start, 0)
            end = min(wanted.stop if wanted.stop is not None else size, size)
            if start >= end:
                headers["Content-Range"] = f"bytes */{size}"
                return web.Response(status=416, headers=headers)
            status = 206
            headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    chunks = request.app[keys.FILES].open(sha256, start, end)
    try:
        first = await anext(chunks, b"")
    except FileNotFoundError:
        log.error("the blob %s of a file row is missing from the file store", sha256)
        raise NotFound(NO_FILE) from None
    response = web.StreamResponse(status=status, headers=headers)
    try:
        await response.prepare(request)
        if request.method != "HEAD":
            await response.write(first)
            async for chunk in chunks:
                await response.write(chunk)
        await response.write_eof()
    finally:
        await chunks.aclose()
    return response
