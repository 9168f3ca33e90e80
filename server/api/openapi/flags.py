"""The reported-messages part of the OpenAPI document (issue 12): reporting a message you read,
and the coordinators' list of reports."""

from __future__ import annotations

from typing import Any

from channels.programme.flags import MAX_NOTE, STATUSES
from server.api.openapi.schema import _INT, _MSG, _STR, _object, _op

_NULLABLE_INT = {"type": ["integer", "null"]}
_NULLABLE_STR = {"type": ["string", "null"]}
_LINE = _object(["channel_id", "message_id"], channel_id=_INT, message_id=_INT)
_REPORT = {"$ref": "#/components/schemas/ReportedMessage"}


def flag_paths() -> dict[str, Any]:
    return {
        "/api/v1/messages/{message_id}/report": {
            "post": _op(
                "Report a message you read (mentors and mentees; not your own) once you have"
                " confirmed that it and your note will be shared with the coordinators: a copy"
                " of it goes on their list, and into your coordinator line (201); reporting it"
                " again returns the first report and changes nothing (200)",
                _object(
                    ["report"],
                    report=_object(
                        ["id", "message_id", "note", "created_at", "line"],
                        id=_INT,
                        message_id=_NULLABLE_INT,
                        note=_STR,
                        created_at=_STR,
                        line=_LINE,
                    ),
                ),
                body=_object(
                    ["confirmed"],
                    confirmed={"const": True},
                    note={"type": "string", "maxLength": MAX_NOTE},
                ),
                params=_MSG,
                status="201",
                also=[("200", "Reported before: the first report; nothing changed")],
            )
        },
        "/api/v1/reported-messages": {
            "get": _op(
                "Coordinators: reported messages, newest first, each a copy of the one message"
                " as it was when reported",
                _object(["reports"], reports={"type": "array", "items": _REPORT}),
                params=[("status", "query", {"enum": list(STATUSES)})],
            )
        },
        "/api/v1/reported-messages/{flag_id}": {
            "patch": _op(
                "Coordinators: set a report's status (audited, without the message)",
                _object(["report"], report=_REPORT),
                body=_object(["status"], status={"enum": list(STATUSES)}),
                params=[("flag_id", "path")],
            )
        },
    }


FLAG_SCHEMAS = {
    "ReportedMessage": _object(
        [
            "id",
            "status",
            "created_at",
            "reporter",
            "note",
            "message",
            "channel",
            "pair",
            "line",
        ],
        id=_INT,
        status={"enum": list(STATUSES)},
        created_at=_STR,
        handled_at=_NULLABLE_STR,
        reporter=_object(["id", "name", "role"], id=_INT, name=_STR, role=_STR),
        note=_STR,
        message=_object(
            ["body", "html", "written_at", "author"],
            id=_NULLABLE_INT,
            body=_STR,
            html=_STR,
            written_at=_STR,
            author=_object(
                ["name"],
                id=_NULLABLE_INT,
                name=_STR,
                role=_NULLABLE_STR,
                disabled={"type": "boolean"},
            ),
        ),
        channel=_object(["kind", "name"], id=_NULLABLE_INT, kind=_STR, name=_STR),
        pair={
            "oneOf": [
                {"type": "null"},
                _object(["id", "ended"], id=_INT, ended={"type": "boolean"}),
            ]
        },
        line=_LINE,
    )
}
