"""The profile over the JSON API: change your name, field of expertise and bio, your password
(optionally ending every other session), or your e-mail address (through a link sent to it)."""

from __future__ import annotations

from aiohttp import web

from channels.chat.wire import user_json
from channels.input import check_bool
from channels.languages import check_language
from channels.people import accounts, email_changes, profiles
from server import keys
from server.api.params import path_id, read_json, read_streamed_form
from server.auth import current_user, session_token, streams_its_body
from server.realtime import emit as admin_events
from server.realtime.emit import disconnect_session, emit_changes
from server.runners.mailer import link_settings
from storage.records import User

routes = web.RouteTableDef()


@routes.patch("/api/v1/me")
async def update_me(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    if "language" in payload:  # checked before anything is saved
        check_language(payload["language"])
    change = await accounts.update_profile(
        request.app[keys.STORE],
        user,
        name=payload.get("name", user.name),
        expertise=payload.get("expertise", user.expertise),
        bio=payload.get("bio", user.bio),
    )
    await emit_changes(request.app, change.rerendered)
    updated = change.user
    if "language" in payload:
        updated = await accounts.set_language(request.app[keys.STORE], user, payload["language"])
    return web.json_response({"user": user_json(updated, private=True)})


@routes.post("/api/v1/me/password")
async def change_my_password(request: web.Request) -> web.Response:
    user = await current_user(request)
    payload = await read_json(request)
    end_others = check_bool(payload, "end_other_sessions", default=False)
    await accounts.change_password(
        request.app[keys.STORE],
        user,
        current=payload.get("current"),
        new=payload.get("new"),
        end_other_sessions=end_others,
        keep_token=session_token(request),
    )
    if end_others:
        await disconnect_session(
            request.app, user.id, keep=session_token(request), reason="password"
        )
    return web.json_response({"ok": True})


@routes.post("/api/v1/me/email")
async def change_my_email(request: web.Request) -> web.Response:
    """{email, current}: mail a confirmation link to the new address; nothing changes yet."""
    user = await current_user(request)
    new_email = await email_changes.request_email_change(
        request.app[keys.STORE],
        user,
        await read_json(request),
        links=link_settings(request.app[keys.CONFIG]),
        clock=request.app[keys.CLOCK],
    )
    admin_events.poke_mailer(request.app)
    return web.json_response(
        {"ok": True, "email": new_email, "message": email_changes.SENT.format(email=new_email)},
        status=202,
    )


@routes.get("/api/v1/people/{person_id}")
async def person(request: web.Request) -> web.Response:
    """Anyone's profile, for anyone signed in (see channels/people/profiles.py)."""
    user = await current_user(request)
    profile = await profiles.load_profile(
        request.app[keys.STORE], user, path_id(request, "person_id")
    )
    return web.json_response({"person": profiles.profile_json(profile)})


async def upload_photo(request: web.Request, user: User) -> str:
    """The photo in a multipart body's `photo` field becomes the person's; its version.  For
    this API and the profile page's form."""
    _, data = await read_streamed_form(
        request, file_field="photo", on_file=lambda _name, chunks: profiles.read_photo(chunks)
    )
    return await profiles.set_photo(
        request.app[keys.STORE], user, data, clock=request.app[keys.CLOCK]
    )


@routes.put("/api/v1/me/photo")
@streams_its_body
async def put_photo(request: web.Request) -> web.Response:
    user = await current_user(request)
    version = await upload_photo(request, user)
    return web.json_response({"photo_url": profiles.photo_url(user.id, version)})


@routes.delete("/api/v1/me/photo")
async def delete_photo(request: web.Request) -> web.Response:
    user = await current_user(request)
    await profiles.remove_photo(request.app[keys.STORE], user)
    return web.json_response({"photo_url": None})
