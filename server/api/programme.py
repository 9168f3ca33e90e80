"""The coordinators' JSON API under /api/v1: accounts, import, matching, communities, menus,
announcements, the audit log and the mail queue.  Every route refuses anyone who is not a
coordinator with `forbidden` before it looks at the request any further."""

from __future__ import annotations

from aiohttp import web

from channels.chat.wire import channel_json, message_json
from channels.errors import Invalid, TooLarge
from channels.languages import N_
from channels.people import import_files, importing, invitations, users
from channels.programme import announcements, communities, matching, menu
from channels.programme.audit import export_audit_csv, list_audit
from channels.programme.matching import PairOverview
from channels.programme.wire import (
    account_json,
    audit_json,
    import_plan_json,
    mail_json,
    menu_item_json,
    pair_overview_json,
    suggestion_json,
)
from server import keys
from server.api.params import path_id, query_int, read_json
from server.auth import current_coordinator
from server.errors import error_json, said_to
from server.realtime import emit as admin_events
from server.realtime.emit import emit_changes
from server.runners.mailer import link_settings
from storage.records import PairActivity

routes = web.RouteTableDef()

MAX_CSV = 2 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
IMPORT_TYPES = ("text/csv", XLSX_TYPE)
MAIL_PAGE = 200


def _flag(request: web.Request, name: str) -> bool:
    return request.query.get(name, "0").lower() in ("1", "true", "yes")


# accounts


@routes.get("/api/v1/users")
async def list_users(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await users.list_users(request.app[keys.STORE], user, role=request.query.get("role"))
    return web.json_response({"users": [account_json(u) for u in found]})


@routes.post("/api/v1/users")
async def create_user(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    created = await users.create_user(
        request.app[keys.STORE],
        user,
        await read_json(request),
        links=link_settings(request.app[keys.CONFIG]),
        clock=request.app[keys.CLOCK],
    )
    admin_events.poke_mailer(request.app)
    return web.json_response({"user": account_json(created)}, status=201)


@routes.get("/api/v1/users/{user_id}")
async def get_user(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await users.load_user(request.app[keys.STORE], user, path_id(request, "user_id"))
    return web.json_response({"user": account_json(found)})


@routes.patch("/api/v1/users/{user_id}")
async def update_user(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    change = await users.update_user(
        request.app[keys.STORE],
        user,
        path_id(request, "user_id"),
        await read_json(request),
        links=link_settings(request.app[keys.CONFIG]),
        clock=request.app[keys.CLOCK],
    )
    await emit_changes(request.app, change.rerendered)
    if change.after.email != change.before.email:
        admin_events.poke_mailer(request.app)  # the invitation to the new address
    if change.disabled_now:
        await admin_events.end_sessions(request.app, change.after.id)
    elif change.role_changed:
        await admin_events.emit_account(
            request.app, change.after.id, {"user": account_json(change.after)}
        )
        await admin_events.cut_for_new_role(request.app, change.after.id)
    return web.json_response({"user": account_json(change.after)})


@routes.post("/api/v1/users/{user_id}/invitation")
async def resend_invitation(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    target = await invitations.resend_invitation(
        request.app[keys.STORE],
        user,
        path_id(request, "user_id"),
        links=link_settings(request.app[keys.CONFIG]),
        clock=request.app[keys.CLOCK],
    )
    admin_events.poke_mailer(request.app)
    return web.json_response({"user": account_json(target)}, status=201)


@routes.post("/api/v1/users/import")
async def import_users(request: web.Request) -> web.Response:
    """A CSV body (text/csv) or an Excel workbook (XLSX_TYPE); ?dry_run=1 only checks it."""
    user = await current_coordinator(request)
    if request.content_type not in IMPORT_TYPES:
        raise Invalid(
            N_(
                "Send the file as the request body with Content-Type: text/csv, or %(xlsx_type)s for an Excel workbook."
            ),
            xlsx_type=XLSX_TYPE,
        )
    if request.content_length is not None and request.content_length > MAX_CSV:
        raise TooLarge(N_("The file is too large: at most 2 MB."))
    people_file = await import_files.read_people_file(await request.read())
    text = people_file.text
    store = request.app[keys.STORE]
    if _flag(request, "dry_run"):
        plan = await importing.check_import(store, user, text)
        return web.json_response(
            {"dry_run": True, "format": people_file.format, **import_plan_json(plan)}
        )
    try:
        plan, created = await importing.import_users(
            store,
            user,
            text,
            links=link_settings(request.app[keys.CONFIG]),
            clock=request.app[keys.CLOCK],
        )
    except importing.ImportRejected as rejected:
        said = said_to(request.app, user, rejected)
        body = {**error_json(said), **import_plan_json(rejected.plan)}
        return web.json_response(body, status=rejected.status)
    admin_events.poke_mailer(request.app)
    return web.json_response(
        {
            "dry_run": False,
            "format": people_file.format,
            **import_plan_json(plan),
            "created": [account_json(u) for u in created],
        },
        status=201 if created else 200,
    )


# matching


@routes.get("/api/v1/users/{user_id}/mentor-suggestions")
async def mentor_suggestions(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    found = await matching.suggest_mentors(
        request.app[keys.STORE], user, path_id(request, "user_id")
    )
    return web.json_response({"suggestions": [suggestion_json(s) for s in found]})


@routes.get("/api/v1/pairs")
async def list_pairs(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    overviews = await matching.list_pairs(
        request.app[keys.STORE],
        user,
        active_only=_flag(request, "active"),
        clock=request.app[keys.CLOCK],
    )
    return web.json_response({"pairs": [pair_overview_json(o) for o in overviews]})


@routes.post("/api/v1/pairs")
async def create_pair(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    store = request.app[keys.STORE]
    new = await matching.pair_users(
        store, user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    await admin_events.emit_pair_channel(request.app, new.pair, new.channel)
    people = await store.load_users([new.pair.mentor_id, new.pair.mentee_id])
    overview = PairOverview(
        new.pair,
        people[new.pair.mentor_id],
        people[new.pair.mentee_id],
        PairActivity(new.pair.id, 0, (0,) * matching.ACTIVITY_WEEKS, None),
    )
    return web.json_response(
        {"pair": pair_overview_json(overview), "channel": channel_json(new.channel)}, status=201
    )


@routes.delete("/api/v1/pairs/{pair_id}")
async def end_pair(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    ended = await matching.end_pair(
        request.app[keys.STORE], user, path_id(request, "pair_id"), clock=request.app[keys.CLOCK]
    )
    await emit_changes(request.app, [ended.notice])
    await admin_events.emit_pair_channel(request.app, ended.pair, ended.channel)
    await admin_events.emit_satisfaction_asked(request.app, ended.satisfaction_id)
    return web.json_response(
        {
            "pair": {"id": ended.pair.id, "ended_at": ended.pair.ended_at, "active": False},
            "channel": channel_json(ended.channel),
        }
    )


# communities


@routes.post("/api/v1/communities")
async def create_community(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    channel = await communities.create_community(
        request.app[keys.STORE], user, await read_json(request), clock=request.app[keys.CLOCK]
    )
    return web.json_response({"community": channel_json(channel)}, status=201)


@routes.patch("/api/v1/communities/{channel_id}")
async def update_community(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    channel = await communities.update_community(
        request.app[keys.STORE],
        user,
        path_id(request, "channel_id"),
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    await admin_events.emit_channel_changed(request.app, channel)
    return web.json_response({"community": channel_json(channel)})


# menus


@routes.get("/api/v1/menus/{role}")
async def get_menu(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    items = await menu.load_menu_for_editing(
        request.app[keys.STORE], user, request.match_info["role"]
    )
    return web.json_response(
        {"role": request.match_info["role"], "items": [menu_item_json(i) for i in items]}
    )


@routes.put("/api/v1/menus/{role}")
async def set_menu(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    role = request.match_info["role"]
    items = await menu.set_menu(
        request.app[keys.STORE],
        user,
        role,
        await read_json(request),
        clock=request.app[keys.CLOCK],
    )
    await admin_events.emit_menu(request.app, role, items)
    return web.json_response({"role": role, "items": [menu_item_json(i) for i in items]})


# announcements


@routes.post("/api/v1/announcements")
async def post_announcement(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    result, queued = await announcements.post_announcement(
        request.app[keys.STORE],
        user,
        await read_json(request),
        mail=link_settings(request.app[keys.CONFIG]).mail,
        clock=request.app[keys.CLOCK],
    )
    await emit_changes(request.app, result.changes)
    if queued:
        admin_events.poke_mailer(request.app)
    return web.json_response(
        {"message": message_json(result.message), "emails_queued": queued},
        status=201 if result.created else 200,
    )


# the audit log and the mail queue


@routes.get("/api/v1/audit")
async def audit(request: web.Request) -> web.Response:
    """The audit log, newest first; ?format=csv for all of it as a spreadsheet file."""
    user = await current_coordinator(request)
    store = request.app[keys.STORE]
    if request.query.get("format") == "csv":
        day = request.app[keys.CLOCK].now().strftime("%Y-%m-%d")
        return web.Response(
            text=await export_audit_csv(store, user),
            content_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="mentorspace-audit-{day}.csv"'},
        )
    entries = await list_audit(store, user, before_id=query_int(request, "before_id"))
    return web.json_response({"entries": [audit_json(e) for e in entries]})


@routes.get("/api/v1/mail")
async def mail_queue(request: web.Request) -> web.Response:
    """Outgoing mail: counts, and the latest mails with their state and last error."""
    await current_coordinator(request)
    store = request.app[keys.STORE]
    mails = await store.list_mail(limit=MAIL_PAGE, unsent_only=_flag(request, "unsent"))
    return web.json_response(
        {"counts": await store.count_mail(), "mails": [mail_json(m) for m in mails]}
    )
