"""Health checks for load balancers and orchestrators; no session needed, no data answered.

`GET /healthz`: the process answers (200).  `GET /readyz`: it can serve, because the database
and the file store answer (DATA_DIR/files is there, or the S3 bucket of MENTORSPACE_FILES_URL
answers to us) and, when MENTORSPACE_REDIS_URL is set, so does Redis (200), or which one did
not (503).  Only the names of the checks and ok/failed are said; the reason goes to the log."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable

from aiohttp import web

from server import keys

log = logging.getLogger(__name__)

CHECK_SECONDS = 2.0  # a check that takes longer counts as failed
NO_STORE = {"Cache-Control": "no-store"}

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"}, headers=NO_STORE)


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    app = request.app
    checks = {
        "database": await _check("database", app[keys.STORE].check_reachable()),
        "files": await _check("files", app[keys.FILES].check_reachable()),
    }
    redis_url = app[keys.CONFIG].redis_url
    if redis_url:
        checks["redis"] = await _check("redis", ping_redis(redis_url))
    ready = all(result == "ok" for result in checks.values())
    return web.json_response(
        {"status": "ready" if ready else "unavailable", "checks": checks},
        status=200 if ready else 503,
        headers=NO_STORE,
    )


async def _check(name: str, probe: Awaitable[None]) -> str:
    try:
        await asyncio.wait_for(probe, CHECK_SECONDS)
    except Exception as error:
        log.warning("readiness check %s failed: %s", name, type(error).__name__)
        return "failed"
    return "ok"


async def ping_redis(url: str) -> None:
    """Open a connection of our own (the socket manager's may be busy listening), PING, close."""
    import redis.asyncio  # the `redis` extra: only needed when a Redis URL is set

    client = redis.asyncio.Redis.from_url(
        url, socket_connect_timeout=CHECK_SECONDS, socket_timeout=CHECK_SECONDS
    )
    try:
        await client.ping()
    finally:
        await client.aclose()
