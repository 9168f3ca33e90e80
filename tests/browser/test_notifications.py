"""Mentions and the bell in a real browser: `@` offers the people who can read the channel
(keyboard and touch), the bell counts up live on another page, and opening a notification
lands on the message."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .conftest import ARTIFACTS, PHONE, Person, Web, axe_violations


def open_page(person: Person, path: str) -> None:
    person.page.goto(path)
    expect(person.page.locator("body[data-connection=live]")).to_have_count(1)


async def test_at_offers_readers_and_a_picked_mention_becomes_a_chip(web: Web):
    lounge = await web.server.channel_id("mentor_lounge")

    def scenario():
        maria = web.person("mentor1")
        open_page(maria, f"/channels/{lounge}")
        box = maria.page.locator("#composer textarea")
        box.fill("Thanks @gr")
        listbox = maria.page.get_by_role("listbox", name="People you can mention")
        expect(listbox).to_be_visible()
        expect(listbox.get_by_role("option")).to_have_count(1)
        expect(listbox.get_by_role("option").first).to_contain_text("Grete Holm")
        expect(box).to_have_attribute("aria-activedescendant", re.compile(r"^mention-list-"))
        maria.page.screenshot(path=str(ARTIFACTS / "mention-autocomplete-desktop.png"))
        assert axe_violations(maria.page) == []
        box.press("Enter")  # picks; does not send
        expect(listbox).to_be_hidden()
        expect(box).to_have_value(re.compile(r"^Thanks @\[Grete Holm\]\(user:\d+\) $"))
        box.type("for the tip")
        box.press("Enter")
        chip = maria.page.locator("#messages .msg[data-id] .mention").last
        expect(chip).to_have_text("@Grete Holm")
        # Mentees cannot read the mentor lounge, so none is offered.
        box.fill("@sa")
        expect(maria.page.get_by_role("option")).to_have_count(0)

    await web.run(scenario)


async def test_picking_by_touch_on_a_phone(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        maria = web.person("mentor1", viewport=PHONE)
        open_page(maria, f"/channels/{pair}")
        box = maria.page.locator("#composer textarea")
        box.fill("@")
        option = maria.page.get_by_role("option", name=re.compile("Sara Nielsen"))
        expect(maria.page.get_by_role("option")).to_have_count(1)  # only the partner reads it
        maria.page.screenshot(path=str(ARTIFACTS / "mention-autocomplete-phone.png"))
        option.click()
        expect(box).to_have_value(re.compile(r"^@\[Sara Nielsen\]\(user:\d+\) $"))

    await web.run(scenario)


async def test_the_bell_counts_up_live_and_opening_lands_on_the_message(web: Web):
    lounge = await web.server.channel_id("mentor_lounge")

    def scenario():
        grete = web.person("mentor2")
        web.api(grete, "POST", "/api/v1/notifications/read", {"all": True})
        maria = web.person("mentor1")
        open_page(grete, "/communities")  # elsewhere, with the bell in the top bar
        bell = grete.page.locator("#bell")
        expect(bell).to_have_attribute("data-unread", "0")
        me = web.api(grete, "GET", "/api/v1/me")["user"]
        sent = web.api(
            maria,
            "POST",
            f"/api/v1/channels/{lounge}/messages",
            {"body": f"Question for @[Grete Holm](user:{me['id']}): lunch?"},
        )["message"]
        expect(bell).to_have_attribute("data-unread", "1")
        expect(grete.page.locator("#bell-count")).to_have_text("1")
        expect(grete.page).to_have_title(re.compile(r"^\(1\) "))
        grete.page.screenshot(path=str(ARTIFACTS / "bell-desktop.png"))

        bell.click()
        item = grete.page.get_by_role("link", name=re.compile("Maria Jensen mentioned you"))
        expect(item).to_be_visible()
        grete.page.screenshot(path=str(ARTIFACTS / "notifications-desktop.png"))
        assert axe_violations(grete.page) == []
        item.click()
        expect(grete.page).to_have_url(re.compile(rf"/channels/{lounge}#m-{sent['id']}$"))
        expect(grete.page.locator(f"#m-{sent['id']}")).to_be_in_viewport()
        expect(grete.page.locator("#bell")).to_have_attribute("data-unread", "0")

        phone = web.person("mentor2", viewport=PHONE)
        phone.page.goto("/notifications")
        phone.page.screenshot(path=str(ARTIFACTS / "notifications-phone.png"), full_page=True)
        phone.page.goto("/profile")
        phone.page.locator("#notifications-title").scroll_into_view_if_needed()
        phone.page.screenshot(path=str(ARTIFACTS / "profile-notifications-phone.png"))

    await web.run(scenario)


RECORD_NOTIFICATIONS = """
window.__shown = [];
class RecordingNotification {
  static permission = "granted";
  static requestPermission() { return Promise.resolve("granted"); }
  constructor(title, options) { window.__shown.push({ title, body: options?.body ?? "" }); }
}
window.Notification = RecordingNotification;
Object.defineProperty(document, "hidden", { get: () => true });
localStorage.setItem("mentorspace:browser-notifications", "on");
"""


async def test_browser_notifications_while_hidden_say_who_never_what(web: Web):
    pair = await web.server.pair_channel_id(1)
    lounge = await web.server.channel_id("mentee_lounge")

    def scenario():
        sara = web.person("mentee1")
        sara.context.add_init_script(RECORD_NOTIFICATIONS)
        open_page(sara, "/communities")
        maria, lene = web.person("mentor1"), web.person("mentee2")
        secret = "PAIRSECRET-browser-1"
        web.api(maria, "POST", f"/api/v1/channels/{pair}/messages", {"body": secret})
        me = web.api(sara, "GET", "/api/v1/me")["user"]
        web.api(
            lene,
            "POST",
            f"/api/v1/channels/{lounge}/messages",
            {"body": f"@[Sara Nielsen](user:{me['id']}) coffee?"},
        )
        shown = sara.page.wait_for_function("() => window.__shown.length >= 2 && window.__shown")
        shown = sara.page.evaluate("() => window.__shown")
        assert {
            "title": "Maria Jensen sent you a message",
            "body": "In your mentoring channel",
        } in shown
        assert {
            "title": "Lene Madsen mentioned you in Mentee lounge",
            "body": "@Sara Nielsen coffee?",
        } in shown
        assert secret not in str(shown)

    await web.run(scenario)


async def test_a_late_answer_about_the_bell_does_not_undo_a_notification_counted_live(web: Web):
    """The bell asks the server for its count as the page opens; a mention that arrives live
    before the answer stays counted (the answer was taken before it)."""
    lounge = await web.server.channel_id("mentor_lounge")

    def scenario():
        grete, maria = web.person("mentor2"), web.person("mentor1")
        web.api(grete, "POST", "/api/v1/notifications/read", {"all": True})
        held = []
        grete.page.route("**/api/v1/notifications?limit=50", lambda r: held.append((r, r.fetch())))
        open_page(grete, "/communities")
        for _ in range(200):  # the page asks as it opens
            if held:
                break
            grete.page.wait_for_timeout(25)
        assert held, "the page never asked for its count"
        me = web.api(grete, "GET", "/api/v1/me")["user"]

        def mention(text: str) -> None:
            body = f"{text} @[Grete Holm](user:{me['id']})"
            web.api(maria, "POST", f"/api/v1/channels/{lounge}/messages", {"body": body})

        bell = grete.page.locator("#bell")
        mention("Lunch?")
        expect(bell).to_have_attribute("data-unread", "1")
        for route, answer in held:
            route.fulfill(response=answer)  # counts from before the mention
        grete.page.unroute("**/api/v1/notifications?limit=50")
        mention("Or coffee?")  # a barrier: counted after the old answers are applied
        expect(bell).to_have_attribute("data-unread", "2")

    await web.run(scenario)
