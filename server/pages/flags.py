"""Reporting a message in the browser: the confirmation that shows exactly what will be shared
(works without JavaScript; a message's Report action opens it), and the coordinators' list of
reported messages with what they can do about each."""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web

from channels.languages import N_
from channels.programme import flags
from server import keys
from server.api.flags import report_and_tell
from server.api.params import form_text, path_id
from server.auth import current_coordinator, current_user
from server.pages.admin.programme import back, page
from server.pages.rendering import load_menu, reader_gettext, render, run_form, see_other
from storage.records import User

routes = web.RouteTableDef()

# The coordinators' list: each status and role as a word (translated where shown).
STATUS_NAMES = {"new": N_("New"), "handled": N_("Handled")}
ROLE_NAMES = {"mentor": N_("Mentor"), "mentee": N_("Mentee"), "coordinator": N_("Coordinator")}


def where_written(_: Callable[[str], str]) -> Callable[[str, str], str]:
    """Where a reported message was written, in the reader's words (`_` translates): "the
    pair channel Maria Jensen & Sara Nielsen", "the Mentor lounge" (flags.describe_channel)."""

    def describe(kind: str, name: str) -> str:
        if kind == "pair":
            return _("the pair channel %(name)s") % {"name": name}
        if kind == "community":
            return _("the community %(name)s") % {"name": name}
        if kind == "coordinator_line":
            return _("%(name)s's line to the coordinators") % {"name": name}
        if kind.endswith("lounge"):
            return _("the %(lounge)s") % {"lounge": _(name)}
        return name

    return describe


async def _confirmation(
    request: web.Request,
    user: User,
    message_id: int,
    *,
    error: str | None = None,
    note: str = "",
) -> web.Response:
    """Reads and shows; stores and shares nothing."""
    found = await flags.check_reportable(request.app[keys.STORE], user, message_id)
    return render(
        request,
        "flag.html",
        user=user,
        menu=await load_menu(request, user),
        current=found.channel.id,
        here=f"/messages/{message_id}/report",
        found=found,
        back=f"/channels/{found.channel.id}?message={found.message.id}",
        error=error,
        note=note,
    )


@routes.get("/messages/{message_id}/report")
async def confirm(request: web.Request) -> web.Response:
    return await _confirmation(request, await current_user(request), path_id(request, "message_id"))


@routes.post("/messages/{message_id}/report")
async def report(request: web.Request) -> web.Response:
    """The confirmation's button (`confirmed` = yes) with the note; then to the report in the
    person's coordinator line."""
    user = await current_user(request)
    message_id = path_id(request, "message_id")
    form = await request.post()
    note = form_text(form, "note")
    reported = await run_form(
        lambda: report_and_tell(
            request,
            message_id,
            {"note": note, "confirmed": form_text(form, "confirmed") == "yes"},
        ),
        lambda error: _confirmation(request, user, message_id, error=error.message, note=note),
    )
    flag = reported.flag
    return see_other(f"/channels/{flag.line_channel_id}#m-{flag.line_message_id}")


@routes.get("/admin/reported")
async def list_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    status = request.query.get("status") or None
    found = await flags.list_flags(request.app[keys.STORE], user, status=status)
    return page(
        request,
        "flags.html",
        user,
        flags=found,
        shown=status,
        statuses=flags.STATUSES,
        status_names=STATUS_NAMES,
        role_names=ROLE_NAMES,
        describe=where_written(reader_gettext(request, user)),
    )


@routes.post("/admin/reported/{flag_id}")
async def set_status(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    posted = await request.post()
    flag_id = path_id(request, "flag_id")
    await flags.set_status(
        request.app[keys.STORE],
        user,
        flag_id,
        {"status": form_text(posted, "status")},
        clock=request.app[keys.CLOCK],
    )
    raise back("/admin/reported", "updated")
