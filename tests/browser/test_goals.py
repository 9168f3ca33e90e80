"""Goals in Chromium: a mentee on a phone adds a goal with a milestone from her channel, and
her mentor's open channel shows its card at once; she ticks the milestone and sets the status,
and his card and his open goals page follow without a reload.  Then the coordinator asks the
pair how it is going, the mentee answers on her phone, and the coordinator reads the answer.
Each page is checked with axe and photographed."""

from __future__ import annotations

import os
import re
from pathlib import Path

from playwright.sync_api import expect

from .conftest import PHONE, Web
from .test_coordinator_live import check_page, open_channel

SHOTS = Path(os.environ.get("MENTORSPACE_SHOTS", "/tmp/goals-shots"))


def post(page, button) -> None:
    """Click a goal form's button and wait for the page it posts to.  Each post also reaches
    the page being left as a live change, which can redraw it to the new state before the
    answer arrives: without the wait, the next step could type into the page being left."""
    with page.expect_navigation():
        button.click()


def shoot(page, name: str) -> None:
    """An extra photograph for people to look at (check_page keeps its own)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


async def test_a_goal_added_on_a_phone_is_a_live_card_for_the_mentor(web: Web):
    pair = await web.server.pair_channel_id(1)

    def scenario():
        mentor = web.person("mentor1")
        open_channel(mentor, pair)
        mentor_goals = mentor.context.new_page()
        mentor_goals.goto(f"/channels/{pair}/goals")
        expect(mentor_goals.locator("body[data-connection=live]")).to_have_count(1)

        mentee = web.person("mentee1", PHONE)
        open_channel(mentee, pair)
        mentee.page.get_by_role("link", name="Goals").click()
        page = mentee.page
        expect(page.get_by_role("heading", name="Your goals")).to_be_visible()
        page.get_by_label("Goal", exact=True).fill("A job in project management")
        page.get_by_label("Milestones").fill("Update my CV")
        post(page, page.get_by_role("button", name="Add the goal"))
        goal = page.locator(".goal").filter(has_text="A job in project management")
        expect(goal).to_be_visible()
        expect(goal.get_by_text("0 of 1 milestones done")).to_be_visible()
        expect(page).to_have_url(re.compile(rf"/channels/{pair}/goals#goal-\d+$"))

        # Live, without a reload: the card in his channel, the goal on his goals page.
        card = mentor.page.locator("#messages .goal-card").filter(
            has_text="A job in project management"
        )
        expect(card).to_be_visible()
        expect(card.locator(".goal-status")).to_have_text("Not started")
        expect(card.get_by_text("Update my CV")).to_be_visible()
        expect(card.get_by_text("0 of 1 milestones done")).to_be_visible()
        mentor_goal = mentor_goals.locator(".goal").filter(has_text="A job in project management")
        expect(mentor_goal).to_be_visible()
        expect(mentor_goals.locator("#no-goals")).to_be_hidden()

        # She ticks the milestone and says it is in progress: his card and page follow.
        post(page, goal.get_by_role("button", name="Update my CV: mark as done"))
        expect(goal.get_by_text("1 of 1 milestones done")).to_be_visible()
        goal.get_by_label("Status").select_option("In progress")
        post(page, goal.get_by_role("button", name="Save", exact=True))
        expect(goal.locator(".goal-status")).to_have_text("In progress")
        expect(card.get_by_text("1 of 1 milestones done")).to_be_visible()
        expect(card.locator(".goal-status")).to_have_text("In progress")
        expect(card.locator("li.is-done .milestone-mark")).to_have_text("✓")
        expect(mentor_goal.locator(".goal-status")).to_have_text("In progress")
        expect(
            mentor_goal.get_by_role("button", name="Update my CV: done (press to undo)")
        ).to_be_visible()
        # A card is not edited or deleted as a message.
        card_item = mentor.page.locator("#messages .msg").filter(has=card)
        expect(card_item.locator("[data-action=edit]")).to_have_count(0)
        expect(card_item.locator("[data-action=delete]")).to_have_count(0)

        goal.get_by_role("textbox", name="New milestone for A job in project management").fill(
            "Apply to five jobs"
        )
        post(page, goal.get_by_role("button", name="Add", exact=True))
        expect(card.get_by_text("Apply to five jobs")).to_be_visible()
        check_page(page, "goals")
        shoot(page, "goals-phone")
        goal.get_by_text("Edit or remove").click()
        shoot(page, "goals-phone-editing")
        page.goto(f"/channels/{pair}")
        expect(page.locator("#messages .goal-card")).to_be_visible()
        page.locator("#messages .goal-card").scroll_into_view_if_needed()
        shoot(page, "channel-card-phone")
        shoot(mentor.page, "channel-card-desktop")
        shoot(mentor_goals, "goals-desktop")

        # The pair ends: his open goals page turns read-only by itself; hers reads the same.
        coordinator = web.person("coordinator")
        pair_id = next(
            p["id"]
            for p in web.api(coordinator, "GET", "/api/v1/pairs")["pairs"]
            if p["channel_id"] == pair
        )
        web.api(coordinator, "DELETE", f"/api/v1/pairs/{pair_id}")
        expect(mentor_goals.get_by_text("This pair has ended")).to_be_visible()
        expect(mentor_goals.locator(".goal-new")).to_have_count(0)
        page.goto(f"/channels/{pair}/goals")
        ended = page.locator(".goal").filter(has_text="A job in project management")
        expect(ended.get_by_text("1 of 2 milestones done")).to_be_visible()
        expect(ended.get_by_role("button")).to_have_count(0)
        check_page(page, "goals-ended")
        shoot(page, "goals-ended-phone")

    await web.run(scenario)


async def test_the_coordinator_asks_the_mentee_answers_on_a_phone_and_the_answer_is_read(web: Web):
    store = web.server.store
    pair = await store.load_pair_by_channel(await web.server.pair_channel_id(1))
    channel = await web.server.pair_channel_id(1)
    mentee_user = await web.server.user("mentee1")
    await store.write(
        lambda tx: tx.insert_goal(
            pair_id=pair.id,
            title="Private words",
            status="achieved",
            created_by=mentee_user.id,
            now="2026-01-01T00:00:00+00:00",
        )
    )

    def scenario():
        coordinator = web.person("coordinator")
        admin = coordinator.page
        admin.goto("/admin/pairs")
        row = admin.locator("tr").filter(has_text="Sara Nielsen")
        expect(row.get_by_text("1 of 1 achieved")).to_be_visible()
        row.get_by_role("button", name="Ask how it is going").click()
        expect(admin.get_by_role("status")).to_contain_text("Both are asked")
        check_page(admin, "admin-pairs")
        shoot(admin, "admin-pairs-desktop")

        mentee = web.person("mentee1", PHONE)
        mentee.page.goto("/")
        prompt = mentee.page.locator(".prompt").filter(has_text="How is your mentoring going?")
        expect(prompt).to_contain_text("How is your mentoring going?")
        shoot(mentee.page, "home-prompt-phone")
        prompt.get_by_role("link", name="Answer").click()
        page = mentee.page
        expect(page.get_by_text("Maria Jensen does not see them.")).to_be_visible()
        page.get_by_role("group", name="How is your relationship with Maria Jensen?").get_by_text(
            "Very good"
        ).click()
        page.get_by_role(
            "group", name="How much progress have you made toward your goal?"
        ).get_by_text("Some").click()
        page.get_by_label("A comment for the coordinators").fill("Maria is a great help.")
        check_page(page, "satisfaction")
        shoot(page, "satisfaction-phone")
        page.get_by_role("button", name="Send my answer").click()
        expect(page.get_by_role("status")).to_contain_text("your answer is saved")

        admin.goto("/admin/satisfaction")
        form = admin.locator(".satisfaction-request").first
        expect(form).to_contain_text("Maria is a great help.")
        expect(form).to_contain_text("5 of 5")
        expect(form).to_contain_text("has not answered")
        expect(admin.locator("body")).not_to_contain_text("Private words")
        check_page(admin, "admin-satisfaction")
        shoot(admin, "admin-satisfaction-desktop")
        phone_admin = web.person("coordinator", PHONE).page
        phone_admin.goto("/admin/satisfaction")
        shoot(phone_admin, "admin-satisfaction-phone")
        phone_admin.goto("/admin/pairs")
        shoot(phone_admin, "admin-pairs-phone")
        assert channel

    await web.run(scenario)
