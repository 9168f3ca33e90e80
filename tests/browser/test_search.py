"""Searching from the top bar: type words, get results, click one and land on the message in
its channel (an older one loaded, marked and focused), or on a reply in its open thread; at
desktop and phone sizes, checked by axe-core and photographed."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, PHONE, Web
from .test_coordinator_live import check_page


async def _conversation(web: Web) -> tuple[int, int, int]:
    """Pair 1: an old message about the CV, a lot of talk after it, and a reply in its thread."""
    pair = await web.server.pair_channel_id(1)
    mentee, mentor = await web.server.client("mentee1"), await web.server.client("mentor1")

    async def post(client, body: str, **extra) -> int:
        response = await client.post(
            f"/api/v1/channels/{pair}/messages",
            {"body": body, "client_id": str(uuid.uuid4()), **extra},
        )
        return (await response.json())["message"]["id"]

    old = await post(mentee, "My **portfolio** draft is ready: could you look at the layout?")
    for n in range(60):
        await post(mentor if n % 2 else mentee, f"Small talk number {n} about the weather")
    reply = await post(mentor, "The portfolio reads well; trim the second page.", thread_id=old)
    return pair, old, reply


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_search_from_the_top_bar_and_jump_to_the_message(web: Web, size: str):
    viewport = DESKTOP if size == "desktop" else PHONE
    pair, old, reply = await _conversation(web)

    def scenario():
        mentee = web.person("mentee1", viewport=viewport)
        page = mentee.page
        page.goto("/")
        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        box = page.get_by_role("searchbox", name="Search messages")
        box.fill("portfol")  # half a word: the last word is a prefix
        box.press("Enter")

        expect(page).to_have_url(re.compile(r"/search\?q=portfol$"))
        results = page.locator(".search-result")
        expect(results).to_have_count(2)
        expect(page.get_by_role("heading", name="Results for “portfol”")).to_be_visible()
        expect(results.first.locator("mark").first).to_have_text(re.compile("portfolio"))
        check_page(page, "search")

        # The old message: its channel opens at it, though it is far from the latest.
        page.locator(f'a.result-link[href*="message={old}"]').click()
        expect(page).to_have_url(re.compile(rf"/channels/{pair}\?message={old}#m-{old}$"))
        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        target = page.locator(f"#m-{old}")
        expect(target).to_have_class(re.compile(r"\bis-target\b"))
        expect(target).to_be_in_viewport()
        expect(target).to_be_focused()
        expect(page.locator("#messages")).not_to_contain_text("Small talk number 59")
        check_page(page, "search-landed")

        # The reply: its thread opens beside the channel (a page of its own on a phone).
        page.go_back()
        page.locator(f'a.result-link[href*="message={reply}"]').click()
        expect(page).to_have_url(
            re.compile(rf"/channels/{pair}/threads/{old}\?message={reply}#t-{reply}$")
        )
        expect(page.locator("#thread-panel")).to_be_visible()
        landed = page.locator(f"#thread-replies #t-{reply}")
        expect(landed).to_have_class(re.compile(r"\bis-target\b"))
        expect(landed).to_be_in_viewport()
        expect(landed).to_contain_text("trim the second page")
        check_page(page, "search-landed-reply")

    await web.run(scenario)
