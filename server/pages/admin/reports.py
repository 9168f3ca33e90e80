"""The research reports in the coordinator area: /admin/reports draws every table of
channels/research/reports.py (a chart and its numbers), with filters and a printable layout;
each table downloads as CSV and JSON with the same filters.  Every figure is of consenting
participants only, small cells suppressed, pairs under names made for that one report."""

from __future__ import annotations

import json
from typing import Any

from aiohttp import web

from channels.errors import NotFound
from channels.languages import N_
from channels.policy import check_coordinator
from channels.research import export, reports
from channels.research.usage import FEATURES
from server import keys
from server.auth import current_coordinator
from server.pages.admin.programme import page
from server.pages.rendering import run_form
from storage.records import User

routes = web.RouteTableDef()

FORMATS = {"csv": "text/csv", "json": "application/json"}
ROLE_NAMES = {"mentor": "Mentors", "mentee": "Mentees"}


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


def chart_data(report: reports.Report) -> dict[str, Any]:
    """What the page's charts draw (web/static/js/reports.js): suppressed figures are null."""
    weeks = report.weeks
    at = {week: n for n, week in enumerate(weeks)}
    usage: dict[str, dict[str, Any]] = {}
    for week, feature, label, role, _, uses in report.table("usage").rows:
        series = usage.setdefault(
            str(feature), {"label": label, **{role: [0] * len(weeks) for role in ROLE_NAMES}}
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
        "roles": ROLE_NAMES,
        "usage": [usage[f] for f in FEATURES if f in usage],
        "tasks": {
            "posted": [tasks[w][2] if w in tasks else 0 for w in weeks],
            "done": [tasks[w][3] if w in tasks else 0 for w in weeks],
        },
        "goals": {
            "labels": [row[0] for row in report.table("goals").rows],
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
    return page(
        request,
        "reports.html",
        user,
        report=report,
        query=report.filters.as_query(),
        role_names=ROLE_NAMES,
        pairs=pair_grid(report),
        has_goals=any(row[1] != 0 for row in report.table("goals").rows),  # None: a few
        page_data={"charts": chart_data(report)},
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
