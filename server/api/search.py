"""Search over the JSON API: the same call as the /search page."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from channels.search import searching
from channels.search.wire import results_json
from server import keys
from server.api.params import query_int
from server.auth import current_user

routes = web.RouteTableDef()


def search_payload(request: web.Request) -> dict[str, Any]:
    """What a search request asks, from its query string (the page sends the same fields)."""
    query = request.query
    return {
        "q": query.get("q", ""),
        "channel_id": query_int(request, "channel_id"),
        "author_id": query_int(request, "author_id"),
        "after": query.get("after"),
        "before": query.get("before"),
        "cursor": query.get("cursor"),
        "limit": query_int(request, "limit"),
    }


async def run_search(request: web.Request, payload: dict[str, Any]) -> searching.Results:
    user = await current_user(request)
    zone = ZoneInfo(request.app[keys.CONFIG].timezone)
    return await searching.search(
        request.app[keys.STORE],
        user,
        payload,
        zone=zone,
        secret=request.app[keys.SECRET],
        clock=request.app[keys.CLOCK],
    )


@routes.get("/api/v1/search")
async def search(request: web.Request) -> web.Response:
    results = await run_search(request, search_payload(request))
    return web.json_response(results_json(results))
