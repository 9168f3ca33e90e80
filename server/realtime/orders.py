"""python-socketio's Redis manager, which carries every emit between nodes, and carries this
project's own orders too (hang up a session, move a person's sockets between rooms): on the
same channel, so an order reaches every node before any event emitted after it.  It is also
closed on shutdown, which the library's never is."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import socketio

from server.realtime.fanout import FanoutManager

log = logging.getLogger(__name__)

ORDER = "mentorspace"  # the `method` of an order: the library's listener ignores it
_MARK = f'"method": "{ORDER}"'.encode()  # how it reads in a published message
READY_SECONDS = 5.0  # how long start-up waits to hear its own channel

OnOrder = Callable[[dict[str, Any]], Awaitable[None]]


class RedisManager(socketio.AsyncRedisManager, FanoutManager):
    """The library makes a new Redis client whenever it (re)connects (its listener's first
    pass does, even when a publish connected a moment before), dropping the old one with its
    open socket: here every client it made is kept, and `aclose` closes them all.  Its emit
    publishes to the other nodes and hands this node's sockets to `FanoutManager`'s."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._made: list[Any] = []
        self._closed = False
        self._on_order: OnOrder | None = None
        self._heard_myself = asyncio.Event()

    def _redis_connect(self) -> None:  # the one place it makes a client
        if self._closed:  # a publish that failed as it closed would retry with a new client
            raise ConnectionError("the socket server has shut down")
        super()._redis_connect()
        self._made.append((self.pubsub, self.redis))

    async def _publish(self, data: Any) -> Any:
        """Nothing once closed: a handler still running as the server stops would otherwise
        open a new connection on a closed client, left for the garbage collector."""
        if self._closed:
            return None
        return await super()._publish(data)

    async def publish_order(self, order: dict[str, Any]) -> bool:
        """To every other node (this one has done it already); False if Redis did not take it
        (the library logs why)."""
        taken = await self._publish({"method": ORDER, "host_id": self.host_id, "order": order})
        return taken is not None

    async def listen_for_orders(self, sio: socketio.AsyncServer, on_order: OnOrder) -> None:
        """Start listening now (the library would wait for the first client), and return once
        the channel is heard, so nothing published after start-up is missed."""
        self._on_order = on_order
        if not sio.manager_initialized:
            sio.manager_initialized = True
            self.initialize()
        deadline = asyncio.get_running_loop().time() + READY_SECONDS
        while not self._heard_myself.is_set():
            if not await self.publish_order({"hello": True}):
                log.warning("Redis is unreachable: serving on; the other nodes hear this one later")
                return
            try:
                await asyncio.wait_for(self._heard_myself.wait(), 0.05)
            except TimeoutError:
                if asyncio.get_running_loop().time() > deadline:
                    log.warning("Redis did not answer within %s s; listening on", READY_SECONDS)
                    return

    async def _listen(self) -> AsyncIterator[Any]:
        """The library's messages go on to its listener; orders are carried out here, in
        channel order (an order's work is awaited before the next message is read)."""
        async for message in super()._listen():
            mark = _MARK if isinstance(message, bytes) else _MARK.decode()
            if mark not in message:
                yield message
                continue
            try:
                data = self.json.loads(message)
                order, mine = data["order"], data.get("host_id") == self.host_id
            except (ValueError, TypeError, KeyError):
                log.warning("ignored a malformed order on the Redis channel")
                continue
            if mine:
                self._heard_myself.set()
            elif self._on_order is not None and not order.get("hello"):
                try:
                    await self._on_order(order)
                except Exception:
                    log.exception("an order from another node failed")

    async def aclose(self) -> None:
        self._closed = True
        listening = getattr(self, "thread", None)
        if isinstance(listening, asyncio.Task):
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)
        for pubsub, client in self._made:
            await pubsub.aclose()
            await client.aclose()
        self._made.clear()
