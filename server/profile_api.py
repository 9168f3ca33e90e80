"""The profile over the JSON API: change your name, field of expertise and bio, your password
(optionally ending every other session), or your e-mail address (through a link sent to it)."""

from __future__ import annotations

from aiohttp import web

from channels import accounts, email_changes
from channels.input import check_bool
from channels.wire import user_json

from . import admin_events, keys
from .auth import current_user, session_token
from .mailer import link_settings
from .params import read_json

routes = web.RouteTableDef()


@routes.patch("/api/v1/me")
async def update_me(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    updated = await accounts.update_profile(
        request.app[keys.STORE],
        user,
        name=payload.get("name", user.name),
        expertise=payload.get("expertise", user.expertise),
        bio=payload.get("bio", user.bio),
    )
    return web.json_response({"user": user_json(updated, private=True)})


@routes.post("/api/v1/me/password")
async def change_my_password(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    await accounts.change_password(
        request.app[keys.STORE],
        user,
        current=payload.get("current"),
        new=payload.get("new"),
        end_other_sessions=check_bool(payload, "end_other_sessions", default=False),
        keep_token=session_token(request),
    )
    return web.json_response({"ok": True})


@routes.post("/api/v1/me/email")
async def change_my_email(request: web.Request) -> web.Response:
    """{email, current}: mail a confirmation link to the new address; nothing changes yet."""
    user = await current_user(request)
    new_email = await email_changes.request_email_change(
        request.app[keys.STORE], user, await read_json(request),
        links=link_settings(request.app[keys.CONFIG]), clock=request.app[keys.CLOCK],
    )  # fmt: skip
    admin_events.poke_mailer(request.app)
    return web.json_response(
        {"ok": True, "email": new_email, "message": email_changes.SENT.format(email=new_email)},
        status=202,
    )
