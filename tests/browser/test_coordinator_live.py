"""What coordinators do in the coordinator area reaching people's open pages live: a task
posted now appears as a card in both members' channel and its done state follows them, and a
new pair channel appears on both people's home pages and turns read-only when the pair ends."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from channels.demo import DEMO_PASSWORD
from channels.people.accounts import create_user
from tests.support import email

from .conftest import ARTIFACTS, DESKTOP, PHONE, Person, Web, axe_violations

TITLE = "Week 1: share your CV draft"


def open_channel(person: Person, channel_id: int) -> None:
    person.page.goto(f"/channels/{channel_id}")
    expect(person.page.locator("body[data-connection=live]")).to_have_count(1)


def open_home(person: Person) -> None:
    person.page.goto("/")
    expect(person.page.locator("body[data-connection=live]")).to_have_count(1)


def task_card(person: Person, title: str = TITLE):
    return person.page.locator("#messages .msg-task").filter(has_text=title)


def check_page(page, name: str) -> None:
    width = page.viewport_size["width"]
    assert axe_violations(page) == [], f"{name} at {width}px"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}-{width}.png", full_page=True)


async def test_a_task_posted_now_is_done_live_and_the_coordinator_sees_one_done(web: Web):
    pair = await web.server.pair_channel_id(1)
    active = len(await web.server.store.list_pairs(active_only=True))
    assert active > 1  # so "1 of N" says something

    def scenario():
        mentor, mentee = web.person("mentor1"), web.person("mentee1")
        open_channel(mentor, pair)
        open_channel(mentee, pair)

        coordinator = web.person("coordinator")
        admin = coordinator.page
        admin.goto("/")
        admin.get_by_role("navigation", name="Programme").get_by_role(
            "link", name="Coordinator area"
        ).click()
        admin.get_by_role("navigation", name="Coordinator area").get_by_role(
            "link", name="Tasks"
        ).click()
        expect(admin).to_have_url(f"{web.url}/admin/tasks")
        check_page(admin, "admin-tasks-empty")

        # An empty title is refused with a clear sentence, and nothing is posted.
        admin.get_by_label("What to do").fill("Send your mentor the **first draft** of your CV.")
        admin.get_by_label("Title").fill("   ")
        admin.get_by_role("button", name=f"Save and post now to all {active} active pairs").click()
        expect(admin.get_by_role("alert")).to_contain_text("title")
        expect(admin.get_by_label("What to do")).to_have_value(
            "Send your mentor the **first draft** of your CV."
        )
        expect(task_card(mentee, "")).to_have_count(0)

        admin.get_by_label("Title").fill(TITLE)
        admin.get_by_label("Due after (days)").fill("7")
        admin.get_by_role("button", name=f"Save and post now to all {active} active pairs").click()
        expect(admin.get_by_role("status")).to_contain_text("The task is posted")
        expect(admin.locator(".progress-summary")).to_have_text(f"0 of {active} done")

        # Both members see the card arrive, with its text and the due date in the programme's zone.
        for person in (mentor, mentee):
            card = task_card(person)
            expect(card).to_have_count(1)
            expect(card.locator(".task-title")).to_have_text(TITLE)
            expect(card.locator(".msg-body strong")).to_have_text("first draft")
            expect(card.locator(".task-due")).to_contain_text(
                re.compile(r"Due \w+day, \d{1,2} \w+ \d{4}, \d{2}:\d{2}")
            )
            expect(card).not_to_have_class(re.compile("is-overdue"))
        expect(mentee.page.locator("#announcer")).to_have_text(f"New task: {TITLE}")

        # The mentee marks it done; the mentor sees it done, live.
        done = task_card(mentee).get_by_role("button", name=f"Mark as done: {TITLE}")
        done.focus()
        mentee.page.keyboard.press("Enter")
        undo = task_card(mentee).get_by_role("button", name=f"Done ✓ — undo: {TITLE}")
        expect(undo).to_be_focused()
        expect(task_card(mentor)).to_have_class(re.compile("is-done"))
        expect(task_card(mentor).locator(".task-state")).to_contain_text("Done by Sara Nielsen")
        expect(mentor.page.locator("#announcer")).to_have_text(
            f"Sara Nielsen marked the task {TITLE} as done."
        )
        mentee.page.mouse.move(0, 0)
        check_page(mentee.page, "task-card-done")

        admin.reload()
        expect(admin.locator(".progress-summary")).to_have_text(f"1 of {active} done")
        row = admin.locator("tbody tr").filter(has_text="Sara Nielsen")
        expect(row).to_contain_text("Done")
        expect(row).to_contain_text("Maria Jensen")
        # Only dates and states: nothing a pair wrote is on this page.
        check_page(admin, "admin-task-progress")

        # Either member can undo it: the mentor does, and the mentee sees it open again.
        task_card(mentor).get_by_role("button", name=f"Done ✓ — undo: {TITLE}").click()
        expect(
            task_card(mentee).get_by_role("button", name=f"Mark as done: {TITLE}")
        ).to_be_visible()
        expect(task_card(mentee)).not_to_have_class(re.compile("is-done"))
        check_page(mentor.page, "task-card-open")
        admin.reload()
        expect(admin.locator(".progress-summary")).to_have_text(f"0 of {active} done")

        # The card's thread opens like any thread, with the card at its head.
        task_card(mentee).get_by_role("link", name="Reply in thread").click()
        panel = mentee.page.locator("#thread-panel")
        expect(panel.locator("#thread-root .task-title")).to_have_text(TITLE)
        mentee.page.get_by_role("textbox", name="Reply in thread").fill("Sent it by mail just now")
        mentee.page.keyboard.press("Enter")
        expect(task_card(mentor).locator(".thread-link")).to_have_text("1 reply")

        # A reload shows the card as the server draws it: the same state.
        mentor.page.reload()
        expect(
            task_card(mentor).get_by_role("button", name=f"Mark as done: {TITLE}")
        ).to_be_visible()

        # Other pairs got it too, and did not see anything of this pair's.
        other = web.person("mentee2")
        other.page.goto("/")
        other.page.get_by_role("navigation", name="Your conversations").get_by_role(
            "link", name=re.compile("^Grete Holm")
        ).click()
        expect(task_card(other)).to_have_count(1)
        expect(task_card(other).locator(".task-state")).to_have_count(0)

    await web.run(scenario)


async def _fresh_person(web: Web, handle: str, name: str, role: str) -> int:
    store = web.server.store
    user = await create_user(
        store,
        email=email(handle),
        name=name,
        role=role,
        expertise="Nursing",
        password=DEMO_PASSWORD,
    )
    return user.id


async def test_pairing_and_ending_a_pair_reach_both_open_home_pages_live(web: Web):
    await _fresh_person(web, "mentor9", "Nina Holt", "mentor")
    await _fresh_person(web, "mentee9", "Olga Brandt", "mentee")

    def scenario():
        mentor, mentee = web.person("mentor9"), web.person("mentee9")
        for person in (mentor, mentee):
            open_home(person)
            menu = person.page.get_by_role("navigation", name="Your conversations")
            expect(menu).not_to_contain_text("Your mentoring")

        coordinator = web.person("coordinator")
        admin = coordinator.page
        admin.goto("/admin/pairs")
        admin.get_by_label("Mentee").select_option(label="Olga Brandt")
        admin.get_by_role("button", name="Suggest mentors").click()
        admin.get_by_role("button", name="Pair with Nina Holt").click()
        expect(admin.get_by_role("status")).to_contain_text("They are paired")

        # The new channel appears on both home pages without a reload, under "Your mentoring",
        # and in the role's menu at the top.
        mentee_link = mentee.page.get_by_role("navigation", name="Your conversations").get_by_role(
            "link", name=re.compile("^Nina Holt")
        )
        mentor_link = mentor.page.get_by_role("navigation", name="Your conversations").get_by_role(
            "link", name=re.compile("^Olga Brandt")
        )
        expect(mentee_link).to_be_visible()
        expect(mentor_link).to_be_visible()
        expect(
            mentee.page.get_by_role("navigation", name="Programme").get_by_role(
                "link", name="My mentor"
            )
        ).to_be_visible()
        check_page(mentee.page, "home-new-pair")

        # The home page hears the new channel: its unread count rises when the mentor writes.
        channel_id = int(mentee_link.get_attribute("data-channel-id") or 0)
        start = int(mentee_link.locator(".unread").get_attribute("data-unread") or 0)  # welcome
        web.api(
            mentor,
            "POST",
            f"/api/v1/channels/{channel_id}/messages",
            {"body": "Welcome, Olga! Shall we meet on Monday?"},
        )
        expect(mentee_link.locator(".unread-count")).to_have_text(str(start + 1))

        mentee_link.click()
        expect(mentee.page.locator("body[data-connection=live]")).to_have_count(1)
        expect(mentee.page.locator("#composer")).to_be_visible()
        expect(mentee.page.locator("#messages")).to_contain_text("Shall we meet on Monday?")
        open_channel(mentor, channel_id)

        admin.goto("/admin/pairs")
        admin.locator("tbody tr").filter(has_text="Olga Brandt").get_by_role(
            "button", name="End pair"
        ).click()
        expect(admin.get_by_role("heading", level=1)).to_contain_text("End the pair of")
        check_page(admin, "confirm-end-pair")
        admin.get_by_role("button", name="Yes, end this pair").click()
        expect(admin.get_by_role("status")).to_contain_text("The pair has ended")

        # Both open channels turn read-only in place: the message box is gone, a calm notice says why.
        for person in (mentor, mentee):
            page = person.page
            expect(page.locator("#composer")).to_have_count(0)
            expect(page.locator("#channel .composer-note")).to_have_text(
                "This conversation has ended. You can still read it."
            )
            expect(page.locator("#messages")).to_contain_text("Shall we meet on Monday?")
            expect(page.get_by_role("link", name="Reply in thread")).to_have_count(0)
            expect(page.get_by_role("navigation", name="Your conversations")).to_contain_text(
                "this pair has ended"
            )
        check_page(mentee.page, "channel-pair-ended")
        mentee.page.reload()  # and the server says the same
        expect(mentee.page.locator("#composer")).to_have_count(0)
        expect(mentee.page.locator(".composer-note")).to_contain_text("has ended")

    await web.run(scenario)


async def test_a_disabled_account_hears_why_its_session_ended(web: Web):
    mentee_id = (await web.server.store.load_user_by_email(email("mentee3"))).id

    def scenario():
        mentee = web.person("mentee3")
        open_home(mentee)
        coordinator = web.person("coordinator")
        web.api(coordinator, "PATCH", f"/api/v1/users/{mentee_id}", {"disabled": True})
        banner = mentee.page.locator("#connection-banner")
        expect(banner).to_contain_text("Your session has ended.")
        expect(banner).to_contain_text("This account has been disabled.")
        expect(banner.get_by_role("link", name="Log in again")).to_be_visible()
        mentee.page.wait_for_timeout(2500)  # longer than a "connection lost" would wait
        expect(banner).to_contain_text("This account has been disabled.")

    await web.run(scenario)


async def test_a_changed_menu_reaches_open_pages_and_coordinators_see_their_area(web: Web):
    def scenario():
        mentee = web.person("mentee1")
        open_home(mentee)
        programme = mentee.page.get_by_role("navigation", name="Programme")
        expect(programme.get_by_role("link", name="Coordinator area")).to_have_count(0)
        expect(programme.get_by_role("link", name="Home")).to_have_attribute("aria-current", "page")

        coordinator = web.person("coordinator")
        web.api(
            coordinator,
            "PUT",
            "/api/v1/menus/mentee",
            {
                "items": [
                    {"item": "home"},
                    {"item": "pair", "label": "My mentor"},
                    {"item": "link", "label": "Video call", "url": "https://meet.example.org/p"},
                    {"item": "announcements", "label": "News"},
                ]
            },
        )
        expect(programme.get_by_role("link", name="Video call")).to_have_attribute(
            "href", "https://meet.example.org/p"
        )
        expect(programme.get_by_role("link")).to_have_text(
            ["Home", "My mentor", "Video call", "News"]
        )

        open_home(coordinator)
        area = coordinator.page.get_by_role("navigation", name="Programme").get_by_role(
            "link", name="Coordinator area"
        )
        expect(area).to_have_attribute("href", "/admin")

    await web.run(scenario)


async def test_the_login_page_offers_a_new_password(web: Web):
    def scenario():
        for viewport in (DESKTOP, PHONE):
            visitor = web.person(None, viewport=viewport)
            visitor.page.goto("/login")
            visitor.page.get_by_role("link", name="Forgot your password?").click()
            expect(visitor.page).to_have_url(f"{web.url}/forgot-password")
            expect(visitor.page.get_by_role("heading", level=1)).to_have_text(
                "Forgot your password?"
            )
            check_page(visitor.page, "forgot-password")

    await web.run(scenario)


async def test_new_pages_at_phone_size(web: Web):
    pair = await web.server.pair_channel_id(2)
    coordinator_client = await web.server.client("coordinator")
    response = await coordinator_client.post(
        "/api/v1/tasks",
        {"title": "Week 2: practise an interview", "body": "Pick one story.", "due_days": 3},
    )
    task_id = (await response.json())["task"]["id"]
    await coordinator_client.post(f"/api/v1/tasks/{task_id}/post-now", {"all": True})

    def scenario():
        coordinator = web.person("coordinator", viewport=PHONE)
        coordinator.page.goto("/admin/tasks")
        check_page(coordinator.page, "admin-tasks")
        coordinator.page.get_by_role("link", name="Week 2: practise an interview").click()
        expect(coordinator.page.locator(".progress-summary")).to_contain_text("0 of")
        check_page(coordinator.page, "admin-task-progress")
        mentee = web.person("mentee2", viewport=PHONE)
        open_channel(mentee, pair)
        expect(task_card(mentee, "Week 2")).to_have_count(1)
        mentee.page.mouse.move(0, 0)
        check_page(mentee.page, "task-card-open")
        open_home(mentee)
        check_page(mentee.page, "home-programme-menu")

    await web.run(scenario)
