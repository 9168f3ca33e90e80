"""The notifications part of the OpenAPI document (issue 11): the list, marking read, the
settings, and whom one may mention in a channel."""

from __future__ import annotations

from typing import Any

from channels.notify.notifications import DIGEST_FREQUENCIES, KINDS
from server.api.openapi.schema import _INT, _STR, _object, _op

_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}
_NULLABLE_INT = {"type": ["integer", "null"]}
_SETTINGS = {"$ref": "#/components/schemas/NotificationSettings"}


def notify_paths() -> dict[str, Any]:
    return {
        "/api/v1/notifications": {
            "get": _op(
                "Your notifications, newest first (only about channels you may read and library"
                " resources your role sees, now);"
                " page back with before_id",
                _object(
                    notifications={
                        "type": "array",
                        "items": {"$ref": "#/components/schemas/Notification"},
                    },
                    unread=_INT,
                    more=_BOOL,
                ),
                params=[("before_id", "query"), ("limit", "query")],
            )
        },
        "/api/v1/notifications/read": {
            "post": _op(
                "Mark some of your notifications read (ids), or all; answers the unread left",
                _object(unread=_INT),
                body=_object(ids={"type": "array", "items": _INT}, all=_BOOL),
            )
        },
        "/api/v1/me/notifications": {
            "get": _op("Your notification and e-mail settings", _SETTINGS),
            "patch": _op(
                "Change your notification and e-mail settings (fields left out stay)",
                _SETTINGS,
                body=_SETTINGS,
            ),
        },
        "/api/v1/channels/{channel_id}/mentionable": {
            "get": _op(
                "People you may mention in the channel (those who can read it), matching q",
                _object(
                    people={
                        "type": "array",
                        "items": _object(["id", "name", "role"], id=_INT, name=_STR, role=_STR),
                    }
                ),
                params=[("channel_id", "path")],
            )
        },
    }


NOTIFY_SCHEMAS = {
    "Notification": _object(
        ["id", "kind", "text", "link", "read"],
        id=_INT,
        kind={"enum": list(KINDS)},
        text=_STR,
        excerpt={**_NULLABLE_STR, "description": "never for a pair channel"},
        link=_STR,
        channel_id=_NULLABLE_INT,
        message_id=_NULLABLE_INT,
        thread_id=_NULLABLE_INT,
        resource_id={**_NULLABLE_INT, "description": "kind 'resource': the library resource"},
        questionnaire_id={
            **_NULLABLE_INT,
            "description": "kind 'questionnaire': the questionnaire waiting for an answer",
        },
        actor={"type": ["object", "null"]},
        count=_INT,
        created_at=_STR,
        updated_at=_STR,
        read=_BOOL,
    ),
    "NotificationSettings": _object(
        kinds=_object(**{kind: _BOOL for kind in KINDS}),
        digest={"enum": list(DIGEST_FREQUENCIES)},
        away_mail=_BOOL,
    ),
}
