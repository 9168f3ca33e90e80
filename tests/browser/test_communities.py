"""A mentee finds the communities through the menu, joins one, talks there, and leaves."""

from __future__ import annotations

from playwright.sync_api import expect

from channels.programme.communities import create_community

from .conftest import PHONE, Web
from .test_coordinator_live import check_page, open_home


async def test_joining_and_leaving_a_community_from_the_menu(web: Web):
    coordinator = await web.server.user("coordinator")
    await create_community(
        web.server.store, coordinator, {"name": "Finance", "topic": "Budgets, audits, careers"}
    )

    def scenario():
        mentee = web.person("mentee1")
        open_home(mentee)
        page = mentee.page
        page.get_by_role("navigation", name="Programme").get_by_role(
            "link", name="Communities"
        ).click()
        expect(page.get_by_role("heading", name="Communities of practice")).to_be_visible()
        check_page(page, "communities")
        page.get_by_role("button", name="Join Finance").click()

        expect(page.locator("body[data-connection=live]")).to_have_count(1)
        box = page.get_by_role("textbox", name="Message")
        box.fill("Hello! I am looking for work in audit.")
        box.press("Enter")
        expect(page.locator("#messages")).to_contain_text("looking for work in audit")
        menu = page.get_by_role("navigation", name="Your conversations")
        expect(menu).to_contain_text("Finance")

        page.goto("/communities")
        expect(page.get_by_text("1 member · you are a member")).to_be_visible()
        page.get_by_role("button", name="Leave Finance").click()
        expect(page.get_by_role("status")).to_contain_text("You have left the community")
        expect(page.get_by_role("button", name="Join Finance")).to_be_visible()

        phone = web.person("mentee2", PHONE)
        phone.page.goto("/communities")
        check_page(phone.page, "communities")

    await web.run(scenario)
