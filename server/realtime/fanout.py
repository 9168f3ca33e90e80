"""One event to a room, handed to each socket in turn: python-socketio's manager makes an
asyncio task per recipient (its comment: so that they are sent concurrently), but handing a
packet to engine.io only puts it on that socket's queue and never waits, so the task is pure
cost: about half of the server's CPU per delivered event (scripts/fanout_bench.py measures the
delivery alone; see the README).

The packet is encoded once per emit, as the library does; what differs is only that nothing
is scheduled per recipient.  A send that fails (a socket that closed a moment ago) skips that
socket, as the library's separate task would."""

from __future__ import annotations

import logging
from typing import Any

import socketio
from engineio import packet as eio_packet
from engineio.exceptions import EngineIOError
from socketio import packet

log = logging.getLogger(__name__)


class FanoutManager(socketio.AsyncManager):
    """The manager of one node; `orders.RedisManager` puts it under the Redis one, whose
    emit publishes to the other nodes and then calls this one for its own sockets."""

    async def emit(
        self,
        event: str,
        data: Any,
        namespace: str,
        room: Any = None,
        skip_sid: Any = None,
        callback: Any = None,
        to: Any = None,
        **kwargs: Any,
    ) -> None:
        if callback is not None:  # each recipient gets its own ack id: the library's way
            await super().emit(
                event, data, namespace, room=room, skip_sid=skip_sid, callback=callback, to=to
            )
            return
        room = to or room
        if namespace not in self.rooms:
            return
        if isinstance(data, tuple):  # a tuple is several arguments, anything else one
            arguments = list(data)
        else:
            arguments = [] if data is None else [data]
        skipped = skip_sid if isinstance(skip_sid, list) else [skip_sid]
        encoded = self.server.packet_class(
            packet.EVENT, namespace=namespace, data=[event, *arguments]
        ).encode()
        packets = [
            eio_packet.Packet(eio_packet.MESSAGE, part)
            for part in (encoded if isinstance(encoded, list) else [encoded])
        ]
        send = self.server.eio.send_packet
        for sid, eio_sid in list(self.get_participants(namespace, room)):
            if sid in skipped:
                continue
            try:
                for part in packets:
                    await send(eio_sid, part)
            except EngineIOError:
                log.debug("a socket closed as an event was sent to it")
