"""The JSON API under /api/v1: the same domain calls as the socket events, over HTTP."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.chat import directory, lines, messages
from channels.chat.wire import (
    changes_json,
    channel_json,
    channel_listing_json,
    history_json,
    message_json,
    read_position_json,
    thread_json,
    user_json,
)
from channels.input import check_id
from channels.people import accounts
from server import auth, keys
from server.api.openapi import openapi_document
from server.api.params import path_id, query_int, read_json
from server.auth import clear_session_cookie, current_user, session_token, set_session_cookie
from server.realtime.emit import change_message, disconnect_session, emit_new_line, emit_read

routes = web.RouteTableDef()


@routes.post("/api/v1/session")
async def log_in(request: web.Request) -> web.Response:
    payload = await read_json(request)
    logged_in = await auth.log_in(
        request, email=payload.get("email"), password=payload.get("password")
    )
    response = web.json_response({"user": user_json(logged_in.user, private=True)})
    set_session_cookie(request, response, logged_in.token)
    return response


@routes.delete("/api/v1/session")
async def log_out(request: web.Request) -> web.Response:
    user = await current_user(request)
    token = session_token(request) or ""
    await accounts.log_out(request.app[keys.STORE], token)
    await disconnect_session(request.app, user.id, token)
    response = web.json_response({"ok": True})
    clear_session_cookie(request, response)
    return response


@routes.get("/api/v1/me")
async def me(request: web.Request) -> web.Response:
    return web.json_response({"user": user_json(await current_user(request), private=True)})


@routes.get("/api/v1/channels")
async def list_channels(request: web.Request) -> web.Response:
    user = await current_user(request)
    listings = await directory.list_channels_with_partners(
        request.app[keys.STORE], user, online_among=request.app[keys.ONLINE].online_among
    )
    return web.json_response({"channels": [channel_listing_json(item) for item in listings]})


@routes.post("/api/v1/coordinator-line")
async def open_coordinator_line(request: web.Request) -> web.Response:
    """Your line to the coordinators (made on first use); a coordinator gives `user_id` to
    open a participant's."""
    user = await current_user(request)
    payload = await read_json(request)
    opened = await lines.open_line(
        request.app[keys.STORE],
        user,
        check_id(payload, "user_id", optional=True),
        clock=request.app[keys.CLOCK],
    )
    await emit_new_line(request.app, opened)
    return web.json_response(
        {"channel": channel_json(opened.channel)}, status=201 if opened.created else 200
    )


@routes.get("/api/v1/channels/{channel_id}/messages")
async def history(request: web.Request) -> web.Response:
    user = await current_user(request)
    page = await messages.load_history(
        request.app[keys.STORE],
        user,
        {
            "channel_id": path_id(request, "channel_id"),
            "before_id": query_int(request, "before_id"),
            "limit": query_int(request, "limit"),
        },
    )
    return web.json_response(history_json(page))


@routes.post("/api/v1/channels/{channel_id}/messages")
async def post(request: web.Request) -> web.Response:
    payload = {**await read_json(request), "channel_id": path_id(request, "channel_id")}
    result = await change_message(
        request.app, messages.post_message, await current_user(request), payload
    )
    # 201 for a new message; 200 when a repeated client_id returned the first one.
    status = 201 if result.created else 200
    return web.json_response({"message": message_json(result.message)}, status=status)


@routes.get("/api/v1/channels/{channel_id}/changes")
async def changes(request: web.Request) -> web.Response:
    user = await current_user(request)
    page = await messages.sync_channel(
        request.app[keys.STORE],
        user,
        {
            "channel_id": path_id(request, "channel_id"),
            "since_seq": query_int(request, "since_seq"),
        },
    )
    return web.json_response(changes_json(page))


@routes.post("/api/v1/channels/{channel_id}/read")
async def mark_read(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    position = await messages.mark_read(
        request.app[keys.STORE], user, {**payload, "channel_id": path_id(request, "channel_id")}
    )
    await emit_read(request.app, user.id, position)
    return web.json_response(read_position_json(position))


@routes.get("/api/v1/messages/{message_id}/thread")
async def thread(request: web.Request) -> web.Response:
    user = await current_user(request)
    page = await messages.load_thread(
        request.app[keys.STORE], user, {"message_id": path_id(request, "message_id")}
    )
    return web.json_response(thread_json(page))


async def _change(request: web.Request, change, payload: dict[str, Any]) -> web.Response:
    user = await current_user(request)
    payload = {**payload, "message_id": path_id(request, "message_id")}
    result = await change_message(request.app, change, user, payload)
    return web.json_response({"message": message_json(result.message)})


@routes.patch("/api/v1/messages/{message_id}")
async def edit(request: web.Request) -> web.Response:
    return await _change(request, messages.edit_message, await read_json(request))


@routes.delete("/api/v1/messages/{message_id}")
async def delete(request: web.Request) -> web.Response:
    return await _change(request, messages.delete_message, {})


@routes.post("/api/v1/messages/{message_id}/reactions")
async def react(request: web.Request) -> web.Response:
    return await _change(request, messages.toggle_reaction, await read_json(request))


@routes.get("/api/v1/openapi.json")
async def openapi(request: web.Request) -> web.Response:
    return web.json_response(openapi_document())
