"""Files in the browser: attached with the button (with a progress bar while the upload is
slowed down) and by dropping them on the channel; the message waits for its uploads, then
reaches the partner's open page live with its thumbnail and card.  A failed upload is tried
again, a cancelled one is gone.  Screenshots at desktop and phone width."""

from __future__ import annotations

import io
import json
import os
from typing import Any

from PIL import Image
from playwright.sync_api import expect

from channels.demo import DEMO_PASSWORD
from tests.support import email

from .conftest import ARTIFACTS, DESKTOP, PHONE, Person, Web


def noise_png(side: int = 420) -> bytes:
    """A PNG that does not compress: about half a megabyte, so a slowed upload takes seconds."""
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, "PNG")
    return out.getvalue()


def slow_uploads(person: Person, bytes_per_second: int) -> Any:
    """Throttle the page's uploads (Chromium's network emulation), to watch the progress."""
    session = person.context.new_cdp_session(person.page)
    session.send("Network.enable")
    session.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": 0,
            "downloadThroughput": -1,
            "uploadThroughput": bytes_per_second,
        },
    )
    return session


def open_channel(web: Web, handle: str, channel_id: int, viewport=DESKTOP) -> Person:
    person = web.person(handle, viewport)
    person.page.goto(f"/channels/{channel_id}")
    expect(person.page.locator("body[data-connection=live]")).to_have_count(1)
    return person


DROP = """([selector, name, type, bytes]) => {
  const transfer = new DataTransfer();
  transfer.items.add(new File([new Uint8Array(bytes)], name, { type }));
  const target = document.querySelector(selector);
  for (const kind of ["dragenter", "dragover", "drop"]) {
    target.dispatchEvent(new DragEvent(kind, { dataTransfer: transfer, bubbles: true, cancelable: true }));
  }
}"""


async def test_attach_by_button_and_by_dropping_and_the_partner_sees_it_live(web: Web):
    pair = await web.server.pair_channel_id(1)
    picture = noise_png()
    people: dict[str, Person] = {}

    def scenario() -> None:
        people["mentor"] = mentor = open_channel(web, "mentor1", pair)
        people["mentee"] = mentee = open_channel(web, "mentee1", pair)
        page = mentee.page
        throttle = slow_uploads(mentee, 150_000)  # ~3 s for the picture

        # Attach with the button: the system's file chooser opens, the upload starts at once.
        with page.expect_file_chooser() as chooser:
            page.locator("#composer .attach-button").click()
        chooser.value.set_files(
            [{"name": "my garden.png", "mimeType": "image/png", "buffer": picture}]
        )
        upload = page.locator("#composer .upload")
        expect(upload).to_have_count(1)
        expect(upload.locator("progress")).to_be_visible()
        expect(upload.locator(".upload-name")).to_have_text("my garden.png")
        page.locator("#composer-input").fill("A picture of my garden")
        page.locator("#composer-input").press("Enter")
        # The message waits for its upload, and says so.
        expect(page.locator("#composer .hint")).to_contain_text("as soon as the files are uploaded")
        expect(page.locator("#composer-input")).to_have_value("A picture of my garden")
        page.screenshot(path=ARTIFACTS / "files-uploading-1280.png")
        # Then it goes by itself, and reaches the partner with its thumbnail.
        theirs = mentor.page.locator(".msg", has_text="A picture of my garden")
        expect(theirs.locator(".attachment-picture img")).to_be_visible(timeout=15_000)
        expect(page.locator("#composer .upload")).to_have_count(0)
        expect(page.locator("#composer-input")).to_have_value("")
        throttle.send("Network.emulateNetworkConditions", {
            "offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1,
        })  # fmt: skip
        image = theirs.locator(".attachment-picture img")
        assert image.evaluate("img => img.complete && img.naturalWidth > 0")
        assert image.get_attribute("alt") == "my garden.png"
        href = theirs.locator(".attachment-picture").get_attribute("href")
        assert href.startswith("/files/") and href.endswith("/my%20garden.png")

        # Drop a file on the channel: a card with its name, type and size, live on both pages.
        page.evaluate(
            DROP, ["#message-scroll", "notes.txt", "text/plain", list(b"My notes\n" * 300)]
        )
        expect(page.locator("#composer .upload.is-done")).to_have_count(1)
        page.locator("#composer-input").press("Enter")  # files alone: no text needed
        card = mentor.page.locator(".attachment-card", has_text="notes.txt")
        expect(card).to_be_visible()
        expect(card.locator(".attachment-meta")).to_have_text("Text · 2.6 KB")
        expect(page.locator(".attachment-card", has_text="notes.txt")).to_be_visible()

        # A refused file says why, and can be removed; the message does not go meanwhile.
        page.evaluate(
            DROP, ["#composer", "tool.png", "image/png", list(b"\x7fELF\x02\x01\x01" + bytes(200))]
        )
        failed = page.locator("#composer .upload.is-failed")
        expect(failed.locator(".upload-status")).to_contain_text("cannot be shared here")
        page.locator("#composer-input").press("Enter")
        expect(page.locator("#composer .hint")).to_contain_text("could not be uploaded")
        failed.get_by_role("button", name="Remove tool.png").click()
        expect(page.locator("#composer .upload")).to_have_count(0)

        # A lost connection: try again, and it goes through.
        lost = {"count": 0}

        def lose_first(route: Any) -> None:
            if lost["count"] == 0:
                lost["count"] += 1
                route.abort()
            else:
                route.continue_()

        page.route("**/api/v1/files", lose_first)
        page.evaluate(DROP, ["#message-scroll", "retry.txt", "text/plain", list(b"again")])
        retry_row = page.locator("#composer .upload", has_text="retry.txt")
        expect(retry_row.locator(".upload-status")).to_have_text("The connection was lost.")
        retry_row.get_by_role("button", name="Try uploading retry.txt again").click()
        expect(retry_row).to_have_class("upload is-done")
        page.unroute("**/api/v1/files")
        # Cancelled before sending: gone from the message.
        page.locator("#composer .upload", has_text="retry.txt").get_by_role(
            "button", name="Remove retry.txt"
        ).click()
        expect(page.locator("#composer .upload")).to_have_count(0)

        # The picture opens from the thumbnail (its own tab).
        with mentor.context.expect_page() as opened:
            theirs.locator(".attachment-picture").click()
        expect(opened.value.locator("img")).to_have_count(1)
        opened.value.close()

        for person, name in ((mentee, "files-mentee"), (mentor, "files-mentor")):
            person.page.screenshot(path=ARTIFACTS / f"{name}-1280.png")

    await web.run(scenario)
    assert not people["mentee"].problems and not people["mentor"].problems


async def test_files_at_phone_width_and_in_a_thread(web: Web):
    pair = await web.server.pair_channel_id(1)
    mentor = await web.server.client("mentor1")
    from tests.file_support import png, share

    root, _ = await share(
        mentor, png(900, 600, color=(40, 120, 90)), "whiteboard.png", pair, body="From today"
    )
    await share(mentor, b"%PDF-1.4\n%a long document name\n", "Mentoring agreement, signed version (final).pdf", pair, body="And the agreement")  # fmt: skip

    def scenario() -> None:
        mentee = open_channel(web, "mentee1", pair, PHONE)
        page = mentee.page
        expect(page.locator(".attachment-picture img")).to_be_visible()
        expect(page.locator(".attachment-card")).to_contain_text("PDF document")
        # Nothing is wider than the phone.
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.evaluate(DROP, ["#message-scroll", "my answer.txt", "text/plain", list(b"ok")])
        expect(page.locator("#composer .upload.is-done")).to_have_count(1)
        page.screenshot(path=ARTIFACTS / "files-360.png")
        page.locator("#composer .upload").get_by_role("button", name="Remove my answer.txt").click()

        # A reply in the thread, with a file from the thread's own attach button.
        page.locator(f"#m-{root['id']} [data-action=open-thread]").first.click()
        with page.expect_file_chooser() as chooser:
            page.locator("#thread-composer .attach-button").click()
        chooser.value.set_files(
            [{"name": "reply.txt", "mimeType": "text/plain", "buffer": b"in the thread"}]
        )
        expect(page.locator("#thread-composer .upload.is-done")).to_have_count(1)
        page.locator("#thread-composer-input").fill("Here it is")
        page.locator("#thread-composer-input").press("Enter")
        expect(
            page.locator("#thread-replies .attachment-card", has_text="reply.txt")
        ).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        page.screenshot(path=ARTIFACTS / "files-thread-360.png")

    await web.run(scenario)


async def test_without_javascript_the_form_sends_a_file(web: Web):
    pair = await web.server.pair_channel_id(1)

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
            field = page.locator("#composer-file")
            expect(field).to_be_visible()
            expect(page.locator("#composer .attach-button")).to_be_hidden()
            page.screenshot(path=ARTIFACTS / "files-no-js-360.png", full_page=True)
            field.set_input_files(
                [{"name": "cv.txt", "mimeType": "text/plain", "buffer": b"My CV, no JavaScript"}]
            )
            page.locator("#composer-input").fill("My CV, sent from a plain form")
            page.locator("#composer .send-button").click()
            sent = page.locator(".msg", has_text="sent from a plain form")
            expect(sent.locator(".attachment-card")).to_contain_text("cv.txt")
            expect(sent.locator(".attachment-meta")).to_have_text("Text · 20 bytes")
        finally:
            context.close()

    await web.run(scenario)
