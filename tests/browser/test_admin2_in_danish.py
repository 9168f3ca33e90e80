"""The second half of the coordinator area in Danish, on a 360 px phone: Danish words are longer,
and the research reports' weekly grid has a column per week; nothing may be wider than the
screen, and axe stays clean.  Each page is also kept as a picture at 390 x 844 to look at."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.mail_support import running_server
from tests.test_translations_admin2 import DANISH, _programme_with_something_on_every_page

from .conftest import ARTIFACTS, PHONE, BrowserThread, Web, axe_violations
from .test_admin_phone import OVERFLOWING, SMALL_TARGETS

LOOKED_AT = {"width": 390, "height": 844}


@pytest.fixture
async def danish_web(data_dir, chromium: BrowserThread) -> AsyncIterator[Web]:
    async with running_server(data_dir, config_changes=DANISH) as server:
        session = Web(server, chromium)
        yield session
        problems = [p for person in session.people for p in person.problems]
        await chromium.run(session.close)
        assert not problems, problems


@pytest.mark.long
async def test_the_coordinator_pages_fit_a_phone_in_danish(danish_web: Web):
    pages = await _programme_with_something_on_every_page(danish_web.server)
    # Twenty weeks of reports: twenty columns of the pair grid on a wide screen.
    since = (date.today() - timedelta(weeks=19)).isoformat()
    pages["reports"] += f"?from={since}&to={date.today().isoformat()}"
    problems: list[Any] = []
    ARTIFACTS.mkdir(exist_ok=True)

    def scenario():
        phone = danish_web.person("coordinator", viewport=PHONE).page
        looked_at = danish_web.person("coordinator", viewport=LOOKED_AT).page
        for name, path in pages.items():
            response = phone.goto(path)
            assert response is not None and response.status == 200, path
            phone.wait_for_load_state("load")
            found = phone.evaluate(OVERFLOWING)
            if found["scrollWidth"] > PHONE["width"] or found["out"]:
                problems.append((name, "too wide", found))
            if small := phone.evaluate(SMALL_TARGETS):
                problems.append((name, "buttons too small", small))
            if violations := axe_violations(phone):
                problems.append((name, "axe", violations))
            phone.screenshot(path=ARTIFACTS / f"da-admin-{name}-360.png", full_page=True)
            looked_at.goto(path)
            looked_at.wait_for_load_state("load")
            looked_at.screenshot(path=ARTIFACTS / f"da-admin-{name}-390.png", full_page=True)

        # The grid stacks: each week of the pair's row is a cell under its name, with its date.
        phone.goto(pages["reports"])
        grid = phone.locator("table.pair-grid")
        expect(grid.locator("tbody tr").first.locator("td")).to_have_count(20)
        assert grid.evaluate("(table) => table.getBoundingClientRect().width") <= PHONE["width"]
        first = grid.locator("tbody td").first
        label = first.evaluate("(cell) => getComputedStyle(cell, '::before').content")
        assert ". " in label and label.endswith(': "'), label  # "2. jun.: " before the count

    await danish_web.run(scenario)
    assert not problems, "\n".join(map(repr, problems))
