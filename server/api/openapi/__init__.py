"""The OpenAPI 3.1 document of the JSON API.  A test checks that every /api route of the app
is described here."""

from __future__ import annotations

from typing import Any

from channels.errors import ERROR_CODES
from server.api.openapi.files import ATTACHMENT, ATTACHMENTS_FIELD, FILE_SCHEMAS, file_paths
from server.api.openapi.flags import FLAG_SCHEMAS, flag_paths
from server.api.openapi.goals import GOAL_SCHEMAS, goal_paths
from server.api.openapi.library import LIBRARY_SCHEMAS, library_paths
from server.api.openapi.notify import NOTIFY_SCHEMAS, notify_paths
from server.api.openapi.programme import admin_paths, admin_schemas
from server.api.openapi.questionnaires import QUESTIONNAIRE_SCHEMAS, questionnaire_paths
from server.api.openapi.schema import (
    _INT,
    _MESSAGE,
    _MSG,
    _REPEATED,
    _STR,
    _multipart,
    _object,
    _op,
    _rate_limited,
)
from server.api.openapi.search import SEARCH_SCHEMAS, search_paths
from server.api.openapi.tasks import TASK_SCHEMAS, task_paths

_CHANNEL = [("channel_id", "path")]
_MESSAGES = {"type": "array", "items": _MESSAGE}
_FEEDBACK = _object(
    id=_INT,
    user=_object(id=_INT, name=_STR, role=_STR),
    category=_STR,
    status=_STR,
    channel_id=_INT,
    message_id=_INT,
    created_at=_STR,
    answered_at={"type": ["string", "null"]},
    closed_at={"type": ["string", "null"]},
)


_CONSENT = _object(
    ["asked", "consented", "decided_at"],
    asked={"type": "boolean"},
    consented={"type": ["boolean", "null"]},
    decided_at={"type": ["string", "null"], "format": "date-time"},
)


_NULLABLE_STR = {"type": ["string", "null"]}
_PERSON = _object(
    ["id", "name", "role", "expertise", "bio", "disabled", "photo_url", "relation"],
    id=_INT,
    name=_STR,
    role=_STR,
    expertise=_STR,
    bio=_STR,
    disabled={"type": "boolean"},
    photo_url={**_NULLABLE_STR, "description": "a path of this site; null: show the initials"},
    relation={**_NULLABLE_STR, "description": "'Your mentor' or 'Your mentee' to a pair's own"},
    email={"type": "string", "description": "only for the person themself and coordinators"},
)
_PHOTO_URL = _object(["photo_url"], photo_url=_NULLABLE_STR)


def openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "Mentorspace API", "version": "1"},
        "paths": {
            "/api/v1/session": {
                "post": _rate_limited(
                    _op(
                        "Log in; sets the session cookie and ends the one the request carried",
                        _object(user={"$ref": "#/components/schemas/User"}),
                        body=_object(["email", "password"], email=_STR, password=_STR),
                    )
                ),
                "delete": _op(
                    "Log out; the cookie stops working at once", _object(ok={"type": "boolean"})
                ),
            },
            "/api/v1/me": {
                "get": _op(
                    "The logged-in user", _object(user={"$ref": "#/components/schemas/User"})
                ),
                "patch": _op(
                    "Change your display name, field of expertise, bio or language ('en',"
                    " 'da', or '' for the programme's); fields left out stay",
                    _object(user={"$ref": "#/components/schemas/User"}),
                    body=_object(
                        name=_STR,
                        expertise=_STR,
                        bio=_STR,
                        language={"type": "string", "enum": ["", "en", "da"]},
                    ),
                ),
            },
            "/api/v1/me/password": {
                "post": _op(
                    "Change your password; optionally end every other session",
                    _object(ok={"type": "boolean"}),
                    body=_object(
                        ["current", "new"],
                        current=_STR,
                        new=_STR,
                        end_other_sessions={"type": "boolean"},
                    ),
                )
            },
            "/api/v1/me/email": {
                "post": _op(
                    "Change your e-mail address: mails a single-use link to the new address; nothing changes"
                    " until it is opened (then the old address gets a notice and every other session ends)",
                    _object(ok={"type": "boolean"}, email=_STR, message=_STR),
                    body=_object(["email", "current"], email=_STR, current=_STR),
                    status="202",
                )
            },
            "/api/v1/me/research-consent": {
                "get": _op(
                    "Your research consent: `asked` is false for coordinators; `consented` is"
                    " null until you answer",
                    _CONSENT,
                ),
                "put": _op(
                    "Answer or change your research consent (kept with its time); while it is"
                    " not yes nothing of your use is recorded, and reports leave you out"
                    " (coordinators get `forbidden`)",
                    _CONSENT,
                    body=_object(["consented"], consented={"type": "boolean"}),
                ),
            },
            "/api/v1/people/{person_id}": {
                "get": _op(
                    "A person's profile (anyone signed in may read anyone's); who is paired"
                    " with whom only to the pair, e-mail only to the person and coordinators",
                    _object(["person"], person=_PERSON),
                    params=[("person_id", "path")],
                )
            },
            "/api/v1/me/photo": {
                "put": {
                    **_op(
                        "Your photo (multipart, field `photo`: JPEG, PNG or WebP, up to 10 MB),"
                        " kept as a small square WebP without metadata; needs the page's CSRF"
                        " token (X-CSRF-Token header, or a csrf_token field before the file)."
                        "  400 invalid: not an image; 413 too_large",
                        _PHOTO_URL,
                    ),
                    "requestBody": _multipart("photo"),
                },
                "delete": _op("Remove your photo: your initials show instead", _PHOTO_URL),
            },
            "/api/v1/coordinator-line": {
                "post": _op(
                    "Open your line to the coordinators (made on first use: 201); a coordinator"
                    " gives user_id to open a participant's",
                    _object(channel={"$ref": "#/components/schemas/Channel"}),
                    body=_object(user_id=_INT),
                    also=[("201", "Made now")],
                )
            },
            "/api/v1/feedback": {
                "post": _op(
                    "Send feedback (mentors and mentees): it arrives in your coordinator line",
                    _object(message=_MESSAGE, channel_id=_INT),
                    body=_object(
                        ["category", "body"],
                        category={"enum": ["question", "problem", "idea", "other"]},
                        body=_STR,
                        attachments=ATTACHMENTS_FIELD,
                        client_id=_STR,
                    ),
                    status="201",
                    also=[("200", "A repeated client_id: the first")],
                ),
                "get": _op(
                    "Coordinators: feedback, newest first, and the median hours to an answer",
                    _object(
                        feedback={"type": "array", "items": _FEEDBACK},
                        median_answer_hours={"type": ["number", "null"]},
                        answered=_INT,
                    ),
                    params=[("status", "query", {"type": "string"})],
                ),
            },
            "/api/v1/feedback/{feedback_id}": {
                "patch": _op(
                    "Coordinators: set a piece of feedback's status (audited)",
                    _object(feedback=_FEEDBACK),
                    body=_object(["status"], status={"enum": ["new", "answered", "closed"]}),
                    params=[("feedback_id", "path")],
                )
            },
            "/api/v1/channels": {
                "get": _op(
                    "Channels the user can read, with unread counts",
                    _object(
                        channels={
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/Channel"},
                        }
                    ),
                )
            },
            "/api/v1/channels/{channel_id}/messages": {
                "get": _op(
                    "Top-level history, oldest first; page back with before_id",
                    _object(messages=_MESSAGES, more={"type": "boolean"}, last_seq=_INT),
                    params=[*_CHANNEL, ("before_id", "query"), ("limit", "query")],
                ),
                "post": _op(
                    "Post a message or a thread reply; a repeated client_id returns the first",
                    _object(message=_MESSAGE),
                    body=_object(
                        body=_STR, client_id=_STR, thread_id=_INT, attachments=ATTACHMENTS_FIELD
                    ),
                    params=_CHANNEL,
                    status="201",
                    also=[_REPEATED],
                ),
            },
            "/api/v1/channels/{channel_id}/changes": {
                "get": _op(
                    "Every message changed after since_seq, once, in seq order",
                    _object(changes=_MESSAGES, last_seq=_INT, more={"type": "boolean"}),
                    params=[*_CHANNEL, ("since_seq", "query")],
                )
            },
            "/api/v1/channels/{channel_id}/read": {
                "post": _op(
                    "Mark the channel read up to seq",
                    _object(channel_id=_INT, last_read_seq=_INT),
                    body=_object(["seq"], seq=_INT),
                    params=_CHANNEL,
                )
            },
            "/api/v1/messages/{message_id}/thread": {
                "get": _op(
                    "A top-level message and its replies",
                    _object(root=_MESSAGE, replies=_MESSAGES, last_seq=_INT),
                    params=_MSG,
                )
            },
            "/api/v1/messages/{message_id}": {
                "patch": _op(
                    "Edit your message",
                    _object(message=_MESSAGE),
                    body=_object(["body"], body=_STR),
                    params=_MSG,
                ),
                "delete": _op(
                    "Delete your message (moderators: anyone's)",
                    _object(message=_MESSAGE),
                    params=_MSG,
                ),
            },
            "/api/v1/messages/{message_id}/reactions": {
                "post": _op(
                    "Add a reaction, or take it back",
                    _object(message=_MESSAGE),
                    body=_object(["emoji"], emoji=_STR),
                    params=_MSG,
                )
            },
            **task_paths(),
            **notify_paths(),
            **search_paths(),
            **file_paths(),
            "/api/v1/openapi.json": {"get": _op("This document", {"type": "object"})},
            **admin_paths(),
            **library_paths(),
            **goal_paths(),
            **questionnaire_paths(),
            **flag_paths(),
        },
        "components": {
            "schemas": {
                "Error": _object(
                    ["error"],
                    error=_object(
                        ["code", "message"], code={"enum": [*ERROR_CODES, "internal"]}, message=_STR
                    ),
                ),
                "User": _object(
                    id=_INT,
                    name=_STR,
                    role=_STR,
                    expertise=_STR,
                    bio=_STR,
                    email=_STR,
                    disabled={"type": "boolean"},
                    language={
                        "type": "string",
                        "enum": ["", "en", "da"],
                        "description": "your own only: '' reads the programme's language",
                    },
                ),
                "Channel": _object(
                    id=_INT,
                    kind=_STR,
                    name=_STR,
                    topic=_STR,
                    last_seq=_INT,
                    read_only={"type": "boolean"},
                    unread=_INT,
                    last_read_seq=_INT,
                    is_member={"type": "boolean"},
                    partner={"type": ["object", "null"]},
                ),
                **admin_schemas(),
                "Message": _object(
                    id=_INT,
                    channel_id=_INT,
                    seq=_INT,
                    created_seq=_INT,
                    thread_id={"type": ["integer", "null"]},
                    kind=_STR,
                    author={"type": ["object", "null"]},
                    body=_STR,
                    html=_STR,
                    client_id={"type": ["string", "null"]},
                    created_at=_STR,
                    edited_at={"type": ["string", "null"]},
                    deleted={"type": "boolean"},
                    reply_count=_INT,
                    last_reply_at={"type": ["string", "null"]},
                    reactions={"type": "array"},
                    task={"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/TaskState"}]},
                    resource={
                        "oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/ResourceCard"}]
                    },
                    questionnaire={
                        "oneOf": [
                            {"type": "null"},
                            {"$ref": "#/components/schemas/QuestionnaireCard"},
                        ]
                    },
                    attachments={"type": "array", "items": ATTACHMENT},
                    goal={"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Goal"}]},
                    notice={
                        "oneOf": [
                            {"type": "null"},
                            _object(
                                ["key", "html"],
                                key=_STR,
                                html={"type": "object", "additionalProperties": _STR},
                            ),
                        ]
                    },
                ),
                **TASK_SCHEMAS,
                **NOTIFY_SCHEMAS,
                **SEARCH_SCHEMAS,
                **LIBRARY_SCHEMAS,
                **FILE_SCHEMAS,
                **GOAL_SCHEMAS,
                **QUESTIONNAIRE_SCHEMAS,
                **FLAG_SCHEMAS,
            }
        },
    }
