"""The pages people spend their time on: home (the menu) and a channel with its threads.

The server renders the latest messages so a channel reads without JavaScript, and the composer
is an ordinary form; `web/static/js/channel.js` then takes over and keeps the page live."""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from channels.chat import directory, lines, messages
from channels.chat.wire import message_json
from channels.errors import Invalid, NotFound
from channels.goals import satisfaction
from channels.languages import N_
from channels.people import welcome as welcomes
from channels.people.profiles import photo_url
from channels.policy import PARTICIPANTS
from channels.questionnaires import answering
from channels.research import consent, usage
from channels.tasks import posting as task_posting
from server import keys
from server.api.files import read_form_with_file
from server.api.params import form_int, form_text, path_id, query_int
from server.auth import check_csrf, current_user, streams_its_body
from server.pages.rendering import (
    Menu,
    MenuItem,
    channel_rights,
    load_menu,
    me_json,
    render,
    see_other,
)
from server.realtime.emit import change_message, emit_new_line
from storage.records import Message, User

routes = web.RouteTableDef()


@routes.get("/")
async def home(request: web.Request) -> web.Response:
    user = await current_user(request)
    menu = await load_menu(request, user)
    # What the programme asks of the person now: each a card above the menu.
    asked = await satisfaction.list_mine(
        request.app[keys.STORE], user, open_only=True, clock=request.app[keys.CLOCK]
    )
    found = await answering.list_mine(
        request.app[keys.STORE], user, clock=request.app[keys.CLOCK], open_only=True
    )
    welcome = await welcomes.needs_welcome(request.app[keys.STORE], user)
    return render(
        request,
        "home.html",
        user=user,
        menu=menu,
        welcome=_welcome(menu) if welcome else None,
        # One card at a time at first login: the welcome, then the research question.
        ask_consent=not welcome and await consent.needs_asking(request.app[keys.STORE], user),
        min_cell=request.app[keys.CONFIG].report_min_cell,
        next_path="/",
        satisfaction_asked=asked,
        questionnaires=[m for m in found if m.state == "open"],
        page_data={"me": me_json(user)},
        current=None,
        here="/",
    )


def _welcome(menu: Menu) -> dict[str, MenuItem | None]:
    """What the first-login welcome points to: the person's pair channel and lounge."""
    items = [item for section in menu.sections for item in section.items]

    def first(*kinds: str) -> MenuItem | None:
        return next((item for item in items if item.channel.kind in kinds), None)

    return {"pair": first("pair"), "lounge": first("mentor_lounge", "mentee_lounge")}


@routes.post("/welcome")
async def welcome_read(request: web.Request) -> web.Response:
    """ "Got it" on the first-login welcome: it is not shown again."""
    user = await current_user(request)
    await welcomes.mark_seen(request.app[keys.STORE], user, clock=request.app[keys.CLOCK])
    return see_other("/")


@routes.post("/menu/opened")
async def menu_item_opened(request: web.Request) -> web.Response:
    """A click in the programme menu, told by the page (web/static/js/usage.js) as it follows
    the link: counted in the usage record, which item and never more.  An item the person's
    menu does not have is refused."""
    user = await current_user(request)
    item = form_text(await request.post(), "item")
    links = (await load_menu(request, user)).links
    if item not in {link.item for link in links}:
        raise Invalid(N_("That is not an item of your menu."))
    feature = f"menu.{item}"
    if feature in usage.FEATURES:  # a coordinator's own item ('admin') is not counted
        await usage.record_use(
            request.app[keys.STORE], user, feature, clock=request.app[keys.CLOCK]
        )
    return web.Response(status=204)


@routes.get("/menu")
async def menus(request: web.Request) -> web.Response:
    """Both menus alone, as the page at `here` shows them (with `current` the channel open
    there), for a page to swap in when a channel, the role's menu or the account changed."""
    user = await current_user(request)
    here = request.query.get("here", "/")
    if not here.startswith("/") or here.startswith("//"):
        raise Invalid(N_("'here' must be a path of this site, like /channels/4."))
    menu_id = request.query.get("menu_id", "home")
    if not menu_id.isalnum():
        raise Invalid(N_("'menu_id' must be letters and digits."))
    return render(
        request,
        "_menus.html",
        user=user,
        menu=await load_menu(request, user),
        current=query_int(request, "current"),
        here=here,
        menu_id=menu_id,
    )


@routes.get("/channels/{channel_id}")
async def channel_page(request: web.Request) -> web.Response:
    return await _render_channel(request, thread_id=None)


@routes.get("/channels/{channel_id}/threads/{message_id}")
async def thread_page(request: web.Request) -> web.Response:
    return await _render_channel(request, thread_id=path_id(request, "message_id"))


async def _render_channel(request: web.Request, *, thread_id: int | None) -> web.Response:
    user = await current_user(request)
    store = request.app[keys.STORE]
    channel = await directory.load_visible_channel(store, user, path_id(request, "channel_id"))
    menu = await load_menu(request, user)
    item = menu.item(channel.id)
    is_member = item.summary.is_member if item else False
    last_read_seq = item.summary.last_read_seq if item else 0
    # ?message=N (a search result): open at that message, and in its thread if it is a reply.
    target = await _target(request, channel.id)
    if target is not None and target.thread_id is not None and thread_id is None:
        thread_id = target.thread_id
    before_id = query_int(request, "before")
    page = await messages.load_history(
        store, user, {"channel_id": channel.id, "before_id": before_id}
    )
    if (
        target is not None
        and target.thread_id is None
        and before_id is None
        and all(m.id != target.id for m in page.messages)
    ):
        # Older than the latest page: the page of history that ends with it.
        before_id = target.id + 1
        page = await messages.load_history(
            store, user, {"channel_id": channel.id, "before_id": before_id}
        )
    first_unread = _first_unread(page.messages, last_read_seq, user)
    if before_id is None and target is None and page.more and first_unread is page.messages[0]:
        # Unread from the page's first message on, maybe before: load back to the first of
        # them (as far as one request may; beyond, the page moves the line as older ones load).
        page = await messages.load_history(
            store, user, {"channel_id": channel.id, "limit": messages.HISTORY_PAGE_MAX}
        )
        first_unread = _first_unread(page.messages, last_read_seq, user)
    thread: list[Message] = []
    if thread_id is not None:
        try:
            thread = (await messages.load_thread(store, user, {"message_id": thread_id})).messages
        except NotFound:
            thread = []
        if not thread or thread[0].channel_id != channel.id:  # one answer, wherever it is
            raise NotFound(messages.NO_THREAD)
    rights = channel_rights(user, channel, is_member=is_member)
    # The photos beside messages: of their authors, me and a pair's partner (the likely next).
    faces = {m.author_id for m in [*page.messages, *thread] if m.author_id is not None}
    faces |= {user.id} | ({item.partner.id} if item and item.partner else set())
    photos = {
        person: photo_url(person, version)
        for person, version in (await store.load_photo_versions(sorted(faces))).items()
    }
    page_data = {
        "me": me_json(user),
        "channel": {
            "id": channel.id,
            "kind": channel.kind,
            "name": channel.name,
            "read_only": channel.archived,
        },
        "rights": rights,
        "last_seq": page.last_seq,
        "last_read_seq": last_read_seq,
        "unread": item.summary.unread if item else 0,
        "at_latest": before_id is None,
        "more": page.more,
        "messages": [message_json(m) for m in page.messages],
        "thread": [message_json(m) for m in thread],
        "target_id": target.id if target else None,
        "files": {"max_bytes": request.app[keys.CONFIG].upload_limits().max_file_bytes},
        "max_body": messages.MAX_BODY,
        "photos": photos,
    }
    return render(
        request,
        "channel.html",
        user=user,
        menu=menu,
        current=channel.id,
        channel=channel,
        item=item,
        messages=page.messages,
        more=page.more,
        before_id=before_id,
        first_unread_id=first_unread.id if first_unread else None,
        unread=page_data["unread"],
        thread=thread,
        rights=rights,
        here=f"/channels/{channel.id}",
        client_id=str(uuid.uuid4()),
        target_id=target.id if target else None,
        page_data=page_data,
        photos=photos,
    )


def _first_unread(page: list[Message], last_read_seq: int, user: User) -> Message | None:
    """The first message the channel's list shows (a deleted one only for its replies) that
    someone else wrote after the read position: the "New messages" line goes above it."""
    return next(
        (
            m
            for m in page
            if (m.deleted_at is None or m.reply_count > 0)
            and m.created_seq > last_read_seq
            and m.author_id != user.id
        ),
        None,
    )


@routes.post("/channels/{channel_id}/messages")
@streams_its_body
async def post_from_form(request: web.Request) -> web.Response:
    """The composer without JavaScript: an ordinary form post, with a file if one was chosen
    (a multipart form, read part by part as an upload is), then back to the channel."""
    user = await current_user(request)
    channel_id = path_id(request, "channel_id")
    form: Any
    if request.content_type == "multipart/form-data":
        form, upload = await read_form_with_file(request, user)
    else:
        form, upload = await request.post(), None
        check_csrf(request, form.get("csrf_token"))
    thread_id = form_int(form, "thread_id")
    payload = {
        "channel_id": channel_id,
        "body": form_text(form, "body"),
        "client_id": form_text(form, "client_id") or None,
        "thread_id": thread_id,
        "attachments": [upload.public_id] if upload else None,
    }
    result = await change_message(request.app, messages.post_message, user, payload)
    where = f"/channels/{channel_id}" + (f"/threads/{thread_id}" if thread_id else "")
    return see_other(f"{where}#m-{result.message.id}")


@routes.post("/channels/{channel_id}/tasks/{message_id}")
async def complete_from_form(request: web.Request) -> web.Response:
    """A task's "Mark as done" / "undo" button without JavaScript (`done` = yes or no)."""
    user = await current_user(request)
    channel_id = path_id(request, "channel_id")
    message_id = path_id(request, "message_id")
    form = await request.post()
    done = {"yes": True, "no": False}.get(form_text(form, "done"))
    if done is None:
        raise Invalid(N_("Please use the task's button: 'done' must be yes or no."))
    message = await _load_message_in(request, user, channel_id, message_id)
    payload = {"message_id": message.id, "done": done}
    await change_message(request.app, task_posting.complete_task, user, payload)
    return see_other(f"/channels/{channel_id}#m-{message.id}")


async def _target(request: web.Request, channel_id: int) -> Message | None:
    """The message `?message=` names, if it is a live message of this (readable) channel;
    otherwise none, as if it were not asked for: the answer tells nothing about other channels."""
    message_id = query_int(request, "message")
    if message_id is None:
        return None
    message = await request.app[keys.STORE].load_message(message_id)
    if message is None or message.channel_id != channel_id or message.deleted_at is not None:
        return None
    return message


async def _load_message_in(
    request: web.Request, user: User, channel_id: int, message_id: int
) -> Message:
    """The message, if it is in that (readable) channel; otherwise not found."""
    store = request.app[keys.STORE]
    await directory.load_visible_channel(store, user, channel_id)
    message = await store.load_message(message_id)
    if message is None or message.channel_id != channel_id:
        raise NotFound(N_("That task is not in this channel."))
    return message


@routes.get("/coordinators")
async def coordinator_line_page(request: web.Request) -> web.Response:
    """A participant's way to the coordinators: their line if they have used it, else a page
    that says what it is and opens it."""
    user = await current_user(request)
    line = await lines.load_line(request.app[keys.STORE], user)
    if line is not None:
        return see_other(f"/channels/{line.id}")
    if user.role not in PARTICIPANTS:
        return see_other("/")
    menu = await load_menu(request, user)
    return render(request, "coordinators.html", user=user, menu=menu, here="/coordinators")


@routes.post("/coordinators")
async def open_coordinator_line(request: web.Request) -> web.Response:
    user = await current_user(request)
    form = await request.post()
    owner_id = form_int(form, "user_id", N_("The person"))
    opened = await lines.open_line(
        request.app[keys.STORE], user, owner_id, clock=request.app[keys.CLOCK]
    )
    await emit_new_line(request.app, opened)
    return see_other(f"/channels/{opened.channel.id}")
