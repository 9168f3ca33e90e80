"""Scheduled tasks in the browser: a coordinator makes a weekly schedule with an end for chosen
pairs, pauses it, changes it and cancels it, on a desktop and on a 360 px phone, axe clean; and a
task card in the pair channel turns overdue while the page is open (the browser's clock moved on
by Playwright, not waited for)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.task_support import create_task, post_now

from .conftest import DESKTOP, PHONE, Web, axe_violations

SHOTS = Path("/work/shots/tasks-ui")


def _look(page, name: str, width: int, problems: list) -> None:
    """Axe, and a screenshot to look at."""
    if violations := axe_violations(page):
        problems.append((name, violations))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}-{width}.png", full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_a_weekly_schedule_for_chosen_pairs_is_made_paused_changed_and_cancelled(
    web: Web, size: str
):
    viewport = PHONE if size == "phone" else DESKTOP
    coordinator = await web.server.client("coordinator")
    task = await create_task(coordinator, title="Week 2: practise the interview", due_days=3)
    until = (datetime.now(UTC) + timedelta(days=40)).date().isoformat()
    problems: list = []

    def scenario():
        page = web.person("coordinator", viewport=viewport).page
        width = viewport["width"]
        page.goto(f"/admin/tasks/{task}")
        form = page.locator("form.schedule-form")
        expect(form.get_by_label("Last day (included)")).to_be_hidden()  # until weekly is chosen
        form.get_by_label("Every week, until a last day").check()
        form.get_by_label("Day of the week").select_option("wednesday")
        form.get_by_label("Time each week").fill("09:30")
        form.get_by_label("Last day (included)").fill(until)
        form.get_by_label("Chosen pairs").check()
        chosen = form.locator(".pair-choices input[type=checkbox]")
        chosen.nth(0).check()
        chosen.nth(1).check()
        _look(page, "task-schedule-form", width, problems)
        form.get_by_role("button", name="Post or schedule it").click()
        expect(page.get_by_role("status")).to_contain_text("The task is scheduled")
        item = page.locator(".schedule-item")
        expect(item).to_contain_text(
            re.compile(r"Every Wednesday at 09:30 until .+, to 2 chosen pairs\.")
        )
        _look(page, "task-scheduled", width, problems)

        item.get_by_role("button", name=re.compile("^Pause")).click()
        expect(page.get_by_role("status")).to_contain_text("The schedule is paused")
        expect(item).to_contain_text("(paused)")
        expect(item.get_by_role("button", name=re.compile("^Resume"))).to_be_visible()

        item.get_by_role("link", name=re.compile("^Change or cancel")).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "A schedule of “Week 2: practise the interview”"
        )
        change = page.locator("form.schedule-form")
        expect(change.get_by_label("Time each week")).to_have_value("09:30")
        expect(change.get_by_label("Last day (included)")).to_have_value(until)
        _look(page, "schedule-page", width, problems)
        change.get_by_label("Time each week").fill("18:00")
        change.get_by_role("button", name="Save the changes").click()
        expect(page.get_by_role("status")).to_contain_text("The schedule is changed")
        expect(page.locator("main")).to_contain_text("Every Wednesday at 18:00")
        expect(page.locator("main")).to_contain_text("(paused)")

        cancel = page.get_by_role("button", name="Cancel this schedule…")
        expect(cancel).to_have_class(re.compile(r"\bdanger\b"))
        cancel.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Cancel this schedule")
        _look(page, "confirm-cancel-schedule", width, problems)
        page.get_by_role("button", name="Yes, cancel it for 2 pairs").click()
        expect(page.get_by_role("status")).to_contain_text("The schedule is cancelled")
        expect(page.locator(".schedule-item")).to_contain_text("(cancelled)")
        expect(page.locator(".schedule-item").get_by_role("button")).to_have_count(0)

        page.get_by_text("Change the title, text or due period").click()
        page.get_by_label("Title").fill("Week 2: practise the interview together")
        page.get_by_role("button", name="Save the changes").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Week 2: practise the interview together"
        )
        page.get_by_role("button", name="Delete this task…").click()
        _look(page, "confirm-delete-task", width, problems)
        page.get_by_role("button", name="Yes, delete the task").click()
        expect(page.get_by_role("status")).to_contain_text("The task is deleted")
        expect(page.locator("main")).not_to_contain_text("practise the interview")

    await web.run(scenario)
    assert not problems, problems


async def test_a_task_card_turns_overdue_while_the_page_is_open(web: Web):
    coordinator = await web.server.client("coordinator")
    channel = await web.server.pair_channel_id(1)
    drawn = await create_task(coordinator, title="Drawn by the server", due_days=1)
    await post_now(coordinator, drawn, {"all": True})
    live = await create_task(coordinator, title="Arrived live", due_days=1)

    def scenario():
        page = web.person("mentee1").page
        page.clock.install(time=datetime.now(UTC))
        page.goto(f"/channels/{channel}")
        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        cards = page.locator("#messages .msg-task")
        first = cards.filter(has_text="Drawn by the server")
        expect(first).to_be_visible()
        expect(first).not_to_have_class(re.compile("is-overdue"))
        expect(first.locator(".task-overdue")).to_be_hidden()
        return page

    page = await web.run(scenario)
    await post_now(coordinator, live, {"all": True})

    def later():
        cards = page.locator("#messages .msg-task")
        second = cards.filter(has_text="Arrived live")
        expect(second).to_be_visible()
        expect(second.locator(".task-overdue")).to_be_hidden()
        page.clock.fast_forward(23 * 3600 * 1000)  # not yet due
        for card in (cards.filter(has_text="Drawn by the server"), second):
            expect(card).not_to_have_class(re.compile("is-overdue"))
            expect(card.locator(".task-overdue")).to_be_hidden()
        page.clock.fast_forward(65 * 60 * 1000)  # now both are past due
        for card in (cards.filter(has_text="Drawn by the server"), second):
            expect(card).to_have_class(re.compile("is-overdue"))
            expect(card.locator(".task-overdue")).to_have_text("Overdue")
            expect(card.locator(".task-overdue")).to_be_visible()
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SHOTS / "pair-channel-overdue-1280.png")
        assert not axe_violations(page)

    await web.run(later)
