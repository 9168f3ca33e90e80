"""A mentor adds her photo on a phone; her mentee finds it on her home page and reads about
her (issue 13).  axe on both pages; screenshots in test-artifacts/."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.test_profiles import jpeg_with_location

from .conftest import ARTIFACTS, PHONE, Web, axe_violations


async def test_a_mentor_adds_her_photo_and_her_mentee_reads_about_her(web: Web, tmp_path):
    pair = await web.server.pair_channel_id(1)
    maria_id = (await web.server.user("mentor1")).id
    photo = tmp_path / "maria.jpg"
    photo.write_bytes(jpeg_with_location())
    (tmp_path / "notes.txt").write_text("not a photo")
    ARTIFACTS.mkdir(exist_ok=True)

    def scenario():
        maria = web.person("mentor1", PHONE).page
        maria.goto("/profile")
        # A file that is not a photo: the app says so, and nothing changes.
        maria.get_by_label("Choose a photo").set_input_files(tmp_path / "notes.txt")
        maria.get_by_role("button", name="Save photo").click()
        expect(maria.get_by_role("alert")).to_contain_text("not a photo we can read")
        maria.get_by_label("Choose a photo").set_input_files(photo)
        maria.get_by_role("button", name="Save photo").click()
        expect(maria.get_by_role("status")).to_have_text("Your photo is saved.")
        expect(maria.locator(".avatar-large img")).to_have_count(1)
        assert axe_violations(maria) == []

        sara = web.person("mentee1", PHONE).page
        sara.goto("/")
        card = sara.get_by_role("navigation", name="Your conversations")
        expect(card.locator(".avatar img")).to_have_count(1)
        sara.get_by_role("link", name="About Maria Jensen").click()
        expect(sara.get_by_role("heading", level=1)).to_have_text("Maria Jensen")
        expect(sara.locator(".person-role").first).to_contain_text("Your mentor")
        loaded = sara.locator(".avatar-large img").evaluate(
            "(img) => img.complete && img.naturalWidth"
        )
        assert loaded == 256
        assert axe_violations(sara) == []
        sara.screenshot(path=ARTIFACTS / "person-360.png", full_page=True)

        # Beside her messages too: live, and as the server draws them; her name links here.
        sara.goto(f"/channels/{pair}")
        expect(sara.locator("body[data-connection=live]")).to_have_count(1)
        maria.goto(f"/channels/{pair}")
        maria.locator("#composer textarea").fill("Here is my photo")
        maria.get_by_role("button", name="Send").click()
        mine = sara.locator("#messages .msg[data-id]").filter(has_text="Here is my photo")
        for drawn_by in ("the page, live", "the server"):
            expect(mine.locator(".avatar img")).to_have_attribute("src", re.compile("/photo"))
            expect(mine.locator("a.msg-author")).to_have_attribute("href", f"/people/{maria_id}")
            if drawn_by == "the page, live":
                sara.reload()
                expect(sara.locator("body[data-connection=live]")).to_have_count(1)
        sara.locator("#composer textarea").fill("Lovely")
        sara.get_by_role("button", name="Send").click()
        own = sara.locator("#messages .msg[data-id]").filter(has_text="Lovely")
        expect(own.locator(".avatar")).to_have_text("SN")  # no photo: her initials

    await web.run(scenario)
