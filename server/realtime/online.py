"""Who is online on any node.  Alone (no Redis), this process's own sockets say it.  With
Redis, each node writes down the people it has sockets of, each with a deadline (Redis's own
clock, so nodes' clocks may differ) that it pushes on every third of `presence_seconds` while
the sockets live; a node that dies stops pushing, and once its deadlines pass, the first node
to sweep says those people went offline (the sweep is one Redis script: exactly one node
claims each).  "Came online" and "went offline" are said once, on any node, when the first
socket anywhere opens and when the last one anywhere closes (or its node's word runs out).

Keys, under the programme's Redis channel name:
  <channel>:online:<user_id>  sorted set: node -> deadline (ms); expires on its own
  <channel>:online            sorted set: user_id -> latest deadline, what the sweep looks at;
                              expires when no node renews anything
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from server import keys
from server.realtime.emit import emit_presence_of
from server.realtime.presence import Presence

log = logging.getLogger(__name__)

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""

# KEYS: the users key, then one key per person; ARGV: node, ttl (ms), then 1/0 per person
# (this node has sockets of them, or not).  Returns per person 1 came online (nowhere
# before), -1 went offline (nowhere now), 0 no change.
_SET = (
    _NOW
    + """
local ttl = tonumber(ARGV[2])
local changes = {}
for i = 2, #KEYS do
  local key, here = KEYS[i], ARGV[i + 1] == '1'
  local user_id = string.sub(key, string.len(KEYS[1]) + 2)
  local before = redis.call('ZCOUNT', key, '(' .. now, '+inf')
  local change = 0
  if here then
    redis.call('ZADD', key, now + ttl, ARGV[1])
    if redis.call('PTTL', key) < ttl then redis.call('PEXPIRE', key, ttl) end
    redis.call('ZADD', KEYS[1], 'GT', now + ttl, user_id)
    redis.call('PEXPIRE', KEYS[1], ttl * 3)  -- gone with the last node that renews its word
    if before == 0 then change = 1 end
  else
    redis.call('ZREM', key, ARGV[1])
    if before > 0 and redis.call('ZCOUNT', key, '(' .. now, '+inf') == 0 then
      redis.call('DEL', key)
      redis.call('ZREM', KEYS[1], user_id)
      change = -1
    end
  end
  changes[i - 1] = change
end
return changes
"""
)

# KEYS: the users key.  People whose every node's deadline passed: forgotten, and returned
# (to this caller only).  The others' sweep time moves to their latest deadline.
_SWEEP = (
    _NOW
    + """
local gone = {}
for _, user_id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, 1000)) do
  local key = KEYS[1] .. ':' .. user_id
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  local last = redis.call('ZRANGE', key, -1, -1, 'WITHSCORES')
  if #last == 0 then
    redis.call('DEL', key)
    redis.call('ZREM', KEYS[1], user_id)
    table.insert(gone, user_id)
  else
    redis.call('ZADD', KEYS[1], last[2], user_id)
  end
end
return gone
"""
)

# KEYS: one key per person.  1 for those some node's deadline still covers.
_AMONG = (
    _NOW
    + """
local online = {}
for i = 1, #KEYS do
  online[i] = redis.call('ZCOUNT', KEYS[i], '(' .. now, '+inf') > 0 and 1 or 0
end
return online
"""
)


class Online:
    """Alone (no Redis), online is having a socket on this process; with Redis (`use_redis`),
    having one on any node whose word still holds."""

    def __init__(self, presence: Presence) -> None:
        self.presence = presence
        self._redis: Any = None
        self._lock = asyncio.Lock()  # one node's writes in the order their sockets changed

    def use_redis(self, redis: Any, prefix: str, node: str, ttl: float) -> None:
        self._redis = redis
        self._users = f"{prefix}:online"
        self._node = node
        self._ttl_ms = max(int(ttl * 1000), 1)
        self._set = redis.register_script(_SET)
        self._sweep = redis.register_script(_SWEEP)
        self._among = redis.register_script(_AMONG)

    async def close(self) -> None:
        redis, self._redis = self._redis, None
        if redis is not None:
            await redis.aclose()

    def _key(self, user_id: int) -> str:
        return f"{self._users}:{user_id}"

    async def _write(self, user_ids: list[int], here: list[bool]) -> list[int]:
        if not user_ids:
            return []
        keys_ = [self._users, *map(self._key, user_ids)]
        args = [self._node, self._ttl_ms, *("1" if h else "0" for h in here)]
        return [int(c) for c in await self._set(keys=keys_, args=args)]

    async def sync(self, user_id: int) -> int:
        """This node's first socket of the person opened, or its last one closed: 1 if they
        came online (nowhere before), -1 if they went offline (nowhere now), else 0."""
        if self._redis is None:
            return 1 if self.presence.is_online(user_id) else -1
        try:
            async with self._lock:  # read at the turn of this write, so writes cannot cross
                (change,) = await self._write([user_id], [self.presence.is_online(user_id)])
        except Exception as error:  # the next renewal, once Redis is back, says who came
            log.warning("presence not written to Redis: %s", type(error).__name__)
            return 0
        return change

    async def online_among(self, user_ids: list[int]) -> set[int]:
        wanted = sorted(set(user_ids))
        if self._redis is None or not wanted:
            return {user_id for user_id in wanted if self.presence.is_online(user_id)}
        try:
            flags = await self._among(keys=[self._key(u) for u in wanted])
        except Exception as error:  # this node's own word, until Redis is back
            log.warning("presence not read from Redis: %s", type(error).__name__)
            return {user_id for user_id in wanted if self.presence.is_online(user_id)}
        return {user_id for user_id, flag in zip(wanted, flags, strict=True) if int(flag)}

    async def refresh(self) -> list[int]:
        """Push this node's word on; the people who had gone (came back online)."""
        if self._redis is None:
            return []
        async with self._lock:
            user_ids = self.presence.online_user_ids()
            changes = await self._write(user_ids, [True] * len(user_ids))
        return [u for u, c in zip(user_ids, changes, strict=True) if c == 1]

    async def expired(self) -> list[int]:
        """The people whose nodes' word ran out (claimed by this node): they went offline."""
        if self._redis is None:
            return []
        return sorted(int(u) for u in await self._sweep(keys=[self._users]))

    async def leave(self) -> list[int]:
        """This node stops: the people it alone had sockets of (now offline)."""
        if self._redis is None:
            return []
        try:
            async with self._lock:
                user_ids = self.presence.online_user_ids()
                changes = await self._write(user_ids, [False] * len(user_ids))
        except Exception as error:  # the word runs out, and another node says them offline
            log.warning("presence not taken back from Redis: %s", type(error).__name__)
            return []
        return [u for u, c in zip(user_ids, changes, strict=True) if c == -1]


async def run_online(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx: with Redis, keep this node's word in Redis and sweep the word of nodes
    that stopped giving it; stop on shutdown (which said its people offline already)."""
    config = app[keys.CONFIG]
    if not config.redis_url:
        yield
        return
    import redis.asyncio as aioredis  # the `redis` extra, only with --redis-url

    online = app[keys.ONLINE]
    online.use_redis(
        # Bounded: a Redis that does not answer must not hold up a connecting socket for long.
        aioredis.Redis.from_url(config.redis_url, socket_connect_timeout=5, socket_timeout=5),
        config.redis_channel,
        app[keys.SESSION_SOCKETS].node,
        config.presence_seconds,
    )

    async def keep_up() -> None:
        while True:
            await asyncio.sleep(config.presence_seconds / 3)
            try:
                for user_id in await online.refresh():
                    await emit_presence_of(app, user_id, online=True)
                for user_id in await online.expired():
                    await emit_presence_of(app, user_id, online=False)
            except Exception:
                log.exception("could not keep presence up in Redis; trying again")

    keeping = asyncio.create_task(keep_up())
    try:
        yield
    finally:
        keeping.cancel()
        await asyncio.gather(keeping, return_exceptions=True)
        await online.close()  # alone again: what runs on as it stops asks this node only
