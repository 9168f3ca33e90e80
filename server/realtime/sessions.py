"""Ending a session cuts its sockets everywhere, at once, and a changed membership moves them
between rooms everywhere: on this process directly, on every other one by an order on the
socket.io manager's Redis channel (the manager itself can only act on a sid, and the other
nodes' sids are unknown here).  A sweep on the server's own schedule checks every open
socket's session against storage in one query and hangs up the dead ones (expired, or ended
anywhere this process was not told of)."""

from __future__ import annotations

import asyncio
import functools
import logging
import uuid
from collections.abc import AsyncIterator
from dataclasses import asdict, dataclass
from typing import Any

from aiohttp import web

from channels.clock import iso
from server import keys
from server.realtime.orders import RedisManager
from server.realtime.rooms import refresh_rooms_here

log = logging.getLogger(__name__)

WAKEABLE = {"scheduler": keys.SCHEDULER, "questionnaires": keys.QUESTIONNAIRES}

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
    """What one node does to its sockets at another node's word: hang up ended sessions, move
    a person's sockets between rooms.  Orders travel on the socket.io manager's own Redis
    channel, so each reaches every node before any event emitted after it."""

    def __init__(self, app: web.Application) -> None:
        self.app = app
        self.node = uuid.uuid4().hex
        self._sending: set[asyncio.Task[None]] = set()

    async def end(self, order: HangUp) -> None:
        """Cut the matching sockets here at once, and ask every other node to do the same."""
        await self.hang_up_here(order)
        await self._tell_other_nodes({"hang_up": asdict(order)})

    async def refresh_rooms(self, user_id: int) -> None:
        """The person's sockets here and on every other node, in exactly the rooms they may
        hear now."""
        await refresh_rooms_here(self.app, user_id)
        await self._tell_other_nodes({"rooms": user_id})

    async def _tell_other_nodes(self, order: dict[str, Any]) -> None:
        manager = self.app[keys.SIO].manager
        if isinstance(manager, RedisManager):
            try:
                await manager.publish_order(order)
            except Exception:  # a missed hang-up is found by the sweep within socket_check_seconds
                log.exception("could not send an order to the other nodes")

    def wake_elsewhere(self, runner: str) -> None:
        """Ask the other nodes to run a pass of `runner` now (a schedule or a questionnaire
        changed here); sent in the background, since waking is what callers do after the
        commit, in passing."""
        sending = asyncio.create_task(self._tell_other_nodes({"wake": runner}))
        self._sending.add(sending)
        sending.add_done_callback(self._sending.discard)

    async def on_order(self, order: dict[str, Any]) -> None:
        """Another node's order (from the manager's listener, in channel order)."""
        try:
            if "hang_up" in order:
                await self.hang_up_here(HangUp(**order["hang_up"]))
            elif "rooms" in order:
                await refresh_rooms_here(self.app, int(order["rooms"]))
            elif order.get("wake") in WAKEABLE:
                self.app[WAKEABLE[order["wake"]]].wake_here()
        except (ValueError, TypeError, KeyError):
            log.warning("ignored a malformed order from another node")

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


async def run_session_sockets(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: listen to the other nodes (subscribed before serving, so no order sent
    after start-up is missed) and run the sweep; stop the sweep on shutdown (the manager is
    closed with the socket server)."""
    guard = app[keys.SESSION_SOCKETS]
    manager = app[keys.SIO].manager
    if isinstance(manager, RedisManager):
        await manager.listen_for_orders(app[keys.SIO], guard.on_order)
        for name, key in WAKEABLE.items():
            app[key].wake_others = functools.partial(guard.wake_elsewhere, name)
    sweeping = asyncio.create_task(guard._sweep_forever(app[keys.CONFIG].socket_check_seconds))
    try:
        yield
    finally:
        for key in WAKEABLE.values():
            app[key].wake_others = None
        sweeping.cancel()
        await asyncio.gather(sweeping, *guard._sending, return_exceptions=True)
