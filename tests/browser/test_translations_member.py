"""The member pages in Danish on a 360 px phone (issue 13): Danish words are longer, and nothing
may stick out of the screen; axe stays clean; the browser's own words (the bell's label, drawn
by bell.js from the page's #words) are Danish too.  Screenshots go to test-artifacts/."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.mail_support import running_server
from tests.test_translations_member import DANISH, _programme, _unsubscribe

from .conftest import ARTIFACTS, PHONE, BrowserThread, Web, axe_violations
from .test_admin_phone import OVERFLOWING

IPHONE = {"width": 390, "height": 844}


@pytest.mark.long
@pytest.mark.parametrize("viewport", [PHONE, IPHONE], ids=["360", "390"])
async def test_the_member_pages_in_danish_fit_a_phone_and_pass_axe(data_dir, chromium, viewport):
    async with running_server(data_dir, config_changes=DANISH) as server:
        web = Web(server, chromium)
        try:
            await _check_pages(web, chromium, viewport)
        finally:
            await chromium.run(web.close)


async def _check_pages(web: Web, chromium: BrowserThread, viewport: dict[str, int]) -> None:
    made = await _programme(web.server)
    pages = {
        "communities": "/communities",
        "library": "/resources",
        "goals": f"/channels/{made['pair']}/goals",
        "questionnaires": "/questionnaires",
        "questionnaire": f"/questionnaires/{made['questionnaire']}",
        "satisfaction": f"/satisfaction/{made['satisfaction']}",
        "report": f"/messages/{made['message']}/report",
        "notifications": "/notifications",
        "search": "/search?q=budget",
        "feedback": "/feedback",
        "coordinators": "/coordinators",
        "consent": "/consent",
        "forbidden": "/admin",
        "unsubscribe": _unsubscribe(web.server, made["sara"].user["id"]),
    }
    ARTIFACTS.mkdir(exist_ok=True)
    width = viewport["width"]
    problems: list[Any] = []  # every page is looked at before the test says what is wrong

    def scenario() -> None:
        sara = web.person("mentee1", viewport=viewport, touch=True)
        page = sara.page
        for name, path in pages.items():
            page.goto(path)
            page.wait_for_load_state("load")
            if page.locator("html").get_attribute("lang") != "da-DK":
                problems.append((name, "not Danish"))
            found = page.evaluate(OVERFLOWING)
            if found["scrollWidth"] > width or found["out"]:
                problems.append((name, "too wide", found))
            if violations := axe_violations(page):
                problems.append((name, "axe", violations))
            page.screenshot(path=ARTIFACTS / f"member-da-{name}-{width}.png", full_page=True)
        # A goal added elsewhere: its card arrives live, its status in Danish (messages.js).
        page.goto(f"/channels/{made['pair']}")
        web.api(sara, "POST", f"/api/v1/channels/{made['pair']}/goals", {"title": "Netværk"})
        card = page.locator(".msg", has_text="Netværk")
        expect(card.locator(".goal-status")).to_have_text("Ikke begyndt")
        page.goto("/notifications")
        # bell.js labels the bell from the page's words once it has counted.
        expect(page.locator("#bell")).to_have_attribute(
            "aria-label", re.compile(r"^Notifikationer, \d+ ulæste$")
        )

    await chromium.run(scenario)
    assert problems == []
