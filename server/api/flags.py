"""Reported messages over HTTP: anyone reports a message they read (it arrives in their
coordinator line, once they confirm); coordinators list the reports and set their status."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.programme import flags
from server import keys
from server.api.params import path_id, read_json
from server.auth import current_coordinator, current_user
from server.realtime.emit import emit_changes, emit_new_line
from storage.records import MessageFlag

routes = web.RouteTableDef()


def flag_json(flag: MessageFlag) -> dict[str, Any]:
    """What coordinators see of it: the copy of that one message, where it was written, who
    reported it and why, and what they can do (the pair, the author's account)."""
    return {
        "id": flag.id,
        "status": flag.status,
        "created_at": flag.created_at,
        "handled_at": flag.handled_at,
        "reporter": {
            "id": flag.reporter_id,
            "name": flag.reporter_name,
            "role": flag.reporter_role,
        },
        "note": flag.note,
        "message": {
            "id": flag.message_id,
            "body": flag.body,
            "html": flag.html,
            "written_at": flag.written_at,
            "author": {
                "id": flag.author_id,
                "name": flag.author_name,
                "role": flag.author_role,
                "disabled": flag.author_disabled,
            },
        },
        "channel": {"id": flag.channel_id, "kind": flag.channel_kind, "name": flag.channel_name},
        "pair": None
        if flag.pair_id is None
        else {"id": flag.pair_id, "ended": flag.pair_ended_at is not None},
        "line": {"channel_id": flag.line_channel_id, "message_id": flag.line_message_id},
    }


def own_flag_json(flag: MessageFlag) -> dict[str, Any]:
    """What the reporter gets back: their report, and where it is in their line."""
    return {
        "id": flag.id,
        "message_id": flag.message_id,
        "note": flag.note,
        "created_at": flag.created_at,
        "line": {"channel_id": flag.line_channel_id, "message_id": flag.line_message_id},
    }


async def report_and_tell(request: web.Request, message_id: int, payload: Any) -> flags.Reported:
    """Report it, then tell the line's readers (a new line, the report in it) after the
    commit: the reporter and the coordinators, nobody else."""
    reported = await flags.report_message(
        request.app[keys.STORE],
        await current_user(request),
        message_id,
        payload,
        calendar=request.app[keys.CONFIG].calendar(),
        clock=request.app[keys.CLOCK],
    )
    if reported.line is not None:
        await emit_new_line(request.app, reported.line)
    if reported.posted is not None:
        await emit_changes(request.app, reported.posted.changes)
    return reported


@routes.post("/api/v1/messages/{message_id}/report")
async def report(request: web.Request) -> web.Response:
    reported = await report_and_tell(
        request, path_id(request, "message_id"), await read_json(request)
    )
    return web.json_response(
        {"report": own_flag_json(reported.flag)}, status=201 if reported.created else 200
    )


@routes.get("/api/v1/reported-messages")
async def list_all(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await flags.list_flags(
        request.app[keys.STORE], user, status=request.query.get("status") or None
    )
    return web.json_response({"reports": [flag_json(f) for f in found]})


@routes.patch("/api/v1/reported-messages/{flag_id}")
async def set_status(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    changed = await flags.set_status(
        request.app[keys.STORE],
        user,
        path_id(request, "flag_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"report": flag_json(changed)})
