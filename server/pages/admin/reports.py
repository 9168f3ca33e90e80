"""The research reports in the coordinator area: /admin/reports draws every table of
channels/research/reports.py (a chart and its numbers), with filters and a printable layout;
each table downloads as CSV and JSON with the same filters.  Every figure is of consenting
participants only, small cells suppressed, pairs under names made for that one report."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Any

from aiohttp import web
from babel.dates import format_skeleton

from channels.dates import Calendar
from channels.errors import NotFound
from channels.languages import N_
from channels.policy import check_coordinator
from channels.readers import Reader
from channels.research import export, reports
from channels.research.reports import Value
from channels.research.usage import CHANNEL_KINDS, FEATURES
from server import keys
from server.auth import current_coordinator
from server.pages.admin.programme import page
from server.pages.rendering import reader_gettext, run_form
from storage.records import User

routes = web.RouteTableDef()

FORMATS = {"csv": "text/csv", "json": "application/json"}
ROLE_NAMES = {"mentor": N_("Mentors"), "mentee": N_("Mentees")}  # translated where shown
# Each table's columns as the page heads them (the downloads keep the names).
COLUMN_NAMES = {
    "week": N_("Week"),
    "feature": N_("Feature"),
    "what": N_("What"),
    "role": N_("Role"),
    "people": N_("People"),
    "uses": N_("Uses"),
    "pair": N_("Pair"),
    "messages": N_("Messages"),
    "pairs": N_("Pairs"),
    "posted": N_("Posted"),
    "done": N_("Done"),
    "status": N_("Status"),
    "goals": N_("Goals"),
    "question": N_("Question"),
    "score": N_("Score"),
    "questionnaire": N_("Questionnaire"),
    "answer": N_("Answer"),
    "received": N_("Received"),
    "answered": N_("Answered"),
    "median_hours": N_("Median hours"),
}


# What the rows of the tables say, as the page shows them (the downloads keep the values).
ROLE_WORDS = {"mentor": N_("Mentor"), "mentee": N_("Mentee")}
GOAL_WORDS = {
    "not started": N_("Not started"),
    "in progress": N_("In progress"),
    "achieved": N_("Achieved"),
    "dropped": N_("Dropped"),
}
QUESTION_WORDS = {"relationship": N_("Relationship"), "progress": N_("Progress toward the goal")}
_FEATURE_OF_LABEL = {label: feature for feature, label in FEATURES.items()}


def feature_words(feature: str, _: Callable[[str], str]) -> str:
    """A feature of the usage record in the reader's words: 'Messages in the pair channel'."""
    family, _dot, kind = feature.partition(".")
    if family == "message" and kind in CHANNEL_KINDS:
        return _("Messages in the %(place)s") % {"place": _(CHANNEL_KINDS[kind])}
    if family == "reply" and kind in CHANNEL_KINDS:
        return _("Thread replies in the %(place)s") % {"place": _(CHANNEL_KINDS[kind])}
    return _(FEATURES.get(feature, feature))


def cell_words(_: Callable[[str], str]) -> Callable[[str, Value], Value]:
    """A table's cell as the page shows it: roles, features, goal statuses and the two
    satisfaction questions in the reader's words; figures (and suppressed ones) as they are."""

    def shown(column: str, value: Value) -> Value:
        if not isinstance(value, str):
            return value
        if column == "role" and value in ROLE_WORDS:
            return _(ROLE_WORDS[value])
        if column == "what" and value in _FEATURE_OF_LABEL:
            return feature_words(_FEATURE_OF_LABEL[value], _)
        if column == "status" and value in GOAL_WORDS:
            return _(GOAL_WORDS[value])
        if column == "question" and value in QUESTION_WORDS:
            return _(QUESTION_WORDS[value])
        return value

    return shown


def _reader_calendar(request: web.Request, user: User) -> Calendar:
    return Reader.of(user.language, request.app[keys.SCHEDULER].settings.calendar).calendar


def week_labels(report: reports.Report, calendar: Calendar) -> list[str]:
    """Each week of the range by its Monday, short, in the reader's language: '30 Mar'."""
    return [
        format_skeleton("MMMd", date.fromisoformat(week), locale=calendar.locale)
        for week in report.weeks
    ]


async def _report(
    request: web.Request, user: User, only: list[str] | None = None
) -> reports.Report:
    filters = reports.check_filters(dict(request.query), clock=request.app[keys.CLOCK])
    return await reports.build_report(
        request.app[keys.STORE],
        check_coordinator(user),
        filters,
        min_cell=request.app[keys.CONFIG].report_min_cell,
        only=only,
    )


def chart_data(
    report: reports.Report, labels: list[str], words: Callable[[str], str] = str
) -> dict[str, Any]:
    """What the page's charts draw (web/static/js/reports.js): suppressed figures are null;
    `labels` name the weeks, `words` translates the words."""
    weeks = report.weeks
    at = {week: n for n, week in enumerate(weeks)}
    usage: dict[str, dict[str, Any]] = {}
    for week, feature, _label, role, _people, uses in report.table("usage").rows:
        series = usage.setdefault(
            str(feature),
            {
                "label": feature_words(str(feature), words),
                **{r: [0] * len(weeks) for r in ROLE_NAMES},
            },
        )
        if week in at and role in series:
            series[str(role)][at[str(week)]] = uses
    tasks = {str(row[0]): row for row in report.table("tasks").rows}
    scores: dict[str, dict[str, list[Any]]] = {}
    for question, role, score, people in report.table("satisfaction").rows:
        per_role = scores.setdefault(str(question), {r: [0] * 5 for r in ROLE_NAMES})
        per_role[str(role)][int(score or 1) - 1] = people
    questions: dict[tuple[str, str], dict[str, Any]] = {}
    for title, question, answer, people in report.table("questionnaires").rows:
        chart = questions.setdefault(
            (str(title), str(question)),
            {"title": title, "question": question, "labels": [], "counts": []},
        )
        chart["labels"].append(answer)
        chart["counts"].append(people)
    return {
        "weeks": weeks,
        "week_labels": labels,
        "roles": {role: words(label) for role, label in ROLE_NAMES.items()},
        "usage": [usage[f] for f in FEATURES if f in usage],
        "tasks": {
            "posted": [tasks[w][2] if w in tasks else 0 for w in weeks],
            "done": [tasks[w][3] if w in tasks else 0 for w in weeks],
        },
        "goals": {
            "labels": [
                words(GOAL_WORDS.get(str(row[0]), str(row[0])))
                for row in report.table("goals").rows
            ],
            "goals": [row[1] for row in report.table("goals").rows],
        },
        "satisfaction": scores,
        "questionnaires": list(questions.values()),
    }


def pair_grid(report: reports.Report) -> list[tuple[str, list[int]]]:
    """Pair engagement as numbers: one row per pair, one column per week of the range."""
    at = {week: n for n, week in enumerate(report.weeks)}
    grid: dict[str, list[int]] = {}
    for pair, week, messages in report.table("pairs").rows:
        row = grid.setdefault(str(pair), [0] * len(report.weeks))
        if week in at:
            row[at[str(week)]] = int(messages or 0)
    return sorted(grid.items(), key=lambda item: -sum(item[1]))


@routes.get("/admin/reports")
async def reports_page(request: web.Request) -> web.Response:
    user = await current_coordinator(request)

    async def refused(error) -> web.Response:
        return page(
            request, "reports.html", user, report=None, error=error.message, query={},
            role_names=ROLE_NAMES,
        )  # fmt: skip

    report = await run_form(lambda: _report(request, user), refused)
    calendar = _reader_calendar(request, user)
    weeks = week_labels(report, calendar)
    words = reader_gettext(request, user)
    return page(
        request,
        "reports.html",
        user,
        report=report,
        query=report.filters.as_query(),
        role_names=ROLE_NAMES,
        column_names=COLUMN_NAMES,
        cell=cell_words(words),
        since=calendar.day(report.filters.since),
        until=calendar.day(report.filters.until),
        week_labels=weeks,
        pairs=pair_grid(report),
        has_goals=any(row[1] != 0 for row in report.table("goals").rows),  # None: a few
        page_data={"charts": chart_data(report, weeks, words)},
    )


@routes.get("/admin/reports/{file}")
async def download(request: web.Request) -> web.Response:
    """One table, as `<table>.csv` or `<table>.json`."""
    user = await current_coordinator(request)
    name, _, fmt = request.match_info["file"].rpartition(".")
    if fmt not in FORMATS or name not in reports.BUILDERS:
        raise NotFound(N_("There is no such report table."))
    report = await _report(request, user, only=[name])
    table = report.table(name)
    if fmt == "csv":
        body = export.table_csv(table)
    else:
        body = json.dumps(export.table_json(report, table), indent=1, ensure_ascii=False)
    filters = report.filters
    filename = f"mentorspace-{name}-{filters.since}-{filters.until}.{fmt}"
    return web.Response(
        text=body,
        content_type=FORMATS[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )
