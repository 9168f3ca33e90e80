"""Times in the browser read in the programme's locale and time zone, whatever the reader's
browser is set to (issue 13): the page says which (`<html lang data-zone>`)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from tests.mail_support import running_server

from .conftest import BrowserThread, Web
from .test_live_chat import message_item, open_channel

PROGRAMME = {"locale": "da_DK", "timezone": "America/New_York"}  # the browser is in Copenhagen


@pytest.fixture
async def danish_web(data_dir, chromium: BrowserThread) -> AsyncIterator[Web]:
    async with running_server(data_dir, config_changes=PROGRAMME) as server:
        session = Web(server, chromium)
        yield session
        await chromium.run(session.close)
    assert not [p for person in session.people for p in person.problems]


async def test_message_times_read_in_the_programme_locale_and_zone(danish_web: Web):
    web = danish_web
    pair = await web.server.pair_channel_id(1)
    maria = await web.server.client("mentor1")
    posted = await (await maria.socket()).send(pair, "Godmorgen")
    local = datetime.fromisoformat(posted["created_at"]).astimezone(ZoneInfo(PROGRAMME["timezone"]))

    def scenario():
        sara = web.person("mentee1")
        open_channel(sara, pair)
        expect(sara.page.locator("html")).to_have_attribute("lang", "da-DK")
        stamp = message_item(sara, "Godmorgen").locator("time")
        # Danish words, and the hour in New York, not in the browser's Copenhagen.
        expect(stamp).to_have_attribute(
            "title", re.compile(rf"(man|tirs|ons|tors|fre|lør|søn)dag.*{local:%H.%M}")
        )

    await web.run(scenario)


async def test_a_danish_reader_sees_live_messages_and_the_composer_in_danish(danish_web: Web):
    web = danish_web
    pair = await web.server.pair_channel_id(1)
    maria = await web.server.client("mentor1")
    socket = await maria.socket()

    def scenario():
        sara = web.person("mentee1")
        open_channel(sara, pair)
        expect(sara.page.get_by_role("button", name="Send")).to_be_visible()
        sara.page.get_by_role("button", name="Send").click()  # nothing written yet
        expect(sara.page.locator("#composer-problem")).to_have_text(
            "Skriv en besked først, og tryk så på Send."
        )

    await web.run(scenario)
    await socket.send(pair, "Hej Sara")

    def live():
        sara = web.people[-1]
        item = message_item(sara, "Hej Sara")
        expect(item.locator("time")).to_have_text("lige nu")
        expect(item.locator(".thread-link")).to_have_text("Svar i tråd")
        expect(item.locator(".msg-menu-button")).to_have_attribute(
            "aria-label", "Handlinger for beskeden fra Maria Jensen"
        )

    await web.run(live)
