"""The coordinator area in the browser: server-rendered pages with plain forms (each carries
the session's CSRF token), calling the same domain functions as the JSON API.

A form that fails shows the page again with the reason and changes nothing; one that works
redirects back with a short notice, so reloading never repeats an action.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

from channels.errors import Invalid
from channels.goals import goals, satisfaction
from channels.languages import N_
from channels.people import invitations, users
from channels.policy import ROLES
from channels.programme import communities, glance, matching, menu
from channels.programme.announcements import post_announcement
from channels.programme.audit import list_audit, summary_of
from channels.words import Words
from server import keys
from server.api.params import form_int, path_id, query_int
from server.auth import csrf_token, current_coordinator
from server.pages.rendering import reader_gettext, render, run_form
from server.realtime import emit as admin_events
from server.realtime.emit import emit_changes
from server.runners.mailer import link_settings
from storage.records import User

routes = web.RouteTableDef()

NOTICES = {  # shown translated, in the reader's language (page)
    "created-mentor": N_("The mentor account was created and the invitation is on its way."),
    "created-mentee": N_("The mentee account was created and the invitation is on its way."),
    "created-coordinator": N_(
        "The coordinator account was created and the invitation is on its way."
    ),
    "updated": N_("Saved."),
    "invited": N_("A new invitation is on its way; the earlier link no longer works."),
    "email": N_("The address is corrected and a new invitation is on its way to it."),
    "imported": N_("The file was imported and the invitations are on their way."),
    "paired": N_("They are paired: their private channel is ready."),
    "ended": N_(
        "The pair has ended: their channel is read-only now, and both are asked how it went."
        " You can reopen it from this page for a week."
    ),
    "reopened": N_("The pair is open again: they can write to each other in their channel."),
    "asked": N_(
        "Both are asked how their mentoring is going; their answers show under Satisfaction."
    ),
    "community": N_("The community is saved."),
    "menu": N_("The menu is saved and shown at once."),
    "announced": N_("The announcement is posted."),
    "saved": N_("The task is saved. Post it now or schedule it below."),
    "posted": N_("The task is posted: the pairs see it in their channel now."),
    "scheduled": N_("The task is scheduled; it will be posted at that time."),
    "task-edited": N_("The task is changed. Tasks already posted keep the words they had."),
    "task-deleted": N_(
        "The task is deleted and its schedules stopped. Posted tasks stay with the pairs."
    ),
    "schedule-changed": N_("The schedule is changed, from now on. What was posted stays."),
    "paused": N_("The schedule is paused: nothing is posted until you resume it."),
    "resumed": N_(
        "The schedule goes on from now. What fell due while it was paused is not posted."
    ),
    "cancelled": N_("The schedule is cancelled. Tasks already posted stay with the pairs."),
}


def page(request: web.Request, template: str, user: User, **context: Any):
    """A page of the coordinator area (`admin/layout.html`), with the notice `?notice=` names,
    in the coordinator's language (an error is said in it by `render`)."""
    notice = NOTICES.get(request.query.get("notice", ""))
    defaults = {
        "error": None,
        "form": None,
        "checked": False,
        "notice": reader_gettext(request, user)(notice) if notice else None,
    }
    return render(
        request,
        f"admin/{template}",
        me=user,
        user=user,
        csrf_token=csrf_token(request),
        roles=ROLES,
        **{**defaults, **context},
    )


def back(path: str, notice: str) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"{path}?notice={notice}")


@routes.get("/admin")
async def home(request: web.Request) -> web.Response:
    """The programme at a glance: counts only, each linked to the page that acts on it."""
    user = await current_coordinator(request)
    found = await glance.load_glance(request.app[keys.STORE], user, clock=request.app[keys.CLOCK])
    return page(
        request,
        "home.html",
        user,
        glance=found,
        quiet_days=glance.QUIET_DAYS,
        due_days=glance.DUE_SOON_DAYS,
    )


# people


async def _users_page(request: web.Request, user: User, **context: Any):
    role = request.query.get("role") or None
    people = await users.list_users(request.app[keys.STORE], user, role=role)
    return page(request, "users.html", user, people=people, role=role, **context)


@routes.get("/admin/users")
async def users_page(request: web.Request) -> web.Response:
    return await _users_page(request, await current_coordinator(request))


@routes.post("/admin/users")
async def create_user(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    if not form.get("role"):  # no role is chosen for them: the form starts without one
        refused = await _users_page(request, user, error=CHOOSE_A_ROLE, form=form)
        refused.set_status(400)
        return refused
    if _needs_confirming(form):
        return _confirm_coordinator(request, user, form, str(form.get("name", "")).strip())
    created = await run_form(
        lambda: users.create_user(
            request.app[keys.STORE],
            user,
            {k: form.get(k) for k in ("email", "name", "role", "expertise")},
            links=link_settings(request.app[keys.CONFIG]),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _users_page(request, user, error=error.message, form=form),
    )
    admin_events.poke_mailer(request.app)
    raise back("/admin/users", f"created-{created.role}")


# Shown as the form's error, in the reader's language (rendering.render says it).
CHOOSE_A_ROLE = Words(N_("Choose a role for them: mentee, mentor or coordinator."))


def _needs_confirming(form: Any) -> bool:
    """Making someone a coordinator (a new account, or a role change) is asked twice."""
    return form.get("role") == "coordinator" and form.get("confirmed") != "yes"


def _confirm_coordinator(request: web.Request, user: User, form: Any, name: str):
    """The page that says what a coordinator can do, and posts the same form again."""
    fields = {k: v for k, v in form.items() if k not in ("csrf_token", "confirmed")}
    return page(
        request,
        "confirm_coordinator.html",
        user,
        action=request.path,
        fields=fields,
        name=name or reader_gettext(request, user)(N_("this person")),
    )


@routes.post("/admin/users/{user_id}")
async def update_user(request: web.Request) -> web.Response:
    """One change per form: a new role, disable, enable, resend the invitation, or correct the
    e-mail address of someone who has not activated their account yet."""
    user = await current_coordinator(request)
    form = await request.post()
    user_id = path_id(request, "user_id")
    store = request.app[keys.STORE]
    action = form.get("action")

    if action == "role" and _needs_confirming(form):
        person = await store.load_user(user_id)
        if person is not None and person.role != "coordinator":
            return _confirm_coordinator(request, user, form, person.name)

    async def apply() -> users.AccountChange | None:
        if action == "invite":
            await invitations.resend_invitation(
                store,
                user,
                user_id,
                links=link_settings(request.app[keys.CONFIG]),
                clock=request.app[keys.CLOCK],
            )
            return None
        changes: dict[str, Any] = {
            "role": {"role": form.get("role")},
            "disable": {"disabled": True},
            "enable": {"disabled": False},
            "email": {"email": form.get("email")},
        }.get(str(action), {})
        if not changes:
            raise Invalid(N_("Unknown action."))
        return await users.update_user(
            store,
            user,
            user_id,
            changes,
            links=link_settings(request.app[keys.CONFIG]),
            clock=request.app[keys.CLOCK],
        )

    change = await run_form(apply, lambda error: _users_page(request, user, error=error.message))
    if change is None:
        admin_events.poke_mailer(request.app)
        raise back("/admin/users", "invited")
    if change.after.email != change.before.email:
        admin_events.poke_mailer(request.app)
        raise back("/admin/users", "email")
    if change.disabled_now:
        await admin_events.end_sessions(request.app, user_id)
    elif change.role_changed:
        await admin_events.emit_account(request.app, user_id, {"role": change.after.role})
        await admin_events.cut_for_new_role(request.app, user_id)
    raise back("/admin/users", "updated")


# pairs


async def show_pairs(request: web.Request, user: User, **context: Any):
    """The pairs page (with `error` and the like, when a form on it was refused)."""
    store = request.app[keys.STORE]
    overviews = await matching.list_pairs(store, user, clock=request.app[keys.CLOCK])
    # Goals as numbers only, and where each pair's latest satisfaction form stands.
    goal_counts = {c.pair_id: c for c in await goals.count_goals(store, user)}
    asked = satisfaction.latest_by_pair(await satisfaction.list_requests(store, user))
    mentee_id = query_int(request, "mentee_id")
    suggestions = (
        await matching.suggest_mentors(store, user, mentee_id) if mentee_id is not None else None
    )
    paired = {o.mentee.id for o in overviews if o.pair.ended_at is None}
    quiet_only = request.query.get("show") == "quiet"
    if quiet_only:
        quiet = await glance.list_quiet_pair_ids(store, user, clock=request.app[keys.CLOCK])
        overviews = [o for o in overviews if o.pair.id in quiet]
    mentees = [u for u in await store.list_users("mentee") if not u.disabled]
    return page(
        request,
        "pairs.html",
        user,
        pairs=overviews,
        quiet_only=quiet_only,
        quiet_days=glance.QUIET_DAYS,
        suggestions=suggestions,
        mentee_id=mentee_id,
        mentees=mentees,
        paired=paired,
        goal_counts=goal_counts,
        asked=asked,
        is_open=satisfaction.is_open,
        can_reopen=matching.can_reopen,
        **context,
    )


@routes.get("/admin/pairs")
async def pairs_page(request: web.Request) -> web.Response:
    return await show_pairs(request, await current_coordinator(request))


@routes.post("/admin/pairs")
async def create_pair(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    new = await run_form(
        lambda: matching.pair_users(
            request.app[keys.STORE],
            user,
            {"mentor_id": form_int(form, "mentor_id"), "mentee_id": form_int(form, "mentee_id")},
            clock=request.app[keys.CLOCK],
        ),
        lambda error: show_pairs(request, user, error=error.message),
    )
    await admin_events.emit_pair_channel(request.app, new.pair, new.channel)
    raise back("/admin/pairs", "paired")


@routes.post("/admin/pairs/{pair_id}/end")
async def end_pair(request: web.Request) -> web.Response:
    """Asked first: a page that says what ending does, whose button posts again, confirmed."""
    user = await current_coordinator(request)
    form = await request.post()
    if form.get("confirmed") != "yes":
        pair = await request.app[keys.STORE].load_pair(path_id(request, "pair_id"))
        if pair is not None and pair.ended_at is None:
            people = await request.app[keys.STORE].load_users([pair.mentor_id, pair.mentee_id])
            return page(
                request,
                "confirm_end_pair.html",
                user,
                pair=pair,
                mentor=people[pair.mentor_id],
                mentee=people[pair.mentee_id],
            )
    ended = await run_form(
        lambda: matching.end_pair(
            request.app[keys.STORE],
            user,
            path_id(request, "pair_id"),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: show_pairs(request, user, error=error.message),
    )
    await emit_changes(request.app, [ended.notice])
    await admin_events.emit_pair_channel(request.app, ended.pair, ended.channel)
    await admin_events.emit_satisfaction_asked(request.app, ended.satisfaction_id)
    raise back("/admin/pairs", "ended")


@routes.post("/admin/pairs/{pair_id}/reopen")
async def reopen_pair(request: web.Request) -> web.Response:
    """Undo an ending, for a while: the channel takes messages again, live."""
    user = await current_coordinator(request)
    reopened = await run_form(
        lambda: matching.reopen_pair(
            request.app[keys.STORE],
            user,
            path_id(request, "pair_id"),
            clock=request.app[keys.CLOCK],
        ),
        lambda error: show_pairs(request, user, error=error.message),
    )
    await emit_changes(request.app, [reopened.notice])
    await admin_events.emit_pair_channel(request.app, reopened.pair, reopened.channel)
    raise back("/admin/pairs", "reopened")


# communities


async def _communities_page(request: web.Request, user: User, **context):
    found = await communities.list_communities(request.app[keys.STORE], user)
    return page(request, "communities.html", user, communities=found, **context)


@routes.get("/admin/communities")
async def communities_page(request: web.Request) -> web.Response:
    return await _communities_page(request, await current_coordinator(request))


@routes.post("/admin/communities")
async def create_community(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    await run_form(
        lambda: communities.create_community(
            request.app[keys.STORE],
            user,
            {"name": form.get("name"), "topic": form.get("topic")},
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _communities_page(request, user, error=error.message),
    )
    raise back("/admin/communities", "community")


@routes.post("/admin/communities/{channel_id}")
async def update_community(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    changes: dict[str, Any] = {}
    if form.get("action") == "archive":
        changes["archived"] = True
    elif form.get("action") == "reopen":
        changes["archived"] = False
    else:
        changes = {"name": form.get("name"), "topic": form.get("topic", "")}
    channel = await run_form(
        lambda: communities.update_community(
            request.app[keys.STORE],
            user,
            path_id(request, "channel_id"),
            changes,
            clock=request.app[keys.CLOCK],
        ),
        lambda error: _communities_page(request, user, error=error.message),
    )
    await admin_events.emit_channel_changed(request.app, channel)
    raise back("/admin/communities", "community")


# menus


@routes.get("/admin/menu/{role}")
async def menu_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    role = request.match_info["role"]
    items = await menu.load_menu_for_editing(request.app[keys.STORE], user, role)
    return page(request, "menu.html", user, items=items, menu_role=role)


def _menu_from_form(form) -> dict[str, Any]:
    rows = []
    for index in range(menu.MAX_ITEMS + 1):
        item = form.get(f"item_{index}")
        if item is None:
            continue
        label, url = form.get(f"label_{index}", ""), form.get(f"url_{index}", "")
        if item == menu.LINK and not label and not url:
            continue  # the empty "add a link" row
        position = form_int(form, f"position_{index}", N_("Position"))
        if position is None:
            position = index + 1
        row: dict[str, Any] = {
            "item": item,
            "label": label,
            "visible": bool(form.get(f"visible_{index}")),
        }
        if item == menu.LINK:
            row["url"] = url
        rows.append((position, index, row))
    return {"items": [row for _, _, row in sorted(rows, key=lambda r: r[:2])]}


@routes.post("/admin/menu/{role}")
async def save_menu(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    role = request.match_info["role"]
    form = await request.post()
    store = request.app[keys.STORE]

    async def show_again(error):
        items = await menu.load_menu_for_editing(store, user, role)
        return page(request, "menu.html", user, items=items, menu_role=role, error=error.message)

    items = await run_form(
        lambda: menu.set_menu(
            store, user, role, _menu_from_form(form), clock=request.app[keys.CLOCK]
        ),
        show_again,
    )
    await admin_events.emit_menu(request.app, role, items)
    raise back(f"/admin/menu/{role}", "menu")


# announcements, audit, mail


@routes.get("/admin/announce")
async def announce_page(request: web.Request) -> web.Response:
    return page(
        request, "announce.html", await current_coordinator(request), client_id=uuid.uuid4()
    )


@routes.post("/admin/announce")
async def announce(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    form = await request.post()
    result, queued = await run_form(
        lambda: post_announcement(
            request.app[keys.STORE],
            user,
            {
                "body": form.get("body"),
                "client_id": form.get("client_id") or None,
                "email": bool(form.get("email")),
            },
            mail=link_settings(request.app[keys.CONFIG]).mail,
            clock=request.app[keys.CLOCK],
        ),
        lambda error: page(
            request,
            "announce.html",
            user,
            error=error.message,
            form=form,
            client_id=form.get("client_id") or uuid.uuid4(),
        ),
    )
    await emit_changes(request.app, result.changes)
    if queued:
        admin_events.poke_mailer(request.app)
    raise back("/admin/announce", "announced")


@routes.get("/admin/audit")
async def audit_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)
    before = query_int(request, "before_id")
    entries = await list_audit(request.app[keys.STORE], user, before_id=before)
    summaries = [summary_of(entry) for entry in entries]  # said in her language by the page
    return page(request, "audit.html", user, entries=list(zip(entries, summaries, strict=True)))


MAIL_SHOWN = 200


@routes.get("/admin/mail")
async def mail_page(request: web.Request) -> web.Response:
    """The outbox, newest first: all of it, or (`?show=failed`, where the home page's figure
    links) only the mail given up on.  Recipients, subjects and states: no mail's text."""
    user = await current_coordinator(request)
    store = request.app[keys.STORE]
    shown = request.query.get("show", "")
    if shown not in ("", "failed"):
        raise Invalid(N_("Show all mail, or show=failed for the mail that could not be sent."))
    failed_only = shown == "failed"
    return page(
        request,
        "mail.html",
        user,
        failed_only=failed_only,
        counts=await store.count_mail(),
        mails=await store.list_mail(limit=MAIL_SHOWN, failed_only=failed_only),
    )
