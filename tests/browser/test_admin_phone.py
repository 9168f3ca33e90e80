"""Every page of the coordinator area, on a 360 px phone and on a desktop: nothing wider than the
screen, buttons a finger can hit, a menu that stays compact, and axe clean.

The pages are taken from the server's own routes, so a new coordinator page is visited here
without anyone remembering to add it (a route with a part this test cannot fill in fails it)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.questionnaire_support import assign, create_questionnaire
from tests.task_support import create_task, post_now

from .conftest import ARTIFACTS, DESKTOP, PHONE, Web, axe_violations

LONG_NAME = "Christina Vestergaard-Johannsen"
LONG_EMAIL = "christina.vestergaard-johannsen@kommune-eksempel-jobcenter.dk"
PEOPLE_CSV = (  # as Danish Excel on Windows saves "CSV": semicolons, Windows-1252
    "E-mail;Name;Role;Field of expertise\n"
    "soeren@example.org;Søren Ærø Åse;mentor;Økonomi og regnskab\n"
    f"{LONG_EMAIL};{LONG_NAME};mentee;\n"
    + "".join(f"p{i}@example.org;Åse Bæk {i};mentee;Jura\n" for i in range(1, 10))
).encode("cp1252")
NOT_PAGES = {"/admin/reports/{file}"}  # a CSV or JSON download, not a page

# Every visible element that sticks out of the screen, sideways: an element inside one that
# clips what overflows it (a table's head hidden for screen readers only) is not seen there.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth;
  const clipped = (element) => {
    for (let box = element.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (["hidden", "clip"].includes(style.overflowX)) return true;
    }
    return false;
  };
  const out = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || clipped(element)) continue;
    if (box.right > width + 0.5 || box.left < -0.5) {
      out.push(`${element.tagName.toLowerCase()}.${element.className} ` +
               `(${Math.round(box.left)}..${Math.round(box.right)})`);
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, out: out.slice(0, 8)};
}"""

# Every visible button (and link styled as one) lower than a fingertip.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "main button, main .button, main .small-button, main input[type=submit], .admin-nav summary")]
  .filter((element) => {
    const box = element.getBoundingClientRect();
    return box.width > 0 && box.height > 0 && box.height < 43.5;
  })
  .map((element) => `${element.tagName.toLowerCase()} "${element.textContent.trim()}"`)
  .slice(0, 8)"""

# The rows the desktop menu takes: the distinct tops of its links.
MENU_ROWS = """() => new Set([...document.querySelectorAll(".admin-nav .admin-menu-wide a")]
  .map((link) => Math.round(link.getBoundingClientRect().top))).size"""


async def _admin_pages(web: Web) -> list[str]:
    """Every coordinator page, with something in it to show."""
    coordinator = await web.server.client("coordinator")
    created = await coordinator.post(
        "/api/v1/users", {"email": LONG_EMAIL, "name": LONG_NAME, "role": "mentee"}
    )
    assert created.status == 201
    community = {"name": "Finance and accounting", "topic": "Budgets, audits, first jobs"}
    assert (await coordinator.post("/api/v1/communities", community)).status == 201
    task = await create_task(coordinator, title="Week 1: share your CV draft", due_days=3)
    await post_now(coordinator, task, {"all": True})
    until = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    weekly = {"weekly": {"weekday": "monday", "time": "09:00"}, "until": until}
    scheduled = await coordinator.post(f"/api/v1/tasks/{task}/schedules", {**weekly, "all": True})
    assert scheduled.status == 201
    questionnaire = await create_questionnaire(coordinator)
    await assign(coordinator, questionnaire["id"])
    filled = {
        "{role}": "mentee",
        "{task_id}": str(task),
        "{schedule_id}": str((await scheduled.json())["schedule"]["id"]),
        "{questionnaire_id}": str(questionnaire["id"]),
    }
    pages = []
    for resource in web.server.app.router.resources():
        path = resource.canonical
        if not path.startswith("/admin") or path in NOT_PAGES:
            continue
        if not any(route.method == "GET" for route in resource):
            continue
        for part, value in filled.items():
            path = path.replace(part, value)
        assert "{" not in path, f"fill in {path} for this test"
        pages.append(path)
    return [*sorted(set(pages)), "/admin/pairs?show=quiet"]


def _name(path: str) -> str:
    return "admin" + re.sub(r"[^a-z0-9]+", "-", path.removeprefix("/admin")).rstrip("-")


@pytest.mark.long
@pytest.mark.parametrize("size", ["phone", "desktop"])
async def test_every_coordinator_page_fits_a_phone_and_passes_axe(web: Web, size: str):
    viewport = PHONE if size == "phone" else DESKTOP
    width = viewport["width"]
    pages = await _admin_pages(web)
    assert len(pages) > 20
    ARTIFACTS.mkdir(exist_ok=True)

    problems: list[Any] = []  # every page is looked at before the test says what is wrong

    def check(page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        if size == "phone":
            found = page.evaluate(OVERFLOWING)
            if found["scrollWidth"] > width or found["out"]:
                problems.append((name, "too wide", found))
            if small := page.evaluate(SMALL_TARGETS):
                problems.append((name, "buttons too small", small))
        elif (rows := page.evaluate(MENU_ROWS)) > 2:
            problems.append((name, f"the menu takes {rows} rows"))
        if violations := axe_violations(page):
            problems.append((name, "axe", violations))
        page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)

    def scenario():
        page = web.person("coordinator", viewport=viewport).page
        for path in pages:
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            check(page, _name(path))

        # The pages a form shows before it does something that matters: each asks first.
        page.goto("/admin/pairs")
        page.get_by_role("button", name="End pair").first.click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("End the pair of")
        check(page, "admin-confirm-end-pair")

        page.goto("/admin/users")
        adding = page.locator("form[method=post][action='/admin/users']")
        adding.locator("[name=email]").fill("ada@example.org")
        adding.locator("[name=name]").fill("Ada Lund")
        adding.locator("[name=role]").select_option("coordinator")
        adding.get_by_role("button", name="Add and send invitation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Make Ada Lund a coordinator?")
        check(page, "admin-confirm-coordinator")

        # The import shows how the file is read before anything is imported; a file that
        # is not a spreadsheet, or has rows to fix, is refused with what to do.
        def choose(name: str, content: bytes) -> None:
            page.locator("input[name=file]").set_input_files(
                {"name": name, "mimeType": "application/octet-stream", "buffer": content}
            )
            page.get_by_role("button", name="Check the file").click()

        page.goto("/admin/import")
        choose("people.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
        expect(page.get_by_role("alert")).to_contain_text("Save it as .xlsx or CSV")
        check(page, "admin-import-refused")
        choose("people.csv", PEOPLE_CSV.replace(b";mentor;", b";chef;"))
        expect(page.get_by_text("Nothing can be imported until every row is right")).to_be_visible()
        check(page, "admin-import-rows-to-fix")
        choose("Deltagere forår.csv", PEOPLE_CSV)
        expect(page.get_by_role("heading", name="Check before importing")).to_be_visible()
        expect(page.get_by_text("read as CSV, Windows-1252 (Western European)")).to_be_visible()
        expect(page.get_by_role("cell", name="Søren Ærø Åse")).to_be_visible()
        check(page, "admin-import-preview")
        page.get_by_role("button", name="Import 10 people").click()
        expect(page.locator(".notice")).to_contain_text("The file was imported")

        page.goto(pages[[p.startswith("/admin/tasks/") for p in pages].index(True)])
        page.get_by_role("button", name=re.compile("Post it again")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("again to")
        check(page, "admin-confirm-post-again")

    await web.run(scenario)
    assert not problems, "\n".join(map(repr, problems))


async def test_on_a_phone_the_coordinator_menu_folds_into_one_button(web: Web):
    def scenario():
        page = web.person("coordinator", viewport=PHONE).page
        page.goto("/admin/pairs")
        menu = page.get_by_role("navigation", name="Coordinator area")
        expect(menu.get_by_role("link", name="Tasks")).to_be_hidden()
        menu.get_by_text("Coordinator menu: Pairs").click()
        page.screenshot(path=ARTIFACTS / "admin-menu-open-360.png")
        menu.get_by_role("link", name="Tasks").click()
        expect(page).to_have_url(f"{web.url}/admin/tasks")
        expect(page.get_by_role("heading", level=1)).to_have_text("Tasks for pairs")

    await web.run(scenario)
