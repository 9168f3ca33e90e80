"""Times in the browser read in the programme's locale and time zone, whatever the reader's
browser is set to (issue 13): the page hands web/static/js/time.js the server's own patterns
and names (`<html data-dates>`, channels/dates.py), so a time reads as the server writes it."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime, time
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from channels.dates import Calendar
from tests.clocks import FakeClock
from tests.mail_support import running_server
from tests.support import DAYS_AWAKE
from tests.task_support import create_task, pair_id, post_now, scheduler, task_messages
from tests.test_dates import tomorrow_at

from .conftest import ARTIFACTS, BrowserThread, Web, axe_violations
from .test_live_chat import message_item, open_channel

PROGRAMME = {"locale": "da_DK", "timezone": "America/New_York"}  # the browser is in Copenhagen


@pytest.fixture
async def danish_web(data_dir, chromium: BrowserThread) -> AsyncIterator[Web]:
    async with running_server(data_dir, config_changes=PROGRAMME) as server:
        session = Web(server, chromium)
        yield session
        await chromium.run(session.close)
    assert not [p for person in session.people for p in person.problems]


async def test_message_times_read_in_the_programme_locale_and_zone(danish_web: Web):
    web = danish_web
    pair = await web.server.pair_channel_id(1)
    maria = await web.server.client("mentor1")
    posted = await (await maria.socket()).send(pair, "Godmorgen")
    local = datetime.fromisoformat(posted["created_at"]).astimezone(ZoneInfo(PROGRAMME["timezone"]))

    def scenario():
        sara = web.person("mentee1")
        open_channel(sara, pair)
        expect(sara.page.locator("html")).to_have_attribute("lang", "da-DK")
        stamp = message_item(sara, "Godmorgen").locator("time")
        # Danish words, and the hour in New York, not in the browser's Copenhagen.
        expect(stamp).to_have_attribute(
            "title", re.compile(rf"(man|tirs|ons|tors|fre|lør|søn)dag.*{local:%H.%M}")
        )

    await web.run(scenario)


async def test_a_danish_reader_sees_live_messages_and_the_composer_in_danish(danish_web: Web):
    web = danish_web
    pair = await web.server.pair_channel_id(1)
    maria = await web.server.client("mentor1")
    socket = await maria.socket()

    def scenario():
        sara = web.person("mentee1")
        open_channel(sara, pair)
        expect(sara.page.get_by_role("button", name="Send")).to_be_visible()
        sara.page.get_by_role("button", name="Send").click()  # nothing written yet
        expect(sara.page.locator("#composer-problem")).to_have_text(
            "Skriv en besked først, og tryk så på Send."
        )

    await web.run(scenario)
    await socket.send(pair, "Hej Sara")

    def live():
        sara = web.people[-1]
        item = message_item(sara, "Hej Sara")
        expect(item.locator("time")).to_have_text("lige nu")
        expect(item.locator(".thread-link")).to_have_text("Svar i tråd")
        expect(item.locator(".msg-menu-button")).to_have_attribute(
            "aria-label", "Handlinger for beskeden fra Maria Jensen"
        )

    await web.run(live)


TITLE = "Del dit CV-udkast"
DANISH = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}
PHONE = {"width": 390, "height": 844}


async def test_a_task_card_and_its_reminder_read_alike_once_time_js_has_run(
    data_dir, chromium: BrowserThread
):
    """Sara reads the programme's Danish on a phone, Maria chose English: for each, the card's
    due time (written by time.js, live and after a reload) is the moment the reminder in its
    thread names (written by the server), word for word."""
    clock = FakeClock(tomorrow_at(time(1, 27)))  # after the demo's pairs started
    async with running_server(data_dir, clock=clock, config_changes=DANISH | DAYS_AWAKE) as server:
        web = Web(server, chromium, test_name="task-card-and-reminder")
        try:
            await _card_and_reminder(web, clock)
        finally:
            await chromium.run(web.close)
        assert not [p for person in web.people for p in person.problems]


async def _card_and_reminder(web: Web, clock: FakeClock) -> None:
    server = web.server
    channel = await server.pair_channel_id(1)
    maria = await server.client("mentor1")
    assert (await maria.patch("/api/v1/me", {"language": "en"})).status == 200
    coordinator = await server.client("coordinator")
    task_id = await create_task(coordinator, title=TITLE, due_days=1)
    programme = Calendar.of("da_DK", "Europe/Copenhagen")
    calendars = {"mentee1": programme, "mentor1": Calendar.of("en_DK", "Europe/Copenhagen")}
    reminder_words = {
        "mentee1": "Påmindelse: fristen for denne opgave var {}.",
        "mentor1": "Reminder: this task was due on {}.",
    }

    def card(person):
        return person.page.locator("#messages .msg-task").filter(has_text=TITLE)

    def open_pages():
        sara = web.person("mentee1", PHONE, touch=True)
        open_channel(sara, channel)
        open_channel(web.person("mentor1"), channel)

    await web.run(open_pages)
    await post_now(coordinator, task_id, {"pairs": [await pair_id(server, 1)]})
    (posted,) = await task_messages(maria, channel)
    due = datetime.fromisoformat(posted["task"]["due_at"])
    created = datetime.fromisoformat(posted["created_at"])

    def live_cards():  # drawn by messages.js from the event; its times by time.js
        for person in web.people:
            calendar = calendars[person.handle]
            expect(card(person).locator(".task-due-time")).to_have_text(calendar.moment(due))
            expect(card(person).locator(".task-label time")).to_have_attribute(
                "title", calendar.moment(created)
            )
            card(person).locator(".thread-link").click()  # the card's thread, where it reminds
            expect(person.page.locator("#thread-root .task-title")).to_have_text(TITLE)

    await web.run(live_cards)
    clock.advance(days=1, seconds=1)
    await scheduler(server).run_once()  # the reminder arrives live in each open thread
    ARTIFACTS.mkdir(exist_ok=True)

    def reminders(shot: str):
        for person in web.people:
            calendar = calendars[person.handle]
            panel = person.page.locator("#thread-panel")
            due_time = panel.locator("#thread-root .task-due-time")
            expect(due_time).to_have_text(calendar.moment(due))
            # time.js ran on this card: only it writes the hover title of the posting time.
            expect(panel.locator("#thread-root .task-label time")).to_have_attribute(
                "title", calendar.moment(created)
            )
            reminder = panel.locator("#thread-replies .msg-system")
            expect(reminder).to_contain_text(
                reminder_words[person.handle].format(due_time.text_content())
            )
        sara = web.people[0]
        expect(sara.page.locator("#thread-root .task-due-time")).to_have_text(
            re.compile(r"^(man|tirs|ons|tors|fre|lør|søn)dag den \d+\. [a-z]+ \d{4} 0[23]\.27$")
        )
        assert axe_violations(sara.page) == []
        assert sara.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        sara.page.screenshot(path=ARTIFACTS / f"{shot}-390-da.png", full_page=True)

    await web.run(lambda: reminders("task-reminder-live"))

    def reload_all():  # as the server draws the thread, then time.js rewrites its times
        for person in web.people:
            person.page.reload()
            expect(person.page.locator("body[data-connection=live]")).to_have_count(1)
        sara = web.people[0]
        sara.page.locator("#thread-panel .msg-system").scroll_into_view_if_needed()

    await web.run(reload_all)
    await web.run(lambda: reminders("task-reminder-page"))
