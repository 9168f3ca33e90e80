"""The invitation link's page (issue 13): it looks like the rest of the app, says what is
wrong in the app's own words (not the browser's bubbles), and starts with the welcome."""

from __future__ import annotations

import email
import email.policy
import re

from playwright.sync_api import expect

from tests.support import eventually

from .conftest import PHONE, Web, axe_violations


async def _invitation_path(web: Web, address: str) -> str:
    carla = await web.server.client("coordinator")
    created = await carla.post(
        "/api/v1/users", {"email": address, "name": "Ole Sand", "role": "mentee"}
    )
    assert created.status == 201

    async def link() -> str | None:
        for mail in await web.server.store.list_mail(limit=10):
            if mail.recipient.endswith(address):
                parsed = email.message_from_string(mail.message, policy=email.policy.default)
                text = parsed.get_body(("plain",)).get_content()
                return re.search(r"/password/[\w-]+", text).group(0)
        return None

    return await eventually(link)


async def test_an_invited_mentee_chooses_a_password_on_a_phone_and_is_welcomed(web: Web):
    path = await _invitation_path(web, "ole@example.org")

    def scenario():
        ole = web.person(None, PHONE)
        page = ole.page
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Ole")
        assert axe_violations(page) == []
        # Too short, then two different passwords: the app says so, and keeps her on the page.
        page.get_by_label("Password", exact=True).fill("short")
        page.get_by_label("The same password again").fill("short")
        page.get_by_role("button", name="Save my password and start").click()
        expect(page.get_by_role("alert")).to_contain_text("Your password is not saved yet.")
        expect(page.get_by_label("Password", exact=True)).to_be_focused()
        assert axe_violations(page) == []
        page.get_by_label("Password", exact=True).fill("a long walk by the sea")
        page.get_by_label("The same password again").fill("a long walk by the lake")
        page.get_by_role("button", name="Save my password and start").click()
        expect(page.get_by_role("alert")).to_contain_text("The two passwords are not the same")
        page.get_by_label("Password", exact=True).fill("a long walk by the sea")
        page.get_by_label("The same password again").fill("a long walk by the sea")
        page.get_by_role("button", name="Save my password and start").click()
        expect(page).to_have_url(f"{web.url}/")
        expect(page.locator(".prompt.welcome")).to_contain_text("Only the two of you can read it")
        # Not matched yet: the welcome says her conversation comes once she is.
        expect(page.locator(".prompt.welcome")).to_contain_text("once the coordinators have")

        page.goto(path)  # the link works once
        expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
        expect(page.get_by_role("link", name="Ask for a new link")).to_be_visible()
        assert axe_violations(page) == []

    await web.run(scenario)
