"""Limits on sockets, so that one user cannot exhaust the server: how many sockets one user and
one address may hold on a server process, how fast events may come (token buckets per socket
and per user, on the injected clock), and no binary packets at all."""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

import socketio

from channels.clock import Clock
from channels.errors import RateLimited
from channels.languages import N_
from server.config import Config
from server.realtime.presence import Presence

log = logging.getLogger(__name__)

# bucket: (tokens per second, burst); "message" comes from the settings
RATES: dict[str, tuple[float, float]] = {
    "typing": (1.0, 3.0),
    "read": (20.0, 100.0),
    "upload": (1.0, 20.0),  # files a person uploads over HTTP (POST /api/v1/files)
}
BUCKET_OF = {
    "message:send": "message",
    "message:edit": "message",
    "message:delete": "message",
    "reaction:toggle": "message",
    "task:complete": "message",
    "typing": "typing",
}  # every other event: "read"
ABUSE_LIMIT = 50  # refusals in a row after which the socket is hung up
TOO_FAST = N_("You are sending too fast. Please wait a moment and try again.")


class TokenBucket:
    def __init__(self, rate: float, burst: float, now: float) -> None:
        self.rate, self.burst = rate, burst
        self.tokens, self.at = burst, now

    def level(self, now: float) -> float:
        if now > self.at:
            self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
            self.at = now
        return self.tokens


class EventLimits:
    """A bucket per socket and per user for each kind of event; an event takes a token from
    both, or is refused and takes none."""

    def __init__(self, clock: Clock, config: Config) -> None:
        self._clock = clock
        self._rates = {**RATES, "message": (config.message_rate, float(config.message_burst))}
        self._sockets: dict[str, dict[str, TokenBucket]] = {}
        self._users: dict[int, dict[str, TokenBucket]] = {}
        self._refused: Counter[str] = Counter()

    def _bucket(self, buckets: dict[Any, dict[str, TokenBucket]], owner: Any, kind: str):
        own = buckets.setdefault(owner, {})
        if kind not in own:
            own[kind] = TokenBucket(*self._rates[kind], self._now())
        return own[kind]

    def _now(self) -> float:
        return self._clock.now().timestamp()

    def allow(self, sid: str, user_id: int | None, event: str) -> bool:
        kind = BUCKET_OF.get(event, "read")
        now = self._now()
        buckets = [self._bucket(self._sockets, sid, kind)]
        if user_id is not None:
            buckets.append(self._bucket(self._users, user_id, kind))
        if all(bucket.level(now) >= 1 for bucket in buckets):
            for bucket in buckets:
                bucket.tokens -= 1
            self._refused.pop(sid, None)
            return True
        self._refused[sid] += 1
        return False

    def allow_user(self, user_id: int, kind: str) -> bool:
        """For an HTTP request (no socket): take a token from the user's bucket of `kind`."""
        bucket = self._bucket(self._users, user_id, kind)
        if bucket.level(self._now()) >= 1:
            bucket.tokens -= 1
            return True
        return False

    def abusive(self, sid: str) -> bool:
        """True once, when the socket's refusals in a row reach ABUSE_LIMIT."""
        return self._refused[sid] == ABUSE_LIMIT

    def forget_socket(self, sid: str) -> None:
        self._sockets.pop(sid, None)
        self._refused.pop(sid, None)

    def prune(self) -> None:
        """Drop the user buckets that have refilled: they hold nothing a new one would not."""
        now = self._now()
        for user_id, buckets in list(self._users.items()):
            if all(b.level(now) >= b.burst for b in buckets.values()):
                del self._users[user_id]


def check_socket_room(presence: Presence, config: Config, user_id: int, address: str) -> None:
    """Refuse a socket beyond the user's or the address's share of this server process."""
    if len(presence.sockets_of(user_id)) >= config.max_sockets_per_user:
        raise RateLimited(
            N_(
                "You have %(max_sockets_per_user)s connections open already. Please close some tabs or windows and try again."
            ),
            max_sockets_per_user=config.max_sockets_per_user,
        )
    if presence.count_from(address) >= config.max_sockets_per_address:
        raise RateLimited(
            N_("Too many connections from your network. Please try again in a few minutes.")
        )


class JsonOnlyServer(socketio.AsyncServer):
    """The protocol is JSON only: a binary socket.io packet (and any binary frame) hangs the
    client up before python-socketio would start buffering its announced attachments."""

    async def _handle_eio_message(self, eio_sid: str, data: Any) -> None:
        if not isinstance(data, str) or data[:1] in ("5", "6"):  # BINARY_EVENT, BINARY_ACK
            log.info("refused a binary socket.io packet; hanging up")
            transport = self.eio.sockets.get(eio_sid)
            await self.eio.disconnect(eio_sid)
            if transport is not None:
                # engine.io only asks the client to close; a client that ignores that would
                # keep the websocket open.  This makes engine.io's writer close it now.
                await transport.queue.put(None)
            return
        await super()._handle_eio_message(eio_sid, data)
