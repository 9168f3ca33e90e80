"""The files part of the OpenAPI document (issue 10): uploading a file, and an attachment as
messages carry it.  Downloads (GET /files/{file_id}/{name}, GET /thumbnails/{file_id}) are
file responses, not JSON: docs/protocol.md describes them."""

from __future__ import annotations

from typing import Any

from server.api.openapi.schema import _ERROR, _STR, _json, _multipart, _object

_NULLABLE_INT = {"type": ["integer", "null"]}
ATTACHMENT = {"$ref": "#/components/schemas/Attachment"}
ATTACHMENTS_FIELD = {
    "type": "array",
    "items": _STR,
    "maxItems": 10,
    "uniqueItems": True,
    "description": "ids of your own uploads not attached yet (POST /api/v1/files); the body"
    " may then be empty",
}

FILE_SCHEMAS: dict[str, Any] = {
    "Attachment": _object(
        ["id", "name", "type", "label", "size", "url", "thumbnail_url", "width", "height"],
        id={"type": "string", "description": "random, at least 128 bits"},
        name={"type": "string", "description": "the name it was uploaded with, cleaned"},
        type={"type": "string", "description": "the media type, sniffed from the content"},
        label={"type": "string", "description": "the type as a person calls it ('PDF document')"},
        size={"type": "integer", "description": "bytes"},
        url={"type": "string", "description": "GET it to download (a path of this site)"},
        thumbnail_url={"type": ["string", "null"], "description": "an image's thumbnail"},
        width={**_NULLABLE_INT, "description": "the thumbnail's width in pixels"},
        height={**_NULLABLE_INT, "description": "the thumbnail's height in pixels"},
    ),
}


def file_paths() -> dict[str, Any]:
    return {
        "/api/v1/files": {
            "post": {
                "summary": "Upload a file (multipart, streamed): it is yours alone until you"
                " attach it to a message (message:send `attachments`), and is removed if not"
                " attached within 24 hours.  Needs the page's CSRF token (X-CSRF-Token header,"
                " or a csrf_token field before the file).  413 too_large: over the size limit"
                " (refused before reading when Content-Length says so) or your quota.",
                "parameters": [
                    {
                        "name": "X-CSRF-Token",
                        "in": "header",
                        "required": False,
                        "schema": {"type": "string"},
                    }
                ],
                "requestBody": _multipart("file"),
                "responses": {
                    "201": {"description": "Stored", **_json(_object(["file"], file=ATTACHMENT))},
                    "default": _json(_ERROR),
                },
            }
        }
    }
