"""One thin handler per client event: parse, authorise (inside the domain call), call, emit
after the commit, return the ACK.  Every handler is listed in EVENTS (and documented in
docs/protocol.md); the socket server runs each behind its guard."""

from __future__ import annotations

from typing import Any

from channels.chat import messages
from channels.chat.wire import (
    changes_json,
    history_json,
    message_json,
    read_position_json,
    thread_json,
)
from channels.input import check_id, check_object
from channels.policy import Action, check_allowed
from channels.tasks import posting as task_posting
from server.realtime.emit import (
    ChangeMessage,
    change_message,
    emit_read,
    emit_typing,
)
from server.realtime.rooms import enter_channel
from server.realtime.server import Call, Handler


def _message_change(change: ChangeMessage) -> Handler:
    """The handler of an event that changes a message: call, emit after commit, ACK it."""

    async def handler(call: Call, data: Any) -> dict[str, Any]:
        result = await change_message(call.app, change, call.user, data)
        return {"message": message_json(result.message)}

    return handler


async def on_channel_sync(call: Call, data: Any) -> dict[str, Any]:
    return changes_json(await messages.sync_channel(call.store, call.user, data))


async def on_channel_history(call: Call, data: Any) -> dict[str, Any]:
    return history_json(await messages.load_history(call.store, call.user, data))


async def on_thread_load(call: Call, data: Any) -> dict[str, Any]:
    return thread_json(await messages.load_thread(call.store, call.user, data))


async def on_channel_read(call: Call, data: Any) -> dict[str, Any]:
    position = await messages.mark_read(call.store, call.user, data)
    await emit_read(call.app, call.user.id, position)
    return read_position_json(position)


async def on_channel_subscribe(call: Call, data: Any) -> dict[str, Any]:
    """Join the room of a channel that became readable after connecting (a new pair, a
    community just joined)."""
    channel_id = check_id(check_object(data), "channel_id")
    await check_allowed(call.store, call.user, channel_id, Action.READ)
    await enter_channel(call.sio, call.sid, channel_id)
    return {"channel_id": channel_id}


async def on_typing(call: Call, data: Any) -> None:
    payload = check_object(data)
    channel_id = check_id(payload, "channel_id")
    thread_id = check_id(payload, "thread_id", optional=True)
    await check_allowed(
        call.store, call.user, channel_id, Action.REPLY if thread_id else Action.POST
    )
    await emit_typing(call.app, call.user, channel_id, thread_id, skip_sid=call.sid)


EVENTS: dict[str, Handler] = {
    "message:send": _message_change(messages.post_message),
    "message:edit": _message_change(messages.edit_message),
    "message:delete": _message_change(messages.delete_message),
    "reaction:toggle": _message_change(messages.toggle_reaction),
    "task:complete": _message_change(task_posting.complete_task),
    "channel:sync": on_channel_sync,
    "channel:history": on_channel_history,
    "channel:read": on_channel_read,
    "channel:subscribe": on_channel_subscribe,
    "thread:load": on_thread_load,
    "typing": on_typing,
}

SERVER_EVENTS = [
    "message",
    "typing",
    "presence",
    "read",
    "channel",
    "menu",
    "account",
    "session:ended",  # programme administration (issue 4)
    "notification",  # mentions, notifications and digests (issue 11)
    "notifications:read",
]
