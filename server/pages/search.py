"""The /search page: the same search as GET /api/v1/search, rendered by the server so it works
without JavaScript.  Each result links to its channel at that message (and its thread, for a
reply); the search box in every page's top bar sends its words here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from channels.errors import MentorspaceError
from channels.files.wire import file_url
from channels.search.searching import Results
from server.api.search import run_search, search_payload
from server.auth import current_user
from server.pages.rendering import Menu, load_menu, reader_gettext, render
from storage.records import FileHit, MessageHit

routes = web.RouteTableDef()

FIELDS = ("q", "channel_id", "author_id", "after", "before")


def message_href(channel_id: int, message_id: int, thread_id: int | None) -> str:
    """The channel at that message; a reply opens in its thread."""
    if thread_id is None:
        return f"/channels/{channel_id}?message={message_id}#m-{message_id}"
    return f"/channels/{channel_id}/threads/{thread_id}?message={message_id}#t-{message_id}"


def result_href(hit: MessageHit) -> str:
    return message_href(hit.channel_id, hit.message_id, hit.thread_id)


def channel_label(menu: Menu, hit: MessageHit | FileHit, _: Callable[[str], str]) -> str:
    """The channel as the person's menu names it (a pair channel by the partner), in their
    language (`_`)."""
    item = menu.item(hit.channel_id)
    if item is None:
        return hit.channel_name
    if item.partner:
        return _("Conversation with %(name)s") % {"name": item.label}
    return item.label


@routes.get("/search")
async def search_page(request: web.Request) -> web.Response:
    user = await current_user(request)
    menu = await load_menu(request, user)
    _ = reader_gettext(request, user)
    asked = {name: request.query.get(name, "").strip() for name in FIELDS}
    results: Results | None = None
    error: MentorspaceError | None = None
    if asked["q"]:
        try:
            results = await run_search(request, search_payload(request))
        except MentorspaceError as refused:
            error = refused
    next_href = None
    if results is not None and results.next_cursor:
        kept: dict[str, Any] = {name: value for name, value in asked.items() if value}
        next_href = "/search?" + urlencode({**kept, "cursor": results.next_cursor})
    channels = [item for section in menu.sections for item in section.items]
    partners = {item.partner.id: item.partner.name for item in channels if item.partner}
    response = render(
        request,
        "search.html",
        status=error.status if error else 200,
        user=user,
        menu=menu,
        current=None,
        here="/search",
        search_query=asked["q"],
        asked=asked,
        results=results,
        error=error,
        next_href=next_href,
        channels=channels,
        authors=[(user.id, _("Me")), *partners.items()],
        result_href=result_href,
        file_url=file_url,
        file_message_href=lambda hit: message_href(
            hit.channel_id, hit.file.message_id, hit.thread_id
        ),
        channel_label=lambda hit: channel_label(menu, hit, _),
    )
    return response
