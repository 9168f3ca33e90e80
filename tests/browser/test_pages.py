"""The pages themselves in a real browser: logging in through the form, the "not allowed"
page, accessibility (axe-core) on every page at phone and desktop sizes, and screenshots."""

from __future__ import annotations

import os
import shutil
import uuid

import pytest
from playwright.sync_api import expect

from tests.support import email

from .conftest import ARTIFACTS, DESKTOP, PHONE, ROOT, Web, axe_violations

DOCS_SCREENSHOT = ROOT / "docs" / "channel-view.png"


async def test_logging_in_through_the_form_with_clear_errors_then_out(web: Web):
    def scenario():
        visitor = web.person(None)
        page = visitor.page
        page.goto("/")
        expect(page).to_have_url(f"{web.url}/login")
        page.get_by_label("E-mail address").fill(email("mentee1"))
        page.get_by_label("Password").fill("not my password")
        page.get_by_role("button", name="Log in").click()
        expect(page.get_by_role("alert")).to_contain_text(
            "That e-mail address and password do not match."
        )
        expect(page.get_by_label("E-mail address")).to_have_value(email("mentee1"))
        expect(page.get_by_label("Password")).to_be_focused()

        page.get_by_label("Password").fill("mentorspace-demo")
        page.keyboard.press("Enter")
        expect(page).to_have_url(f"{web.url}/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Sara")
        expect(page.get_by_role("navigation", name="Your conversations")).to_contain_text(
            "Maria Jensen"
        )

        page.get_by_role("button", name="Log out").click()
        expect(page).to_have_url(f"{web.url}/login?bye")
        expect(page.get_by_role("status")).to_contain_text("You have logged out")
        page.goto("/profile")
        expect(page).to_have_url(f"{web.url}/login?next=/profile")

    await web.run(scenario)


async def test_a_mentee_neither_sees_nor_opens_the_mentor_lounge(web: Web):
    mentor_lounge = await web.server.channel_id("mentor_lounge")

    def scenario():
        mentee = web.person("mentee1")
        mentee.page.goto("/")
        menu = mentee.page.get_by_role("navigation", name="Your conversations")
        expect(menu).to_contain_text("Mentee lounge")
        expect(menu).not_to_contain_text("Mentor lounge")

        response = mentee.page.goto(f"/channels/{mentor_lounge}")
        # As if it did not exist: nothing tells a channel she may not read from a missing one.
        assert response is not None and response.status == 404
        expect(mentee.page.get_by_role("heading", level=1)).to_have_text("Not found")
        expect(mentee.page.locator("main")).to_contain_text("That channel does not exist.")
        expect(mentee.page.locator("main")).not_to_contain_text("How do you all prepare")
        mentee.page.get_by_role("link", name="Back to your home page").click()
        expect(mentee.page).to_have_url(f"{web.url}/")

    await web.run(scenario)


async def _a_lived_in_pair(web: Web) -> tuple[int, int]:
    """Pair 1 with a short conversation, a reaction, and a thread: something worth looking at."""
    pair = await web.server.pair_channel_id(1)
    mentor, mentee = await web.server.client("mentor1"), await web.server.client("mentee1")
    lines = [
        (mentee, "Hi Maria! I finished the first draft of my CV. Could you take a look?"),
        (mentor, "Of course, Sara. Send it over and I will read it **tonight**."),
        (
            mentee,
            "Here are my three goals for the next months:\n1. a new CV\n2. a LinkedIn profile\n3. two interviews",
        ),
        (mentor, "Those are good, concrete goals. Let us start with the CV on Thursday."),
    ]
    posted = []
    for person, body in lines:
        response = await person.post(
            f"/api/v1/channels/{pair}/messages", {"body": body, "client_id": str(uuid.uuid4())}
        )
        posted.append((await response.json())["message"])
    goals = posted[2]["id"]
    await mentor.post(f"/api/v1/messages/{goals}/reactions", {"emoji": "👍"})
    for person, body in [
        (mentor, "For the interviews: practise telling one story about a result you achieved."),
        (mentee, "Thank you, I will prepare one about the budget project."),
    ]:
        await person.post(
            f"/api/v1/channels/{pair}/messages",
            {"body": body, "client_id": str(uuid.uuid4()), "thread_id": goals},
        )
    return pair, goals


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_every_page_passes_axe_and_is_photographed(web: Web, size: str):
    viewport = DESKTOP if size == "desktop" else PHONE
    pair, thread = await _a_lived_in_pair(web)
    ARTIFACTS.mkdir(exist_ok=True)
    width = viewport["width"]

    def check(page, name: str) -> None:
        assert axe_violations(page) == [], f"{name} at {width}px"
        page.screenshot(path=ARTIFACTS / f"{name}-{width}.png")

    def scenario():
        visitor = web.person(None, viewport=viewport)
        visitor.page.goto("/login")
        check(visitor.page, "login")

        partner = web.person("mentor1", viewport=viewport)  # online, as in real life
        partner.page.goto("/")
        mentee = web.person("mentee1", viewport=viewport)
        page = mentee.page
        page.goto("/")
        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        check(page, "home")

        page.goto(f"/channels/{pair}")
        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        expect(page.locator(f"#m-{thread} .thread-link")).to_have_text("2 replies")
        check(page, "channel")

        page.locator(f"#m-{thread} .thread-link").click()
        expect(page.locator("#thread-replies .msg")).to_have_count(2)
        page.mouse.move(0, 0)  # no hover toolbar in the picture: wait for it to fade out
        page.wait_for_function(
            """() => [...document.querySelectorAll(".msg:not(:focus-within) .msg-actions")]
                .every((bar) => getComputedStyle(bar).opacity === "0")"""
        )
        check(page, "channel-thread")
        if width == DESKTOP["width"] and (
            os.environ.get("MENTORSPACE_UPDATE_SCREENSHOTS") or not DOCS_SCREENSHOT.exists()
        ):
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copyfile(ARTIFACTS / f"channel-thread-{width}.png", DOCS_SCREENSHOT)

        page.goto("/profile")
        check(page, "profile")

        page.goto("/channels/999999")  # no such channel: a proper page, not a stack trace
        check(page, "not-found")

    await web.run(scenario)
