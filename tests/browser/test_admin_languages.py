"""The coordinator area's first pages in English and in Danish, whose words are longer: on a
desktop and on phones nothing scrolls sideways or sticks out of the area's column (the People
table ran some 25 px past it at 1280 px), the desktop menu keeps to two rows, and axe stays
clean."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import ARTIFACTS, DESKTOP, PHONE, Web, axe_violations
from .test_admin_phone import LONG_EMAIL, LONG_NAME, MENU_ROWS, OVERFLOWING

# What sticks out of the coordinator area's column on the right (the page need not scroll for
# that to show: at 1280 px the People table ran 25 px past the area's edge, over its margin).
PAST_THE_AREA = """() => {
  const main = document.querySelector("main");
  const edge = main.getBoundingClientRect().right - parseFloat(getComputedStyle(main).paddingRight);
  return [...main.querySelectorAll("*")]
    .filter((element) => {
      const box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0 && box.right > edge + 0.5
        && !element.closest(".admin-table.stacks thead");
    })
    .map((element) => `${element.tagName.toLowerCase()}.${element.className}`)
    .slice(0, 5);
}"""
PAGES = ["/admin", "/admin/users", "/admin/pairs", "/admin/import", "/admin/mail?show=failed"]
LARGE_PHONE = {"width": 390, "height": 844}


@pytest.mark.parametrize("language", ["en", "da"])
async def test_the_first_coordinator_pages_fit_every_screen_in_both_languages(
    web: Web, language: str
):
    coordinator = await web.server.client("coordinator")
    created = await coordinator.post(
        "/api/v1/users",
        {"email": LONG_EMAIL, "name": LONG_NAME, "role": "mentee", "expertise": "Økonomi"},
    )
    assert created.status == 201
    assert (await coordinator.patch("/api/v1/me", {"language": language})).status == 200
    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[Any] = []

    def scenario() -> None:
        page = web.person("coordinator", viewport=PHONE).page
        page.goto("/admin/users")
        heading = "Personer" if language == "da" else "People"
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        expect(page.locator("td").filter(has_text=LONG_NAME).first).to_be_visible()
        for viewport in (DESKTOP, LARGE_PHONE, PHONE):
            width = viewport["width"]
            page = web.person("coordinator", viewport=viewport).page
            for path in PAGES:
                response = page.goto(path)
                assert response is not None and response.status == 200, path
                page.wait_for_load_state("load")
                found = page.evaluate(OVERFLOWING)
                if found["scrollWidth"] > width or found["out"]:
                    problems.append((path, width, "too wide", found))
                if outside := page.evaluate(PAST_THE_AREA):
                    problems.append((path, width, "past the area's edge", outside))
                if width == DESKTOP["width"] and (rows := page.evaluate(MENU_ROWS)) > 2:
                    problems.append((path, width, f"the menu takes {rows} rows"))
                if violations := axe_violations(page):
                    problems.append((path, width, "axe", violations))
                name = "admin" + path.removeprefix("/admin").replace("/", "-").replace("?", "-")
                page.screenshot(
                    path=ARTIFACTS / f"{name}-{language}-{width}.png".replace("=", "-"),
                    full_page=True,
                )

    await web.run(scenario)
    assert not problems, "\n".join(map(repr, problems))
