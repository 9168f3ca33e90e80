"""The programme's own messages in a channel (a pair's welcome and end, channels/chat/notices.py)
read in the reader's language in the browser too: on the page as loaded, and when one arrives
live, rendered by the JavaScript from the event (issue 13)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.sync_api import expect

from tests.mail_support import running_server

from .conftest import ARTIFACTS, BrowserThread, Web, axe_violations
from .test_live_chat import open_channel

DANISH = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}
PHONE = {"width": 390, "height": 844}
ENDED_DA = "Dette par er afsluttet. Samtalen bliver her, så I to kan læse den"
ENDED_EN = "This pair has ended. The conversation stays here for the two of you to read"


@pytest.fixture
async def danish_web(data_dir, chromium: BrowserThread) -> AsyncIterator[Web]:
    async with running_server(data_dir, config_changes=DANISH) as server:
        session = Web(server, chromium)
        yield session
        await chromium.run(session.close)
    assert not [p for person in session.people for p in person.problems]


async def test_a_pair_ending_reads_live_in_each_readers_language(danish_web: Web):
    web = danish_web
    pair = await web.server.pair_channel_id(1)
    pair_id = (await web.server.store.load_pair_by_channel(pair)).id
    maria = await web.server.client("mentor1")
    chosen = await maria.patch("/api/v1/me", {"language": "en"})  # Maria reads English
    assert chosen.status == 200

    def scenario():
        sara, mentor = web.person("mentee1", PHONE, touch=True), web.person("mentor1")
        open_channel(sara, pair)
        open_channel(mentor, pair)
        coordinator = web.person("coordinator")
        web.api(coordinator, "DELETE", f"/api/v1/pairs/{pair_id}")

        notice = sara.page.locator("#messages .msg-system").filter(has_text=ENDED_DA)
        expect(notice).to_be_visible()
        expect(
            mentor.page.locator("#messages .msg-system").filter(has_text=ENDED_EN)
        ).to_be_visible()
        expect(sara.page.locator("#messages .msg-system").filter(has_text=ENDED_EN)).to_have_count(
            0
        )
        assert axe_violations(sara.page) == []
        assert sara.page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        ARTIFACTS.mkdir(exist_ok=True)
        sara.page.screenshot(path=ARTIFACTS / "pair-ended-live-390.png")

        sara.page.reload()  # as the page renders it (_message.html)
        expect(sara.page.locator("#messages .msg-system").filter(has_text=ENDED_DA)).to_be_visible()

    await web.run(scenario)
