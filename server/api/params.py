"""Reading what a JSON API request carries: its body, and whole numbers in its path and query."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from channels.errors import Invalid
from channels.input import parse_int


async def read_json(request: web.Request) -> dict[str, Any]:
    try:
        payload = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise Invalid("The request body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise Invalid("Expected a JSON object.")
    return payload


def path_id(request: web.Request, name: str) -> int:
    value = parse_int(request.match_info[name], name.replace("_", " "))
    assert value is not None  # the route matched a non-empty path segment
    return value


def query_int(request: web.Request, name: str) -> int | None:
    return parse_int(request.query.get(name), f"'{name}'")
