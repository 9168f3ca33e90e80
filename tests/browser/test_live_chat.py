"""Two people in two browsers: live messages, typing, threads, catching up after being offline,
and unread counts, as the people using Mentorspace see them."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect

from .conftest import ARTIFACTS, PHONE, Person, Web


def open_channel(person: Person, channel_id: int) -> None:
    person.page.goto(f"/channels/{channel_id}")
    expect(person.page.locator("body[data-connection=live]")).to_have_count(1)


def composer(person: Person):
    return person.page.locator("#composer textarea")


def bodies(person: Person):
    """The confirmed top-level messages, in the order the page shows them."""
    return person.page.locator("#messages .msg[data-id] .msg-body")


def message_item(person: Person, text: str):
    return person.page.locator("#messages .msg[data-id]").filter(has_text=text)


def open_actions(item) -> None:
    """Open a message's actions: its one button, shown on hover."""
    item.hover()
    item.locator("[data-action=menu]").click()


async def test_mentor_and_mentee_chat_live_both_ways_and_see_typing(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentor, pair)
        open_channel(mentee, pair)
        box = mentee.page.get_by_role("textbox", name="Message Maria Jensen")

        box.fill("Hello Maria, I rewrote my CV")
        expect(mentor.page.locator("#typing")).to_have_text("Sara Nielsen is typing…")
        box.press("Enter")
        expect(box).to_have_value("")
        expect(bodies(mentor).last).to_have_text("Hello Maria, I rewrote my CV")
        expect(mentor.page.locator("#typing")).to_have_text("")
        expect(mentee.page.locator(".msg-pending")).to_have_count(0)
        expect(bodies(mentee).last).to_have_text("Hello Maria, I rewrote my CV")

        reply = mentor.page.get_by_role("textbox", name="Message Sara Nielsen")
        reply.type("Wonderful!")
        expect(mentee.page.locator("#typing")).to_have_text("Maria Jensen is typing…")
        reply.press("Shift+Enter")
        reply.type("Send it to me **tonight**")
        reply.press("Enter")
        last = bodies(mentee).last
        expect(last).to_contain_text("Wonderful!")
        assert "<br>" in last.inner_html() and "<strong>tonight</strong>" in last.inner_html()
        expect(mentee.page.locator("#announcer")).to_contain_text(
            "New message from Maria Jensen: Wonderful!"
        )
        for person in (mentor, mentee):
            expect(bodies(person).filter(has_text="rewrote my CV")).to_have_count(1)
            expect(bodies(person).filter(has_text="Wonderful!")).to_have_count(1)

    await web.run(scenario)


async def test_a_thread_reply_reaches_the_open_panel_and_the_reply_count(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentor, pair)
        open_channel(mentee, pair)
        composer(mentee).fill("Could we talk about my interview?")
        composer(mentee).press("Enter")
        expect(message_item(mentor, "my interview?")).to_have_count(1)

        # The mentee opens the thread with the keyboard alone.
        link = message_item(mentee, "my interview?").get_by_role("link", name="Reply in thread")
        link.focus()
        mentee.page.keyboard.press("Enter")
        panel = mentee.page.locator("#thread-panel")
        expect(panel).to_be_visible()
        expect(mentee.page.locator("#thread-title")).to_be_focused()
        expect(mentee.page).to_have_url(re.compile(r"/channels/\d+/threads/\d+$"))

        message_item(mentor, "my interview?").get_by_role("link", name="Reply in thread").click()
        thread_box = mentor.page.get_by_role("textbox", name="Reply in thread")
        thread_box.fill("Of course. When is it?")
        expect(mentee.page.locator("#thread-typing")).to_have_text("Maria Jensen is typing…")
        thread_box.press("Enter")

        expect(panel.locator("#thread-replies .msg-body")).to_have_text(["Of course. When is it?"])
        expect(mentee.page.locator("#thread-count")).to_have_text("1 reply")
        for person in (mentor, mentee):
            expect(message_item(person, "my interview?").locator(".thread-link")).to_have_text(
                "1 reply"
            )
        # Replies stay in the thread, not in the channel.
        expect(bodies(mentee).filter(has_text="When is it?")).to_have_count(0)

        mentee.page.get_by_role("textbox", name="Reply in thread").fill("On Monday")
        mentee.page.keyboard.press("Enter")
        expect(mentor.page.locator("#thread-replies .msg-body")).to_have_text(
            ["Of course. When is it?", "On Monday"]
        )
        expect(message_item(mentor, "my interview?").locator(".thread-link")).to_have_text(
            "2 replies"
        )

        mentee.page.keyboard.press("Escape")
        expect(panel).to_be_hidden()
        expect(mentee.page).to_have_url(re.compile(rf"/channels/{pair}$"))
        expect(message_item(mentee, "my interview?").locator(".thread-link")).to_be_focused()

    await web.run(scenario)


async def test_on_a_phone_the_thread_is_a_full_page_that_escape_closes(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentee = web.person("mentee1", viewport=PHONE)
        open_channel(mentee, pair)
        composer(mentee).fill("A question for later")
        composer(mentee).press("Enter")
        message_item(mentee, "A question for later").get_by_role(
            "link", name="Reply in thread"
        ).click()
        box = mentee.page.locator("#thread-panel").bounding_box()
        assert box is not None
        assert (box["x"], box["y"], box["width"], box["height"]) == (0, 0, 360, 740)
        expect(mentee.page.locator("#channel")).to_have_attribute("inert", "")
        mentee.page.keyboard.press("Escape")
        expect(mentee.page.locator("#thread-panel")).to_be_hidden()
        expect(mentee.page.locator("#channel")).not_to_have_attribute("inert", "")

    await web.run(scenario)


async def test_coming_back_online_shows_every_missed_change_once_in_order(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentee, pair)
        before = bodies(mentee).all_inner_texts()

        mentee.context.set_offline(True)
        banner = mentee.page.locator("#connection-banner")
        expect(banner).to_be_visible()
        expect(banner).to_contain_text("offline")

        # A message written while offline is kept, marked as not sent, with a retry.
        composer(mentee).fill("Written on the train")
        composer(mentee).press("Enter")
        failed = mentee.page.locator(".msg-failed")
        expect(failed).to_contain_text("Not sent")

        posted = []
        for text in ("First while you were away", "Second", "Third"):
            posted.append(
                web.api(
                    mentor,
                    "POST",
                    f"/api/v1/channels/{pair}/messages",
                    {"body": text, "client_id": str(uuid.uuid4())},
                )["message"]
            )
        web.api(mentor, "PATCH", f"/api/v1/messages/{posted[1]['id']}", {"body": "Second, edited"})
        expect(bodies(mentee)).to_have_text(before)  # nothing arrives while offline
        ARTIFACTS.mkdir(exist_ok=True)
        mentee.page.screenshot(path=ARTIFACTS / "channel-offline-1280.png")

        mentee.context.set_offline(False)
        expect(banner).to_be_hidden()
        expect(bodies(mentee)).to_have_text(
            [*before, "First while you were away", "Second, edited", "Third"]
        )
        expect(message_item(mentee, "Second, edited").locator(".msg-edited")).to_have_count(1)

        failed.get_by_role("button", name="Try again").click()
        expect(mentee.page.locator(".msg-pending")).to_have_count(0)
        expect(bodies(mentee).last).to_have_text("Written on the train")
        history = web.api(mentor, "GET", f"/api/v1/channels/{pair}/messages")["messages"]
        assert [m["body"] for m in history].count("Written on the train") == 1

    await web.run(scenario)


async def test_html_and_javascript_links_in_a_message_stay_inert(web: Web):
    pair = await web.server.pair_channel_id(1)
    attack = "<img src=x onerror=alert(1)> and [x](javascript:alert(1))"

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentor, pair)
        open_channel(mentee, pair)
        composer(mentee).fill(attack)
        composer(mentee).press("Enter")
        for person in (mentor, mentee):
            expect(bodies(person).last).to_have_text(attack)
        mentor.page.reload()  # and as the server renders it
        expect(bodies(mentor).last).to_have_text(attack)
        for person in (mentor, mentee):
            assert person.page.locator("#messages img").count() == 0
            assert person.page.locator("a[href^='javascript']").count() == 0
            assert person.dialogs == []

    await web.run(scenario)


async def test_unread_counts_on_home_rise_and_clear_when_read(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        mentee.page.goto("/")
        expect(mentee.page.locator("body[data-connection=live]")).to_have_count(1)
        badge = mentee.page.locator(f"[data-channel-id='{pair}'] .unread")
        start = int(badge.get_attribute("data-unread") or 0)

        for text in ("Are you free on Thursday?", "Or Friday?"):
            web.api(
                mentor,
                "POST",
                f"/api/v1/channels/{pair}/messages",
                {"body": text, "client_id": str(uuid.uuid4())},
            )
        expect(badge).to_be_visible()
        expect(badge.locator(".unread-count")).to_have_text(str(start + 2))
        expect(badge).to_contain_text(f"{start + 2} unread")

        # Reading the channel in another tab clears the count on the home page, live.
        reader = mentee.context.new_page()
        reader.goto(f"/channels/{pair}")
        expect(reader.locator("#messages .msg-body").last).to_have_text("Or Friday?")
        expect(badge).to_be_hidden()
        reader.close()
        mentee.page.reload()
        expect(mentee.page.locator(f"[data-channel-id='{pair}'] .unread")).to_be_hidden()

    await web.run(scenario)


async def test_edit_delete_react_and_moderate_in_a_lounge(web: Web):
    lounge = await web.server.channel_id("mentee_lounge")

    def scenario():
        author, peer = web.person("mentee1"), web.person("mentee2")
        coordinator = web.person("coordinator")
        for person in (author, peer, coordinator):
            open_channel(person, lounge)

        composer(author).fill("My interveiw is on Monday")
        composer(author).press("Enter")
        mine = message_item(author, "interveiw")
        open_actions(mine)
        mine.get_by_role("button", name="Edit").click()
        editor = mine.get_by_role("textbox", name="Edit your message")
        editor.fill("My interview is on Monday")
        editor.press("Enter")
        theirs = message_item(peer, "My interview is on Monday")
        expect(theirs.locator(".msg-edited")).to_have_text("(edited)")

        # Others cannot edit or delete it; they can react.
        open_actions(theirs)
        expect(theirs.locator("[data-action=edit]")).to_have_count(0)
        expect(theirs.locator("[data-action=delete]")).to_have_count(0)
        theirs.get_by_role("button", name="React").click()
        peer.page.get_by_role("button", name="React with celebrate").click()
        reaction = message_item(author, "interview is on Monday").locator("button.reaction")
        expect(reaction).to_have_text("🎉1")
        expect(reaction).to_have_attribute("aria-pressed", "false")
        expect(theirs.locator("button.reaction")).to_have_attribute("aria-pressed", "true")

        # The coordinator moderates the lounge.
        moderated = message_item(coordinator, "interview is on Monday")
        open_actions(moderated)
        moderated.get_by_role("button", name="Delete").click()
        moderated.get_by_role("button", name="Delete", exact=True).last.click()
        for person in (author, peer, coordinator):
            expect(message_item(person, "interview is on Monday")).to_have_count(0)

    await web.run(scenario)


async def test_partner_presence_and_times_people_can_read(web: Web):
    pair = await web.server.pair_channel_id(1)
    mentor_id = (await web.server.store.load_user_by_email("mentor1@demo.mentorspace")).id

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentee, pair)
        presence = mentee.page.locator(f"#channel [data-presence-user='{mentor_id}']")
        expect(presence).to_have_text("offline")
        open_channel(mentor, pair)
        expect(presence).to_have_text("online")
        expect(presence).to_have_class(re.compile("is-online"))

        composer(mentor).fill("Good morning")
        composer(mentor).press("Enter")
        stamp = message_item(mentee, "Good morning").locator("time")
        expect(stamp).to_have_text("just now")
        # The exact time, in the reader's own zone (the context runs in Copenhagen).
        expect(stamp).to_have_attribute("title", re.compile(r"\d{4}.*\d{1,2}:\d{2}"))

        mentor.page.close()
        expect(presence).to_have_text("offline")

    await web.run(scenario)


async def test_coordinators_post_announcements_and_everyone_replies_in_threads(web: Web):
    news = await web.server.channel_id("announcements")

    def scenario():
        coordinator, mentee = web.person("coordinator"), web.person("mentee1")
        open_channel(coordinator, news)
        open_channel(mentee, news)
        expect(mentee.page.locator("#composer")).to_have_count(0)
        expect(mentee.page.locator(".composer-note")).to_contain_text("reply to a post")

        composer(coordinator).fill("The summer meeting is on **14 June**.")
        composer(coordinator).press("Enter")
        post = message_item(mentee, "summer meeting")
        expect(post.locator("strong")).to_have_text("14 June")
        post.get_by_role("link", name="Reply in thread").click()
        mentee.page.get_by_role("textbox", name="Reply in thread").fill("Can partners come?")
        mentee.page.keyboard.press("Enter")
        expect(message_item(coordinator, "summer meeting").locator(".thread-link")).to_have_text(
            "1 reply"
        )

    await web.run(scenario)


async def test_older_history_loads_on_scroll_without_duplicates(web: Web):
    lounge = await web.server.channel_id("mentee_lounge")
    author = await web.server.client("mentee2")
    for n in range(70):
        await author.post(f"/api/v1/channels/{lounge}/messages", {"body": f"Tip number {n}"})
    reader = await web.server.client("mentee1")  # all read: the page opens at the newest
    await reader.post(f"/api/v1/channels/{lounge}/read", {"seq": 10**9})

    def scenario():
        mentee = web.person("mentee1")
        open_channel(mentee, lounge)
        expect(bodies(mentee)).to_have_count(50)
        mentee.page.locator("#message-scroll").evaluate("(box) => { box.scrollTop = 0; }")
        expect(mentee.page.locator(".history-start")).to_be_visible()
        texts = bodies(mentee).all_inner_texts()
        tips = [t for t in texts if t.startswith("Tip number")]
        assert tips == [f"Tip number {n}" for n in range(70)]
        assert len(texts) == len(set(texts))

    await web.run(scenario)


async def test_an_ended_session_says_so_and_offers_to_log_in_again(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentee = web.person("mentee1")
        open_channel(mentee, pair)
        web.api(mentee, "DELETE", "/api/v1/session")  # e.g. logged out from another tab
        composer(mentee).fill("Are you there?")  # the next event meets the ended session
        banner = mentee.page.locator("#connection-banner")
        expect(banner).to_contain_text("Your session has ended.")
        banner.get_by_role("link", name="Log in again").click()
        expect(mentee.page).to_have_url(re.compile(rf"/login\?next=%2Fchannels%2F{pair}$"))
        expect(mentee.page.locator("input[name=next]")).to_have_value(f"/channels/{pair}")

    await web.run(scenario)


async def test_a_live_redraw_keeps_the_keyboard_focus_where_it_was(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentor, pair)
        open_channel(mentee, pair)
        composer(mentee).fill("Shall we meet on Thursday?")
        composer(mentee).press("Enter")
        expect(message_item(mentor, "Thursday?")).to_have_count(1)
        message_id = int(message_item(mentor, "Thursday?").get_attribute("data-id"))

        link = message_item(mentor, "Thursday?").get_by_role("link", name="Reply in thread")
        link.focus()
        expect(link).to_be_focused()
        # The mentee reacts: the mentor's copy of the message is redrawn with the new count.
        web.api(mentee, "POST", f"/api/v1/messages/{message_id}/reactions", {"emoji": "👍"})
        expect(message_item(mentor, "Thursday?").locator(".reaction")).to_contain_text("1")
        expect(
            message_item(mentor, "Thursday?").get_by_role("link", name="Reply in thread")
        ).to_be_focused()

    await web.run(scenario)


async def test_a_late_answer_about_counts_does_not_undo_messages_counted_live(web: Web):
    """The home page asks the server for its counts when it connects; the answer may come
    after messages that arrived live.  Those stay counted (the answer was taken before them)."""
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        held = []

        def hold(route):  # the server answers now; the page hears it only when we say so
            held.append((route, route.fetch()))

        mentee.page.route("**/api/v1/channels", hold)
        mentee.page.goto("/")
        badge = mentee.page.locator(f"[data-channel-id='{pair}'] .unread")
        start = int(badge.get_attribute("data-unread") or 0)
        expect(mentee.page.locator("body[data-connection=live]")).to_have_count(1)
        for _ in range(200):  # the page asks 150 ms after it connects
            if held:
                break
            mentee.page.wait_for_timeout(25)
        assert held, "the page never asked for its counts"

        def send(text: str) -> None:
            web.api(
                mentor,
                "POST",
                f"/api/v1/channels/{pair}/messages",
                {"body": text, "client_id": str(uuid.uuid4())},
            )

        send("Are you free on Thursday?")
        send("Or Friday?")
        expect(badge.locator(".unread-count")).to_have_text(str(start + 2))
        route, answer = held.pop()
        route.fulfill(response=answer)  # counts from before the two messages
        mentee.page.unroute("**/api/v1/channels")
        send("Or next week?")  # a barrier: once it is counted, the old answer has been applied
        expect(badge.locator(".unread-count")).to_have_text(str(start + 3))

    await web.run(scenario)
