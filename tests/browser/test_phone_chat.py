"""The channel page on a phone's touch screen and on a desktop: how the composer sends (and
says so), what it stops before sending (an empty message, one over the server's limit, with a
counter as it nears it), a message's actions behind one button, the "New messages" line however
many are unread, and the unread count in the tab's title."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from channels.chat.messages import MAX_BODY

from .conftest import ARTIFACTS, DESKTOP, PHONE, Person, Web, axe_violations
from .test_live_chat import bodies, composer, message_item, open_channel


def person_on(web: Web, handle: str, size: str) -> Person:
    if size == "phone":
        return web.person(handle, PHONE, touch=True)
    return web.person(handle, DESKTOP)


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_enter_sends_on_a_desktop_and_makes_a_new_line_on_a_touch_screen(web: Web, size: str):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentee = person_on(web, "mentee1", size)
        open_channel(mentee, pair)
        hint = mentee.page.locator("#composer-hint .js-only")
        box = composer(mentee)
        box.fill("First line")
        box.press("Enter")
        if size == "desktop":
            expect(hint).to_have_text(re.compile(r"^Enter sends\. Shift \+ Enter starts a new"))
            expect(box).to_have_value("")
            expect(message_item(mentee, "First line")).to_have_count(1)
            box.fill("One")
            box.press("Shift+Enter")
            box.type("Two")
            expect(box).to_have_value("One\nTwo")
            box.press("Enter")
        else:
            expect(hint).to_have_text("Enter starts a new line. Press Send to send.")
            # Enter stayed in the box as a new line: nothing was sent (the box is only ever
            # emptied by sending).
            box.type("Second line")
            expect(box).to_have_value("First line\nSecond line")
            mentee.page.screenshot(path=ARTIFACTS / "phone-chat-composer-touch.png")
            mentee.page.get_by_role("button", name="Send").tap()
            expect(box).to_have_value("")
        first, second = ("One", "Two") if size == "desktop" else ("First line", "Second line")
        expect(bodies(mentee).last).to_have_text(re.compile(f"^{first}\\s+{second}$"))
        assert axe_violations(mentee.page) == []

    await web.run(scenario)


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_an_empty_or_too_long_message_is_stopped_with_a_visible_reason(web: Web, size: str):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentee = person_on(web, "mentee1", size)
        open_channel(mentee, pair)
        page = mentee.page
        box, send = composer(mentee), page.locator("#composer .send-button")
        problem, count = page.locator("#composer-problem"), page.locator("#composer-count")
        shown = bodies(mentee).count()

        send.click()
        expect(problem).to_have_text("Write a message first, then press Send.")
        box.fill("Hello")
        expect(problem).to_have_text("")

        expect(count).to_be_hidden()
        box.fill("a" * (MAX_BODY * 9 // 10 - 1))
        expect(count).to_be_hidden()
        box.fill("a" * (MAX_BODY * 9 // 10))
        expect(count).to_have_text(f"{MAX_BODY // 10:,} characters left")
        too_long = "b" * (MAX_BODY + 5)
        box.fill(too_long)  # pasted whole: nothing is cut
        expect(count).to_have_text("5 characters too many")
        send.click()
        expect(problem).to_have_text(
            f"This message is 5 characters too long (the most is {MAX_BODY:,})."
            " Shorten it, or send it in two parts."
        )
        expect(box).to_have_value(too_long)
        expect(box).to_have_attribute("aria-invalid", "true")
        page.screenshot(path=ARTIFACTS / f"phone-chat-too-long-{size}.png")
        assert axe_violations(page) == []

        # Shortened to the limit, it goes; it is the only message the stop let through.
        box.press("End")
        for _ in range(5):
            box.press("Backspace")
        expect(count).to_have_text("0 characters left")
        expect(problem).to_have_text("")
        send.click()
        expect(box).to_have_value("")
        expect(page.locator("#messages .msg[data-id]")).to_have_count(shown + 1)
        expect(bodies(mentee).last).to_have_text("b" * MAX_BODY)

        # The thread's composer stops an empty reply the same way.
        message_item(mentee, "b" * 20).get_by_role("link", name="Reply in thread").click()
        page.locator("#thread-composer .send-button").click()
        expect(page.locator("#thread-composer-problem")).to_have_text(
            "Write a message first, then press Send."
        )
        page.screenshot(path=ARTIFACTS / f"phone-chat-thread-empty-{size}.png")
        assert axe_violations(page) == []

    await web.run(scenario)


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_messages_actions_sit_behind_one_button(web: Web, size: str):
    lounge = await web.server.channel_id("mentee_lounge")
    peer = await web.server.client("mentee2")
    await peer.post(
        f"/api/v1/channels/{lounge}/messages", {"body": "Anyone tried mock interviews?"}
    )

    def scenario():
        mentee = person_on(web, "mentee1", size)
        open_channel(mentee, lounge)
        page = mentee.page
        composer(mentee).fill("My own note")
        page.locator("#composer .send-button").click()
        theirs = message_item(mentee, "mock interviews")
        mine = message_item(mentee, "My own note")
        expect(mine).to_have_count(1)
        # No row of actions: one button each (Reply is the thread link alone, below).
        expect(theirs.locator(".msg-menu")).to_be_hidden()
        expect(theirs.get_by_role("link", name="Reply in thread")).to_be_visible()
        opener = theirs.get_by_role("button", name="Actions for the message from Lene Madsen")
        if size == "phone":
            expect(opener).to_be_visible()  # no hover on a touch screen
            page.screenshot(path=ARTIFACTS / "phone-chat-actions-closed.png")
            opener.tap()
        else:
            theirs.hover()
            opener.click()
        expect(opener).to_have_attribute("aria-expanded", "true")
        menu = theirs.locator(".msg-menu")
        expect(menu).to_be_visible()
        expect(menu.get_by_role("button")).to_have_text(["React"])
        expect(menu.get_by_role("link")).to_have_text(["Report"])
        expect(menu.get_by_role("button", name="React")).to_be_focused()
        page.screenshot(path=ARTIFACTS / f"phone-chat-actions-open-{size}.png")
        assert axe_violations(page) == []

        # Arrows move in it; Escape closes it and gives the keyboard back to its button.
        page.keyboard.press("ArrowDown")
        expect(menu.get_by_role("link", name="Report")).to_be_focused()
        page.keyboard.press("Escape")
        expect(menu).to_be_hidden()
        expect(opener).to_have_attribute("aria-expanded", "false")
        expect(opener).to_be_focused()

        # A tap or click elsewhere closes it.
        page.keyboard.press("Enter")
        expect(menu).to_be_visible()
        page.locator("#channel-title").click()
        expect(menu).to_be_hidden()

        # Each action still works from it: edit my own message.
        my_opener = mine.locator("[data-action=menu]")
        if size == "desktop":
            mine.hover()
        my_opener.click()
        mine.get_by_role("button", name="Edit").click()
        editor = mine.get_by_role("textbox", name="Edit your message")
        editor.fill("My own note, edited")
        mine.get_by_role("button", name="Save").click()
        expect(message_item(mentee, "My own note, edited")).to_have_count(1)
        expect(
            message_item(mentee, "My own note, edited").locator("[data-action=menu]")
        ).to_be_focused()

    await web.run(scenario)


async def test_the_new_messages_line_and_the_title_with_sixty_unread(web: Web):
    pair = await web.server.pair_channel_id(1)
    mentor = await web.server.client("mentor1")
    mentee = await web.server.client("mentee1")
    for n in range(10):
        await mentor.post(f"/api/v1/channels/{pair}/messages", {"body": f"Read before {n}"})
    await mentee.post(f"/api/v1/channels/{pair}/read", {"seq": 10**9})
    for n in range(60):
        await mentor.post(f"/api/v1/channels/{pair}/messages", {"body": f"Unread number {n}"})

    def scenario():
        maria, sara = web.person("mentor1"), web.person("mentee1")
        sara.page.goto(f"/channels/{pair}")
        page = sara.page
        divider = page.locator("#unread-divider")
        expect(divider).to_have_count(1)
        # The line sits right above the first unread one, with what was read above it.
        after = page.locator("#unread-divider + .msg .msg-body")
        expect(after).to_have_text("Unread number 0")
        before = page.locator(".msg:has(+ #unread-divider) .msg-body")
        expect(before).to_have_text("Read before 9")
        expect(page).to_have_title("(60) Maria Jensen · Mentorspace")
        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        page.screenshot(path=ARTIFACTS / "phone-chat-sixty-unread.png")

        # Scrolled up to the line, not at the bottom: one more counts up live.
        web.api(maria, "POST", f"/api/v1/channels/{pair}/messages", {"body": "One more"})
        expect(page).to_have_title("(61) Maria Jensen · Mentorspace")
        # Read to the bottom: the count clears; the line stays where it was.
        page.locator("#message-scroll").evaluate("(box) => { box.scrollTop = box.scrollHeight; }")
        expect(page).to_have_title("Maria Jensen · Mentorspace")
        expect(after).to_have_text("Unread number 0")

    await web.run(scenario)


async def test_the_new_messages_line_moves_up_as_older_unread_ones_load(web: Web):
    """More unread than the page loads at most (200): the line starts at the top of what is
    loaded and moves to the first unread one once older messages load."""
    lounge = await web.server.channel_id("mentee_lounge")
    author = await web.server.client("mentee2")
    reader = await web.server.client("mentee1")
    await author.post(f"/api/v1/channels/{lounge}/messages", {"body": "Already read"})
    await reader.post(f"/api/v1/channels/{lounge}/read", {"seq": 10**9})
    for n in range(205):
        await author.post(f"/api/v1/channels/{lounge}/messages", {"body": f"Tip {n}"})

    def scenario():
        sara = web.person("mentee1")
        open_channel(sara, lounge)
        page = sara.page
        after = page.locator("#unread-divider + .msg .msg-body")
        page.locator("#message-scroll").evaluate("(box) => { box.scrollTop = 0; }")
        expect(page.locator(".history-start")).to_be_visible()
        expect(after).to_have_text("Tip 0")
        expect(page.locator(".msg:has(+ #unread-divider) .msg-body")).to_have_text("Already read")
        expect(page.locator("#unread-divider")).to_have_count(1)

    await web.run(scenario)
