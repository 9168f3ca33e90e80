"""Feedback over HTTP: a participant sends it (it arrives in their coordinator line);
coordinators list it and set its status."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.chat.wire import message_json
from channels.programme import feedback
from server import keys
from server.api.params import path_id, read_json
from server.auth import current_coordinator, current_user
from server.realtime.emit import emit_changes, emit_new_line
from storage.records import Feedback

routes = web.RouteTableDef()


def feedback_json(item: Feedback) -> dict[str, Any]:
    """What coordinators see of it: who, what kind, where it stands, and where to read it."""
    return {
        "id": item.id,
        "user": {"id": item.user_id, "name": item.user_name, "role": item.user_role},
        "category": item.category,
        "status": item.status,
        "channel_id": item.channel_id,
        "message_id": item.message_id,
        "created_at": item.created_at,
        "answered_at": item.answered_at,
        "closed_at": item.closed_at,
    }


async def send_and_tell(request: web.Request, payload: Any) -> feedback.SentFeedback:
    """Send it, then tell the line's readers (a new line, the message) after the commit."""
    sent = await feedback.send_feedback(
        request.app[keys.STORE], await current_user(request), payload, clock=request.app[keys.CLOCK]
    )
    await emit_new_line(request.app, sent.line)
    await emit_changes(request.app, sent.posted.changes)
    return sent


@routes.post("/api/v1/feedback")
async def send(request: web.Request) -> web.Response:
    sent = await send_and_tell(request, await read_json(request))
    return web.json_response(
        {"message": message_json(sent.posted.message), "channel_id": sent.line.channel.id},
        status=201 if sent.posted.created else 200,
    )


@routes.get("/api/v1/feedback")
async def list_all(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await feedback.list_feedback(
        request.app[keys.STORE],
        user,
        status=request.query.get("status"),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response(
        {
            "feedback": [feedback_json(f) for f in found.feedback],
            "median_answer_hours": found.median_answer_hours,
            "answered": found.answered,
        }
    )


@routes.patch("/api/v1/feedback/{feedback_id}")
async def set_status(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    changed = await feedback.set_status(
        request.app[keys.STORE],
        user,
        path_id(request, "feedback_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"feedback": feedback_json(changed)})
