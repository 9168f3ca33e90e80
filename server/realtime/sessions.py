"""Ending a session cuts its sockets everywhere, at once: on this process directly, on every
other one through a small Redis pub/sub channel of our own (python-socketio's manager can
only disconnect a sid, and the other nodes' sids are unknown here).  A sweep on the server's
own schedule checks every open socket's session against storage in one query and hangs up
the dead ones (expired, or ended anywhere this process was not told of)."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web

from channels.clock import iso
from server import keys

log = logging.getLogger(__name__)

SESSION_ENDED = {
    "disabled": "This account has been disabled. Please contact your coordinator.",
    "password": "The password of this account was changed. Please log in again.",
}


@dataclass(frozen=True)
class HangUp:
    """Which sockets to cut: a user's of one session (token hash), or all but one, or all."""

    user_id: int
    token_hash: str | None = None
    keep_hash: str | None = None
    reason: str | None = None  # a key of SESSION_ENDED: told to the socket before the cut

    def matches(self, token_hash: str) -> bool:
        wanted = self.token_hash is None or token_hash == self.token_hash
        return wanted and token_hash != self.keep_hash


class SessionSockets:
    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.node = uuid.uuid4().hex
        self._redis: Any = None
        self._channel = f"{app[keys.CONFIG].redis_channel}:sessions"

    async def end(self, order: HangUp) -> None:
        """Cut the matching sockets here at once, and ask every other node to do the same."""
        await self.hang_up_here(order)
        if self._redis is not None:
            try:
                await self._redis.publish(
                    self._channel, json.dumps({"node": self.node, **asdict(order)})
                )
            except Exception:  # the sweep still finds them within socket_check_seconds
                log.exception("could not tell the other nodes to hang up a session")

    async def hang_up_here(self, order: HangUp) -> None:
        sio, presence = self.app[keys.SIO], self.app[keys.PRESENCE]
        for sid in presence.sockets_of(order.user_id):
            known = presence.socket(sid)
            if known is None or not order.matches(known.token_hash):
                continue
            if order.reason in SESSION_ENDED:
                payload = {"reason": order.reason, "message": SESSION_ENDED[order.reason]}
                await sio.emit("session:ended", payload, to=sid, ignore_queue=True)
            await sio.disconnect(sid, ignore_queue=True)

    async def sweep(self) -> int:
        """Check every socket of this process against storage (one query); hang up those whose
        session has ended.  Returns how many were hung up."""
        sockets = self.app[keys.PRESENCE].all_sockets()
        self.app[keys.EVENT_LIMITS].prune()
        if not sockets:
            return 0
        live = await self.app[keys.STORE].live_session_hashes(
            sorted({s.token_hash for s in sockets.values()}), iso(self.app[keys.CLOCK].now())
        )
        dead = [sid for sid, s in sockets.items() if s.token_hash not in live]
        for sid in dead:
            await self.app[keys.SIO].disconnect(sid, ignore_queue=True)
        return len(dead)

    async def _sweep_forever(self, every: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.sweep()
            except Exception:
                log.exception("the socket sweep failed; trying again next time")

    async def _listen(self, pubsub: Any) -> None:
        while True:
            try:
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        await self._on_message(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("lost the Redis session channel; listening again in a second")
                await asyncio.sleep(1)

    async def _on_message(self, data: bytes | str) -> None:
        try:
            fields = json.loads(data)
            node = fields.pop("node")
            order = HangUp(**fields)
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed message on the Redis session channel")
            return
        if node != self.node:
            await self.hang_up_here(order)


async def run_session_sockets(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: subscribe to the Redis session channel (before serving, so no hang-up
    published after start-up is missed) and run the sweep; stop both on shutdown."""
    guard = app[keys.SESSION_SOCKETS]
    config = app[keys.CONFIG]
    tasks = [asyncio.create_task(guard._sweep_forever(config.socket_check_seconds))]
    pubsub = None
    if config.redis_url:
        import redis.asyncio as aioredis  # the `redis` extra, only with --redis-url

        guard._redis = aioredis.Redis.from_url(config.redis_url)
        pubsub = guard._redis.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(guard._channel)
        tasks.append(asyncio.create_task(guard._listen(pubsub)))
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        if pubsub is not None:
            await pubsub.aclose()
            await guard._redis.aclose()
            guard._redis = None
