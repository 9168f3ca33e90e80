"""The search part of the OpenAPI document (issue 10).  A result's `kind` says which fields it
has: only "message" so far; file names and library resources will be kinds of their own."""

from __future__ import annotations

from typing import Any

from server.api.openapi.files import FILE_SCHEMAS
from server.api.openapi.schema import _INT, _STR, _object, _op

_ATTACHMENT = FILE_SCHEMAS["Attachment"]

_TEXT = {"type": "string"}
_MOMENT = {
    "type": "string",
    "description": "a date (its first instant in the programme's time zone) or an ISO 8601"
    " date and time",
}


def search_paths() -> dict[str, Any]:
    return {
        "/api/v1/search": {
            "get": _op(
                "Search what you may read now: messages and thread replies, best first."
                ' Words must all appear; "a phrase" in quotes; word* (and the last word typed)'
                " finds words that start so; nothing else is an operator",
                _object(
                    ["query", "results", "next_cursor", "files", "resources"],
                    query=_STR,
                    files={
                        "type": "array",
                        "description": "files sent where you may read, found by name (first"
                        " page only)",
                        "items": {"$ref": "#/components/schemas/FileHit"},
                    },
                    resources={
                        "type": "array",
                        "description": "library resources your role may see, found by title or"
                        " description (first page only; not with channel_id or author_id)",
                        "items": {"$ref": "#/components/schemas/Resource"},
                    },
                    results={
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/SearchResult"},
                    },
                    next_cursor={
                        "type": ["string", "null"],
                        "description": "pass as `cursor` for the next page; null on the last",
                    },
                ),
                params=[
                    ("q", "query", {**_TEXT, "maxLength": 200}),
                    ("channel_id", "query"),
                    ("author_id", "query"),
                    (
                        "after",
                        "query",
                        {**_MOMENT, "description": "on or after: " + _MOMENT["description"]},
                    ),
                    (
                        "before",
                        "query",
                        {**_MOMENT, "description": "before: " + _MOMENT["description"]},
                    ),
                    ("cursor", "query", _TEXT),
                    ("limit", "query"),
                ],
            )
        }
    }


SEARCH_SCHEMAS = {
    "FileHit": _object(
        [*_ATTACHMENT["required"], "channel", "message_id", "thread_id", "created_at"],
        **_ATTACHMENT["properties"],
        channel=_object(["id", "name", "kind"], id=_INT, name=_STR, kind=_STR),
        message_id=_INT,
        thread_id={"type": ["integer", "null"]},
        created_at=_STR,
    ),
    "SearchResult": {
        "oneOf": [
            _object(
                [
                    "kind",
                    "channel",
                    "message_id",
                    "thread_id",
                    "author",
                    "created_at",
                    "seq",
                    "snippet",
                ],
                kind={"const": "message"},
                channel=_object(["id", "name", "kind"], id=_INT, name=_STR, kind=_STR),
                message_id=_INT,
                thread_id={
                    "type": ["integer", "null"],
                    "description": "the thread's root, for a reply; null for a top-level message",
                },
                author={
                    "oneOf": [
                        {"type": "null"},
                        _object(["id", "name"], id=_INT, name=_STR),
                    ]
                },
                created_at=_STR,
                seq=_INT,
                snippet={
                    "type": "string",
                    "description": "HTML: the text around the matches, escaped, the matches in <mark>",
                },
            )
        ]
    },
}
