"""The library in Chromium: a coordinator adds a guide, a mentee with her home page open sees
the count appear in her menu, opens the library, and shares the guide with her mentor, whose
open channel shows its card at once; the card opens the guide."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE, Web
from .test_coordinator_live import check_page, open_channel, open_home


@pytest.mark.long
async def test_a_guide_added_reaches_the_menu_live_and_is_shared_as_a_card(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentee, mentor = web.person("mentee1"), web.person("mentor1")
        mentee.page.goto("/resources")  # she has seen what is there
        open_home(mentee)
        open_channel(mentor, pair)
        programme = mentee.page.get_by_role("navigation", name="Programme")
        expect(programme.get_by_role("link", name="Library", exact=True)).to_be_visible()

        admin = web.person("coordinator").page
        admin.goto("/admin/library")
        check_page(admin, "admin-library")
        adding = admin.locator("details.add-resource").filter(
            has_text="Add a link to Getting started"
        )
        adding.get_by_text("Add a link to Getting started").click()
        adding.get_by_label("Title").fill("Communities guide")
        adding.get_by_label("Short description").fill("Where to meet people of your field.")
        adding.get_by_label("Web address").fill("/communities")
        adding.get_by_role("button", name="Add the link").click()
        expect(admin.get_by_role("status")).to_contain_text("The resource is saved.")

        # Live: her menu counts one new resource.
        expect(programme.get_by_role("link", name="Library 1 new")).to_be_visible()
        programme.get_by_role("link", name="Library 1 new").click()
        expect(mentee.page.get_by_role("heading", name="Library")).to_be_visible()
        guide = mentee.page.locator(".resource").filter(has_text="Communities guide")
        expect(guide.get_by_text("New", exact=True)).to_be_visible()
        check_page(mentee.page, "library")
        expect(programme.get_by_role("link", name="Library", exact=True)).to_be_visible()

        guide.locator("summary").click()
        guide.get_by_label("Share in").select_option(label="Maria Jensen")
        guide.get_by_role("button", name="Share").click()
        expect(mentee.page).to_have_url(re.compile(f"/channels/{pair}$"))

        card = mentor.page.locator("#messages .resource-card").filter(has_text="Communities guide")
        expect(card).to_be_visible()
        expect(card).to_contain_text("Where to meet people of your field.")
        card.get_by_role("link", name="Communities guide").click()
        expect(mentor.page.get_by_role("heading", name="Communities of practice")).to_be_visible()

        phone = web.person("mentee2", PHONE)
        phone.page.goto("/resources")
        check_page(phone.page, "library")
        phone_admin = web.person("coordinator", PHONE).page
        phone_admin.goto("/admin/library")
        check_page(phone_admin, "admin-library")

    await web.run(scenario)
