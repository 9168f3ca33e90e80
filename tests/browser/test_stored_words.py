"""What the programme stored as it happened, read in Danish in a browser (issue 13): the audit
log, an overdue task's reminder, the import preview's problems, the tasks' overdue count, the
digest preview, the report's roles and the satisfaction scale.  axe stays clean, and each page
is kept as a picture on a desktop and a phone to look at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.mail_support import running_server
from tests.support import DAYS_AWAKE
from tests.task_support import scheduler, task_messages
from tests.test_translations_admin1 import BAD_ROWS, DANISH, _programme

from .conftest import ARTIFACTS, DESKTOP, BrowserThread, Web, axe_violations

LOOKED_AT = {"width": 390, "height": 844}


@pytest.fixture
async def danish_web(data_dir, clock, chromium: BrowserThread) -> AsyncIterator[Web]:
    settings = {**DAYS_AWAKE, **DANISH}
    async with running_server(data_dir, clock=clock, config_changes=settings) as server:
        session = Web(server, chromium)
        yield session
        problems = [p for person in session.people for p in person.problems]
        await chromium.run(session.close)
        assert not problems, problems


@pytest.mark.long
async def test_what_was_stored_reads_in_danish_in_the_browser(danish_web: Web, clock):
    server = danish_web.server
    await _programme(server, clock)  # a task due in 3 days in three pairs, one pair ended
    clock.advance(days=4)
    await scheduler(server).run_once()  # the reminders of the two pairs still going
    sara = await server.client("mentee1")
    pair = await server.pair_channel_id(1)
    (task,) = [m for m in await task_messages(sara, pair) if m["reply_count"]]  # reminded
    eva = await server.client("mentee3")
    satisfaction = (await (await eva.get("/api/v1/me/satisfaction")).json())["requests"][0]["id"]
    problems: list[Any] = []
    ARTIFACTS.mkdir(exist_ok=True)

    def look(page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        if violations := axe_violations(page):
            problems.append((name, violations))
        width = page.viewport_size["width"]
        page.screenshot(path=ARTIFACTS / f"da-stored-{name}-{width}.png", full_page=True)

    def scenario() -> None:
        for viewport in (DESKTOP, LOOKED_AT):
            carla = danish_web.person("coordinator", viewport=viewport).page
            carla.goto("/admin/audit")
            expect(carla.get_by_text("Afsluttede parret Anne Berg og Eva Larsen.")).to_be_visible()
            expect(carla.get_by_text("Planlagde opgaven Uge 1: del dit CV.")).to_be_visible()
            look(carla, "audit")

            carla.goto("/admin/import")
            carla.get_by_label("Regnearksfil").set_input_files(
                {"name": "Deltagere.csv", "mimeType": "text/csv", "buffer": BAD_ROWS}
            )
            carla.get_by_role("button", name="Tjek filen").click()
            expect(carla.get_by_text("læst som CSV, UTF-8.", exact=False)).to_be_visible()
            expect(
                carla.get_by_text("dublet: maja@example.org står allerede på linje 2")
            ).to_be_visible()
            look(carla, "import")

            carla.goto("/admin/tasks")
            expect(carla.locator('td[data-label="Over fristen"]')).to_have_text("2")
            look(carla, "tasks")

            carla.goto("/admin/digests?role=mentee")
            expect(carla.locator(".digest-preview")).to_contain_text("Hej En mentee,")
            look(carla, "digests")

            carla.goto("/admin/reports?role=mentor")
            expect(carla.get_by_text(", kun mentorer.", exact=False)).to_be_visible()
            look(carla, "reports")

            mentee = danish_web.person("mentee1", viewport=viewport).page
            mentee.goto(f"/channels/{pair}/threads/{task['id']}")
            expect(
                mentee.get_by_text("Påmindelse: fristen for denne opgave var", exact=False)
            ).to_be_visible()
            look(mentee, "reminder")

            ended = danish_web.person("mentee3", viewport=viewport).page
            ended.goto(f"/satisfaction/{satisfaction}")
            expect(ended.locator(".scale-word").get_by_text("Meget", exact=True)).to_be_visible()
            look(ended, "satisfaction")

    await danish_web.run(scenario)
    assert problems == []
