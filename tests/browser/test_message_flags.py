"""Reporting a message in Chromium: a mentee opens Report from a message's actions in her pair
channel (one arriving live, too), reads exactly what will be shared, adds a note, confirms, and
lands on her report in her line to the coordinators; the coordinator finds it on Reported
messages, and never the pair's other words.  On a desktop and on a phone; each page checked
with axe and photographed."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from playwright.sync_api import expect

from channels.demo import DEMO_PASSWORD
from tests.support import email

from .conftest import ARTIFACTS, DESKTOP, PHONE, Web
from .test_coordinator_live import check_page, open_channel
from .test_live_chat import open_actions

PROMISE = (
    "Only this message and your note will be shared with the programme's coordinators."
    " Maria Jensen will not be told who reported it."
)


@pytest.mark.parametrize("size", ["desktop", "phone"])
async def test_a_mentee_reports_a_message_and_the_coordinator_sees_only_it(web: Web, size: str):
    viewport = DESKTOP if size == "desktop" else PHONE
    pair = await web.server.pair_channel_id(1)
    maria = await web.server.client("mentor1")
    other = f"Between us only {uuid.uuid4().hex[:8]}"
    for body in (other, "Nobody will ever hire you at your age, **Sara**."):
        response = await maria.post(
            f"/api/v1/channels/{pair}/messages", {"body": body, "client_id": str(uuid.uuid4())}
        )
        assert response.status == 201
    maria_socket = await maria.socket()

    def scenario():
        sara = web.person("mentee1", viewport)
        open_channel(sara, pair)
        page = sara.page
        item = page.locator("#messages .msg[data-id]").filter(has_text="Nobody will ever hire")
        open_actions(item)
        expect(item.locator(".msg-menu")).to_be_visible()
        page.screenshot(path=ARTIFACTS / f"flag-action-{viewport['width']}.png")
        item.get_by_role("link", name="Report").click()

        expect(page).to_have_url(re.compile(r"/messages/\d+/report$"))
        expect(page.get_by_role("heading", name="Report a message")).to_be_visible()
        shared = page.locator(".flag-message")
        expect(shared).to_contain_text("Nobody will ever hire you at your age, Sara.")
        expect(page.locator(".flag-facts")).to_contain_text("Maria Jensen")
        expect(page.locator(".flag-facts")).to_contain_text(
            "The pair channel Maria Jensen & Sara Nielsen"
        )
        expect(page.get_by_text(PROMISE)).to_be_visible()
        expect(page.locator("main")).not_to_contain_text(other)
        check_page(page, "flag-confirm")

        page.get_by_label("A note for the coordinators").fill("This hurt me. Please call me.")
        page.get_by_role("button", name="Share it with the coordinators").click()
        expect(page).to_have_url(re.compile(r"/channels/\d+#m-\d+$"))
        mine = page.locator("#messages .msg[data-id]").filter(has_text="Reported message")
        expect(mine).to_contain_text("Nobody will ever hire you at your age, Sara.")
        expect(mine).to_contain_text("This hurt me. Please call me.")
        expect(mine.locator("[data-action=report]")).to_have_count(0)  # her own words
        check_page(page, "flag-line")

        carla = web.person("coordinator", viewport)
        admin = carla.page
        admin.goto("/admin/users")
        menu = admin.get_by_role("navigation", name="Coordinator area")
        if viewport == PHONE:  # a phone folds the menu into one button
            menu.get_by_text("Coordinator menu").click()
        menu.get_by_role("link", name="Reported messages").click()
        expect(admin).to_have_url(f"{web.url}/admin/reported")
        report = admin.locator("article.flag").first
        expect(report).to_contain_text("Maria Jensen, in the pair channel")
        expect(report).to_contain_text("Nobody will ever hire you at your age, Sara.")
        expect(report).to_contain_text("This hurt me. Please call me.")
        expect(report).to_contain_text("Reported by Sara Nielsen")
        expect(report.get_by_role("button", name="End this pair")).to_be_visible()
        expect(report.get_by_role("button", name="Disable Maria Jensen's account")).to_be_visible()
        expect(admin.locator("main")).not_to_contain_text(other)
        check_page(admin, "flags-admin")
        report.get_by_role("button", name="Mark as handled").click()
        expect(admin.get_by_role("status")).to_have_text("Saved.")
        expect(admin.locator("article.flag").first.locator(".flag-status")).to_have_text("handled")

    await web.run(scenario)
    # The partner heard nothing of it.
    await maria_socket.barrier(await web.server.channel_id("mentor_lounge"))
    heard = [(name, data) for name, data in maria_socket.events if name != "presence"]
    assert [name for name, _ in heard] == ["message"], heard  # her probe alone
    assert "This hurt me" not in repr(maria_socket.events)


async def test_a_message_arriving_live_can_be_reported_but_not_your_own(web: Web):
    pair = await web.server.pair_channel_id(1)
    maria_socket = await (await web.server.client("mentor1")).socket()

    def open_page():
        sara = web.person("mentee1")
        open_channel(sara, pair)
        return sara

    sara = await web.run(open_page)
    await maria_socket.send(pair, "Arrived while you watched")

    def scenario():
        page = sara.page
        item = page.locator("#messages .msg[data-id]").filter(has_text="Arrived while you watched")
        expect(item).to_have_count(1)
        link = item.locator("[data-action=report]")  # in its actions menu, closed yet
        expect(link).to_have_attribute("href", re.compile(r"^/messages/\d+/report$"))
        page.locator("#composer textarea").fill("My own message")
        page.locator("#composer textarea").press("Enter")
        own = page.locator("#messages .msg[data-id]").filter(has_text="My own message")
        expect(own).to_have_count(1)
        expect(own.locator("[data-action=report]")).to_have_count(0)
        open_actions(item)
        link.click()
        expect(page.get_by_text("Arrived while you watched")).to_be_visible()
        page.get_by_role("link", name="Cancel").click()
        expect(page).to_have_url(re.compile(rf"/channels/{pair}\?message=\d+$"))

    await web.run(scenario)


async def test_without_javascript_a_report_link_leads_to_the_same_confirmation(web: Web):
    pair = await web.server.pair_channel_id(1)
    maria_socket = await (await web.server.client("mentor1")).socket()
    await maria_socket.send(pair, "Written before the page was opened")

    def scenario() -> None:
        context = web.chromium.browser.new_context(
            java_script_enabled=False, base_url=web.url, viewport=PHONE, locale="en-GB"
        )
        try:
            response = context.request.post(
                "/api/v1/session",
                data=json.dumps({"email": email("mentee1"), "password": DEMO_PASSWORD}),
                headers={"Content-Type": "application/json"},
            )
            assert response.ok
            page = context.new_page()
            page.goto(f"/channels/{pair}")
            item = page.locator("#messages .msg[data-id]").filter(has_text="Written before")
            link = item.locator(".msg-report-link")
            expect(link).to_be_visible()
            expect(item.locator(".msg-actions")).to_be_hidden()
            link.scroll_into_view_if_needed()
            page.screenshot(path=ARTIFACTS / "flag-no-js-360.png")
            link.click()
            expect(page.get_by_text(PROMISE)).to_be_visible()
            page.get_by_label("A note for the coordinators").fill("Sent without JavaScript")
            page.get_by_role("button", name="Share it with the coordinators").click()
            mine = page.locator("#messages .msg[data-id]").filter(has_text="Reported message")
            expect(mine).to_contain_text("Sent without JavaScript")
        finally:
            context.close()

    await web.run(scenario)
