"""Uploading a file: POST /api/v1/files, multipart, streamed into the file store chunk by
chunk (never whole in memory).  The app-wide body limit (1 MiB) does not apply to this route
alone: it reads its body itself and counts every byte against the file size limit, and a body
announced too large by Content-Length is refused before any of it is read."""

from __future__ import annotations

from collections.abc import AsyncIterator

from aiohttp import web

from channels.errors import RateLimited
from channels.files import uploads
from channels.files.wire import attachment_json
from channels.languages import N_
from server import keys
from server.api.params import check_content_length, read_streamed_form
from server.auth import current_user, streams_its_body
from storage.records import StoredFile, User

routes = web.RouteTableDef()

TOO_FAST = N_("You are uploading too fast. Please wait a moment and try again.")


@routes.post("/api/v1/files")
@streams_its_body
async def upload(request: web.Request) -> web.Response:
    user = await current_user(request)
    _, received = await read_form_with_file(request, user)
    if received is None:
        raise uploads.no_file()
    return web.json_response({"file": attachment_json(received)}, status=201)


async def read_form_with_file(
    request: web.Request, user: User
) -> tuple[dict[str, str], StoredFile | None]:
    """A multipart form's text fields and its file (in the field `file`), which goes into the
    file store as it arrives: the upload route and the channel page's form without
    JavaScript.  A body announced too large is refused before any of it is read."""
    app = request.app
    limits = app[keys.CONFIG].upload_limits()
    check_content_length(request, limits.max_file_bytes, uploads.too_big(limits))
    if not app[keys.EVENT_LIMITS].allow_user(user.id, "upload"):
        raise RateLimited(TOO_FAST, retry_after=1)

    async def receive(filename: str, chunks: AsyncIterator[bytes]) -> StoredFile:
        return await uploads.receive_upload(
            app[keys.STORE],
            app[keys.FILES],
            user,
            name=filename,
            chunks=chunks,
            limits=limits,
            clock=app[keys.CLOCK],
        )

    return await read_streamed_form(request, file_field="file", on_file=receive)
