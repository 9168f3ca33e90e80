"""People's profile pages (/people/{id}) and their photos: what a mentee reads about her mentor
before they meet.  Editing one's own is on /profile (server/pages/people.py)."""

from __future__ import annotations

from aiohttp import web

from channels.people import profiles
from server import keys
from server.api.params import path_id
from server.auth import current_user
from server.pages.rendering import load_menu, render

routes = web.RouteTableDef()


@routes.get("/people/{person_id}")
async def person_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    profile = await profiles.load_profile(
        request.app[keys.STORE], user, path_id(request, "person_id")
    )
    menu = await load_menu(request, user)
    return render(
        request, "person.html", user=user, profile=profile, menu=menu, current=None, here=None
    )


@routes.get("/people/{person_id}/photo")
async def photo(request: web.Request) -> web.Response:
    """For any signed-in reader (a profile is for the programme to read); cached privately,
    and asked again only when the page names a newer version."""
    await current_user(request)
    image, version = await profiles.load_photo(
        request.app[keys.STORE], path_id(request, "person_id")
    )
    etag = f'"{version}"'
    headers = {"ETag": etag, "Cache-Control": "private, max-age=31536000, immutable"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    return web.Response(body=image, content_type="image/webp", headers=headers)
