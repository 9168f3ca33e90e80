"""A task's schedules in the coordinator area: when and to whom, read from a form; one schedule's
page to change it, pause or resume it, and cancel it (asked first, with how many pairs it
reaches).

The rules are the domain's (`channels.tasks.planning` and `rules`), exactly as the JSON API
calls them; this module only turns the form into the domain's payload and back.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiohttp import web

from channels.dates import Calendar
from channels.errors import Invalid
from channels.languages import N_
from channels.readers import Reader
from channels.tasks import planning as tasks
from channels.tasks.rules import WEEKDAYS, Settings, rule_of, target_json, target_of
from channels.words import Words
from server import keys
from server.api.params import form_int, form_text, path_id
from server.auth import current_coordinator
from server.pages.admin.programme import back, page
from server.pages.admin.targets import pair_choices, target_payload
from server.pages.rendering import run_form
from storage.records import TaskSchedule, User

routes = web.RouteTableDef()

WHOM_UNCHOSEN = N_(
    "Choose which pairs get it: all, chosen pairs, or the pairs that started between two dates."
)
LIVE = ("active", "paused")


def reader_of(user: User, settings: Settings) -> Reader:
    """Whom a page composed here is written for: the coordinator's own language, in the
    programme's zone."""
    return Reader.of(user.language, settings.calendar)


def schedule_words(schedule: TaskSchedule, reader: Reader) -> str:
    """A schedule as a coordinator would say it, in the reader's language and calendar: when,
    to whom, and its state."""
    _, ngettext, calendar = reader.gettext, reader.ngettext, reader.calendar
    rule = rule_of(schedule)
    if rule.kind in ("now", "at"):
        assert rule.at is not None
        at = calendar.moment(rule.at)
        when = _("Posted at once on %(when)s") if rule.kind == "now" else _("Once, on %(when)s")
        when %= {"when": at}
    elif rule.kind == "pair_day":
        assert rule.time_of_day is not None
        when = _("On day %(day)s of each pairing at %(time)s") % {
            "day": rule.pair_day,
            "time": calendar.clock(rule.time_of_day),
        }
    else:
        assert rule.weekday is not None and rule.time_of_day is not None
        assert rule.until is not None
        when = _("Every %(weekday)s at %(time)s until %(day)s") % {
            "weekday": calendar.weekday(rule.weekday),
            "time": calendar.clock(rule.time_of_day),
            "day": calendar.day(rule.until),
        }
    target = target_of(schedule)
    if target.kind == "pairs":
        count = len(target.pair_ids)
        whom = ngettext("to %(num)s chosen pair", "to %(num)s chosen pairs", count)
        whom %= {"num": count}
    elif target.kind == "started_between":
        assert target.started_from is not None and target.started_until is not None
        whom = _("to the pairs that started from %(first)s to %(last)s") % {
            "first": calendar.day(target.started_from),
            "last": calendar.day(target.started_until - timedelta(seconds=1)),
        }
    else:
        whom = _("to all active pairs")
    if schedule.state == "paused":
        sentence = _("%(when)s, %(whom)s (paused).")
    elif schedule.state == "cancelled":
        sentence = _("%(when)s, %(whom)s (cancelled).")
    else:
        sentence = _("%(when)s, %(whom)s.")
    return sentence % {"when": when, "whom": whom}


def weekday_choices(calendar: Calendar) -> list[tuple[str, str]]:
    """The days a weekly schedule may fall on: each day's value in the form, and its name in
    the reader's language (Babel's, as a list shows it: 'Monday', 'Mandag')."""
    choices = []
    for number, day in enumerate(WEEKDAYS):
        name = calendar.weekday(number, standalone=True)
        choices.append((day, name[:1].upper() + name[1:]))
    return choices


def is_live(schedule: TaskSchedule) -> bool:
    """Still to post, so it may be changed, paused or cancelled."""
    return schedule.state in LIVE and schedule.kind != "now"


# the form, both ways


def _filled(form: Any, name: str, what: str) -> str:
    value = form_text(form, name).strip()
    if not value:
        raise Invalid(N_("Please fill in %(what)s."), what=Words(what))
    return value


def rule_payload(form: Any, *, allow_now: bool) -> dict[str, Any]:
    """The `when` radio and its fields as the domain's rule; {} for "now"."""
    when = form_text(form, "when")
    if when == "now" and allow_now:
        return {}
    if when == "at":
        return {"at": _filled(form, "at", N_("the date and time to post it"))}
    if when == "pair_day":
        _filled(form, "pair_day", N_("the day of the pairing"))
        return {
            "pair_day": form_int(form, "pair_day", N_("The day of the pairing")),
            "time": _filled(form, "day_time", N_("the time of day")),
        }
    if when == "weekly":
        return {
            "weekly": {
                "weekday": form_text(form, "weekday"),
                "time": _filled(form, "week_time", N_("the time of day")),
            },
            "until": _filled(form, "until", N_("the last day it is posted")),
        }
    raise Invalid(N_("Choose when to post it."))


def schedule_payload(form: Any, *, allow_now: bool) -> dict[str, Any]:
    return rule_payload(form, allow_now=allow_now) | target_payload(form, unchosen=WHOM_UNCHOSEN)


def form_values(schedule: TaskSchedule, zone: Any) -> dict[str, Any]:
    """A schedule as the form's fields, to change it."""
    rule = rule_of(schedule)
    values: dict[str, Any] = {"when": rule.kind}
    if rule.at is not None:
        values["at"] = rule.at.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")
    wall = rule.time_of_day.isoformat(timespec="minutes") if rule.time_of_day else ""
    if rule.kind == "pair_day":
        values |= {"pair_day": str(rule.pair_day), "day_time": wall}
    if rule.kind == "weekly":
        assert rule.weekday is not None and rule.until is not None
        values |= {
            "weekday": WEEKDAYS[rule.weekday],
            "week_time": wall,
            "until": rule.until.astimezone(zone).date().isoformat(),
        }
    target = target_json(target_of(schedule), zone)
    if "pairs" in target:
        values |= {"who": "pairs", "pairs": [str(i) for i in target["pairs"]]}
    elif "started_between" in target:
        first, last = target["started_between"]
        values |= {"who": "cohort", "started_from": first, "started_until": last}
    else:
        values["who"] = "all"
    return values


def typed_values(form: Any) -> dict[str, Any]:
    """What was typed, to show it again after a refusal."""
    return {key: form_text(form, key) for key in form if key != "pairs"} | {
        "pairs": [v for v in form.getall("pairs", []) if isinstance(v, str)]
    }


async def schedule_form_context(
    request: web.Request, user: User, settings: Settings
) -> dict[str, Any]:
    """What the schedule form needs besides its values, in the reader's language."""
    return {
        "pairs": await pair_choices(request, user, active_only=True),
        "weekdays": weekday_choices(reader_of(user, settings).calendar),
        "max_days": settings.max_days,
        "zone": settings.zone.key,
    }


# one schedule


async def _schedule_page(
    request: web.Request,
    user: User,
    schedule_id: int,
    values: dict[str, Any] | None = None,
    **context: Any,
) -> web.Response:
    store, clock = request.app[keys.STORE], request.app[keys.CLOCK]
    settings = request.app[keys.SCHEDULER].settings
    schedule = await tasks.load_schedule(store, user, schedule_id)
    overview = await tasks.load_task(store, user, schedule.template_id, clock=clock)
    return page(
        request,
        "task_schedule.html",
        user,
        overview=overview,
        schedule=schedule,
        words=schedule_words(schedule, reader_of(user, settings)),
        live=is_live(schedule),
        values=values or form_values(schedule, settings.zone),
        reached=await tasks.count_schedule_reaches(store, user, schedule_id),
        **(await schedule_form_context(request, user, settings)),
        **context,
    )


@routes.get("/admin/schedules/{schedule_id}")
async def schedule_page(request: web.Request) -> web.Response:
    return await _schedule_page(
        request, await current_coordinator(request), path_id(request, "schedule_id")
    )


@routes.post("/admin/schedules/{schedule_id}")
async def edit_schedule(request: web.Request) -> web.Response:
    """A new time and target from now on; what was posted stays."""
    user = await current_coordinator(request)
    schedule_id = path_id(request, "schedule_id")
    form = await request.post()
    scheduler = request.app[keys.SCHEDULER]
    changed = await run_form(
        lambda: _edit(request, user, schedule_id, schedule_payload(form, allow_now=False)),
        lambda error: _schedule_page(
            request, user, schedule_id, typed_values(form), error=error.message
        ),
    )
    scheduler.wake()
    raise back(f"/admin/schedules/{changed.id}", "schedule-changed")


async def _edit(request: web.Request, user: User, schedule_id: int, payload: dict[str, Any]):
    return await tasks.edit_schedule(
        request.app[keys.STORE],
        user,
        schedule_id,
        payload,
        settings=request.app[keys.SCHEDULER].settings,
        clock=request.app[keys.CLOCK],
    )


@routes.post("/admin/schedules/{schedule_id}/pause")
async def pause_schedule(request: web.Request) -> web.Response:
    """`paused` = yes (stop posting for now) or no (go on, from now: what fell due meanwhile is
    not posted)."""
    user = await current_coordinator(request)
    schedule_id = path_id(request, "schedule_id")
    form = await request.post()

    async def pause():
        answer = form_text(form, "paused")
        if answer not in ("yes", "no"):
            raise Invalid(N_("Say yes or no: pause it, or go on."))
        return await _edit(request, user, schedule_id, {"paused": answer == "yes"})

    changed = await run_form(
        pause, lambda error: _schedule_page(request, user, schedule_id, error=error.message)
    )
    request.app[keys.SCHEDULER].wake()
    where = form_text(form, "back")
    target = (
        f"/admin/tasks/{changed.template_id}"
        if where == "task"
        else f"/admin/schedules/{changed.id}"
    )
    raise back(target, "paused" if changed.state == "paused" else "resumed")


@routes.post("/admin/schedules/{schedule_id}/cancel")
async def cancel_schedule(request: web.Request) -> web.Response:
    """Asked first: a page that says how many pairs it reaches, whose button posts confirmed."""
    user = await current_coordinator(request)
    schedule_id = path_id(request, "schedule_id")
    form = await request.post()
    store, settings = request.app[keys.STORE], request.app[keys.SCHEDULER].settings
    if form.get("confirmed") != "yes":
        schedule = await tasks.load_schedule(store, user, schedule_id)
        if is_live(schedule):
            overview = await tasks.load_task(
                store, user, schedule.template_id, clock=request.app[keys.CLOCK]
            )
            return page(
                request,
                "confirm_cancel_schedule.html",
                user,
                overview=overview,
                schedule=schedule,
                words=schedule_words(schedule, reader_of(user, settings)),
                reached=await tasks.count_schedule_reaches(store, user, schedule_id),
            )
    cancelled = await run_form(
        lambda: tasks.cancel_schedule(store, user, schedule_id, clock=request.app[keys.CLOCK]),
        lambda error: _schedule_page(request, user, schedule_id, error=error.message),
    )
    raise back(f"/admin/tasks/{cancelled.template_id}", "cancelled")
