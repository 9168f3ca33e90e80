"""The administration part of the OpenAPI document (merged into openapi_document)."""

from __future__ import annotations

from typing import Any

from server.api.openapi.schema import _INT, _REPEATED, _STR, _json, _object, _op

_BOOL = {"type": "boolean"}
_NULLABLE_STR = {"type": ["string", "null"]}
_ACCOUNT = {"$ref": "#/components/schemas/Account"}
_PAIR = {"$ref": "#/components/schemas/Pair"}
_COMMUNITY = {"$ref": "#/components/schemas/Community"}
_CHANNEL = {"$ref": "#/components/schemas/Channel"}
_MENU_ITEM = {"$ref": "#/components/schemas/MenuItem"}
_PROBLEMS = {
    "type": "array",
    "items": _object(["line", "reason"], line=_INT, reason=_STR),
}
_IMPORT = _object(
    clean=_BOOL,
    new=_INT,
    existing=_INT,
    problems=_PROBLEMS,
    people={"type": "array"},
    dry_run=_BOOL,
    format=_STR,
    created={"type": "array", "items": _ACCOUNT},
)
_USER_ID = [("user_id", "path")]
_COORDINATORS = " (coordinators only; others get `forbidden`)"


def _coord(summary: str, ok: dict[str, Any], **kw: Any) -> dict[str, Any]:
    return _op(summary + _COORDINATORS, ok, **kw)


def _role_param() -> dict[str, Any]:
    return {
        "name": "role",
        "in": "path",
        "required": True,
        "schema": {"enum": ["coordinator", "mentor", "mentee"]},
    }


def _with_role(operation: dict[str, Any]) -> dict[str, Any]:
    operation["parameters"] = [_role_param()]
    return operation


def _query(operation: dict[str, Any], *names: str) -> dict[str, Any]:
    operation["parameters"] += [
        {"name": n, "in": "query", "required": False, "schema": _STR} for n in names
    ]
    return operation


def admin_paths() -> dict[str, Any]:
    xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    binary = {"type": "string", "format": "binary"}
    csv_body = {
        "required": True,
        "content": {"text/csv": {"schema": _STR}, xlsx: {"schema": binary}},
    }
    import_op = _query(
        _coord(
            "Import people from CSV (any encoding spreadsheets save) or XLSX (email, name, role,"
            " field of expertise); every bad row"
            " is reported and nothing is imported until the file is clean",
            _IMPORT,
            status="201",
            also=[("200", "A dry run, or nobody new to import")],
        ),
        "dry_run",
    )
    import_op["requestBody"] = csv_body
    import_op["responses"]["400"] = {
        "description": "Bad rows: each is listed in `problems`; nobody was imported",
        **_json(
            _object(
                ["error"],
                error={"$ref": "#/components/schemas/Error/properties/error"},
                **_IMPORT["properties"],
            )
        ),
    }
    audit_op = _query(
        _coord(
            "The audit log, newest first; ?format=csv exports all of it",
            _object(entries={"type": "array"}),
            params=[("before_id", "query")],
        ),
        "format",
    )
    audit_op["responses"]["200"]["content"]["text/csv"] = {"schema": _STR}
    return {
        "/api/v1/users": {
            "get": _query(
                _coord(
                    "People, filtered by role", _object(users={"type": "array", "items": _ACCOUNT})
                ),
                "role",
            ),
            "post": _coord(
                "Create a person and mail them an invitation",
                _object(user=_ACCOUNT),
                body=_object(
                    ["email", "name", "role"],
                    email=_STR,
                    name=_STR,
                    role=_STR,
                    expertise=_STR,
                    bio=_STR,
                ),
                status="201",
            ),
        },
        "/api/v1/users/import": {"post": import_op},
        "/api/v1/users/{user_id}": {
            "get": _coord("One person", _object(user=_ACCOUNT), params=_USER_ID),
            "patch": _coord(
                "Change role, disable (ends sessions and sockets at once) or enable, edit profile; `email`"
                " only before the person has activated the account (otherwise `forbidden`, nothing changes)",
                _object(user=_ACCOUNT),
                params=_USER_ID,
                body=_object(
                    role=_STR, disabled=_BOOL, email=_STR, name=_STR, expertise=_STR, bio=_STR
                ),
            ),
        },
        "/api/v1/users/{user_id}/invitation": {
            "post": _coord(
                "Send a new invitation (the earlier link stops working)",
                _object(user=_ACCOUNT),
                params=_USER_ID,
                status="201",
            ),
        },
        "/api/v1/users/{user_id}/mentor-suggestions": {
            "get": _coord(
                "Mentors for a mentee: same field, shared words, fewest mentees first; with the reason",
                _object(suggestions={"type": "array"}),
                params=_USER_ID,
            ),
        },
        "/api/v1/pairs": {
            "get": _query(
                _coord(
                    "Pairs with activity as numbers (messages per week, last activity), never content",
                    _object(pairs={"type": "array", "items": _PAIR}),
                ),
                "active",
            ),
            "post": _coord(
                "Pair a mentor with a mentee: their private channel reaches both as a `channel` event",
                _object(pair=_PAIR, channel=_CHANNEL),
                body=_object(["mentor_id", "mentee_id"], mentor_id=_INT, mentee_id=_INT),
                status="201",
            ),
        },
        "/api/v1/pairs/{pair_id}": {
            "delete": _coord(
                "End a pair: its channel becomes read-only and stays private",
                _object(pair=_object(), channel=_object()),
                params=[("pair_id", "path")],
            ),
        },
        "/api/v1/communities": {
            "get": _op(
                "Communities to join (coordinators also see archived ones)",
                _object(communities={"type": "array", "items": _COMMUNITY}),
            ),
            "post": _coord(
                "Create a community",
                _object(community=_CHANNEL),
                body=_object(["name"], name=_STR, topic=_STR),
                status="201",
            ),
        },
        "/api/v1/communities/{channel_id}": {
            "patch": _coord(
                "Rename, change the topic, archive or reopen a community",
                _object(community=_CHANNEL),
                body=_object(name=_STR, topic=_STR, archived=_BOOL),
                params=[("channel_id", "path")],
            ),
        },
        "/api/v1/communities/{channel_id}/membership": {
            "post": _op(
                "Join a community", _object(community=_object()), params=[("channel_id", "path")]
            ),
            "delete": _op(
                "Leave a community", _object(community=_object()), params=[("channel_id", "path")]
            ),
        },
        "/api/v1/menu": {
            "get": _op(
                "The menu of the logged-in person's role",
                _object(role=_STR, items={"type": "array", "items": _MENU_ITEM}),
            )
        },
        "/api/v1/menus/{role}": {
            "get": _with_role(
                _coord(
                    "A role's menu for editing, with unused items hidden",
                    _object(role=_STR, items={"type": "array", "items": _MENU_ITEM}),
                )
            ),
            "put": _with_role(
                _coord(
                    "Set a role's menu in order; applied at once (`menu` event)",
                    _object(role=_STR, items={"type": "array", "items": _MENU_ITEM}),
                    body=_object(["items"], items={"type": "array", "items": _MENU_ITEM}),
                )
            ),
        },
        "/api/v1/announcements": {
            "post": _coord(
                "Post an announcement, optionally e-mailed to everyone",
                _object(message={"$ref": "#/components/schemas/Message"}, emails_queued=_INT),
                body=_object(["body"], body=_STR, client_id=_STR, email=_BOOL),
                status="201",
                also=[_REPEATED],
            ),
        },
        "/api/v1/audit": {"get": audit_op},
        "/api/v1/mail": {
            "get": _query(
                _coord(
                    "Outgoing mail: counts, and the latest mails with state and last error",
                    _object(counts=_object(), mails={"type": "array"}),
                ),
                "unsent",
            )
        },
        "/api/v1/password-reset": {
            "post": _op(
                "Forgot password: mails a single-use link; the answer never tells whether the address has an account",
                _object(ok=_BOOL, message=_STR),
                body=_object(["email"], email=_STR),
                status="202",
            ),
        },
        "/api/v1/password-links/{token}": {
            "get": {
                **_op(
                    "What a link from a mail is for (`invitation`, `reset`, or `email` with `new_email`),"
                    " if it still works",
                    _object(purpose=_STR, user=_object(), new_email=_STR),
                ),
                "parameters": [{"name": "token", "in": "path", "required": True, "schema": _STR}],
            },
        },
        "/api/v1/password": {
            "post": _op(
                "Choose a password with an invitation or reset link; logs in (sets the cookie)",
                _object(user={"$ref": "#/components/schemas/User"}),
                body=_object(["token", "password"], token=_STR, password=_STR),
            ),
        },
        "/api/v1/email-confirmation": {
            "post": _op(
                "Confirm a new e-mail address with the link mailed to it: spends the link, changes the"
                " address, mails a notice to the old one, ends every other session of the account",
                _object(user={"$ref": "#/components/schemas/User"}),
                body=_object(["token"], token=_STR),
            ),
        },
    }


def admin_schemas() -> dict[str, Any]:
    return {
        "Account": _object(
            id=_INT,
            name=_STR,
            role=_STR,
            email=_STR,
            expertise=_STR,
            bio=_STR,
            disabled=_BOOL,
            invited=_BOOL,
            created_at=_STR,
            language={"type": "string", "description": "'' = the programme's"},
        ),
        "Pair": _object(
            id=_INT,
            mentor=_object(),
            mentee=_object(),
            channel_id=_INT,
            started_at=_STR,
            ended_at=_NULLABLE_STR,
            active=_BOOL,
            activity=_object(
                messages_total=_INT,
                messages_per_week={"type": "array", "items": _INT},
                last_activity_at=_NULLABLE_STR,
            ),
        ),
        "Community": _object(
            id=_INT, name=_STR, topic=_STR, read_only=_BOOL, member_count=_INT, is_member=_BOOL
        ),
        "MenuItem": _object(["item"], item=_STR, label=_STR, url=_NULLABLE_STR, visible=_BOOL),
    }
