"""Research consent over the JSON API: read and change your own answer."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.research import consent
from server import keys
from server.api.params import read_json
from server.auth import current_user
from storage.records import ConsentDecision, User

routes = web.RouteTableDef()


def consent_json(user: User, decision: ConsentDecision | None) -> dict[str, Any]:
    return {
        "asked": consent.is_asked(user),
        "consented": None if decision is None else decision.consented,
        "decided_at": None if decision is None else decision.decided_at,
    }


@routes.get("/api/v1/me/research-consent")
async def load_my_consent(request: web.Request) -> web.Response:
    user = await current_user(request)
    decision = await consent.load_consent(request.app[keys.STORE], user)
    return web.json_response(consent_json(user, decision))


@routes.put("/api/v1/me/research-consent")
async def decide(request: web.Request) -> web.Response:
    user = await current_user(request)
    decision = await consent.decide(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    return web.json_response(consent_json(user, decision))
