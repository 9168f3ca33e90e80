"""Questionnaires in Chromium: a coordinator builds one in the coordinator area and assigns it to
a pair; the mentee (who agreed to the research on her home page's card), on a phone with her
pair channel open, sees its card arrive, opens it, is told what is missing, answers, and the
coordinator's results show her answer, and so does the chart on the research reports page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.mail_support import running_server
from tests.task_support import pair_id

from .conftest import ARTIFACTS, PHONE, Web
from .test_coordinator_live import check_page, open_channel, open_home

TITLE = "Your first month"


@pytest.fixture
async def server(data_dir):
    """Reports that show a figure of one person, so one answer moves the chart."""
    async with running_server(data_dir, config_changes={"report_min_cell": 1}) as running:
        yield running


def chart_counts(admin, question: str) -> list[int]:
    """What the reports page's chart of `question` draws now (Chart.js's own data)."""
    box = admin.locator(".chart-box").filter(has_text=question)
    expect(box.locator("canvas")).to_be_visible()
    return box.locator("canvas").evaluate("canvas => Chart.getChart(canvas).data.datasets[0].data")


@pytest.mark.long
async def test_a_coordinator_builds_and_assigns_and_a_mentee_answers_on_a_phone(web: Web):
    pair = await web.server.pair_channel_id(1)
    the_pair = await pair_id(web.server, 1)
    closes = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()

    def scenario():
        mentee = web.person("mentee1", PHONE)
        open_channel(mentee, pair)
        desk = web.person("mentee1")  # her home page on another device
        open_home(desk)
        # Her first login welcomes her (what the pair channel is), then asks about the research.
        welcome = desk.page.locator(".prompt.welcome")
        expect(welcome).to_contain_text("Only the two of you can read it")
        check_page(desk.page, "welcome-card")
        welcome.get_by_role("button", name="Got it").click()
        expect(welcome).to_have_count(0)
        consent = desk.page.locator(".prompt").filter(has_text="may the research count your use")
        check_page(desk.page, "consent-card")
        consent.get_by_role("button", name="Yes, count my use").click()
        expect(desk.page.locator(".prompt")).to_have_count(0)
        desk.page.get_by_role("navigation", name="Programme").get_by_role(
            "link", name=re.compile("^Library")
        ).click()  # counted in the usage record (the menu item, nothing more), best effort
        expect(desk.page).to_have_url(f"{web.url}/resources")
        open_home(desk)

        admin = web.person("coordinator").page
        admin.goto("/")
        admin.get_by_role("navigation", name="Programme").get_by_role(
            "link", name="Questionnaires"
        ).click()
        expect(admin).to_have_url(f"{web.url}/admin/questionnaires")
        admin.get_by_label("Title").fill(TITLE)
        admin.get_by_role("button", name="Write it").click()
        expect(admin.get_by_role("status")).to_contain_text("The questionnaire is written")
        admin.get_by_label("Introduction").fill("Three questions, **two minutes**.")
        admin.get_by_role("button", name="Save", exact=True).click()
        expect(admin.get_by_role("status")).to_have_text("Saved.")

        adding = admin.locator("form.question-form").last
        adding.get_by_label("Question").fill("How often have you met?")
        adding.get_by_label("Answered with").select_option("single")
        adding.get_by_label("Options, one per line").fill("Every week\nEvery two weeks\nNot yet")
        adding.get_by_role("button", name="Add the question").click()
        expect(admin.get_by_role("status")).to_have_text("The question is saved.")

        adding = admin.locator("form.question-form").last
        adding.get_by_label("Question").fill("How confident do you feel?")
        adding.get_by_label("Answered with").select_option("scale")
        expect(adding.get_by_label("Options, one per line")).to_be_hidden()
        adding.get_by_label("1 means").fill("Not at all")
        adding.get_by_label("5 means").fill("Very")
        adding.get_by_role("button", name="Add the question").click()

        adding = admin.locator("form.question-form").last
        adding.get_by_label("Question").fill("What would help you most?")
        adding.get_by_label("Answered with").select_option("long_text")
        adding.get_by_label("An answer is required").uncheck()
        adding.get_by_role("button", name="Add the question").click()
        questions = admin.locator(".builder-question")
        expect(questions).to_have_count(3)
        # The scale first: it is the question that matters most.
        questions.nth(1).get_by_role("button", name="Move up question 2").click()
        expect(questions.first).to_contain_text("How confident do you feel?")
        check_page(admin, "questionnaire-builder")

        assign = admin.locator("form.assign-form")
        assign.get_by_label("Mentors").uncheck()
        assign.get_by_label("Chosen pairs").check()
        assign.get_by_label("Maria Jensen and Sara Nielsen").check()
        assign.get_by_label("Open until (included)").fill(closes)
        assign.get_by_role("button", name="Assign it").click()
        expect(admin.get_by_role("status")).to_contain_text("It is open")
        expect(admin.locator(".questionnaire-summary")).to_contain_text("mentees of 1 chosen pair")
        check_page(admin, "questionnaire-assigned")

        # The research reports draw the question, with nobody's answer yet.
        admin.goto("/admin/reports")
        assert chart_counts(admin, "How often have you met?") == [0, 0, 0]
        admin.go_back()

        # Her other device's menu counts it at once.
        programme = desk.page.get_by_role("navigation", name="Programme")
        expect(programme.get_by_role("link", name="Questionnaires 1 waiting")).to_be_visible()
        # Her pair channel shows the card at once; it says nothing but what it is.
        card = mentee.page.locator("#messages .msg-questionnaire").filter(has_text=TITLE)
        expect(card).to_be_visible()
        expect(card).to_contain_text("Questionnaire from your programme")
        expect(card).to_contain_text("two minutes")
        ARTIFACTS.mkdir(exist_ok=True)
        mentee.page.screenshot(path=str(ARTIFACTS / "questionnaire-card-360.png"))
        card.get_by_role("link", name=f"Open the questionnaire: {TITLE}").click()
        expect(mentee.page.get_by_role("heading", name=TITLE)).to_be_visible()

        page = mentee.page
        page.get_by_role("group", name=re.compile("How often have you met")).get_by_label(
            "Every two weeks"
        ).check()
        page.get_by_label("What would help you most? (optional)").fill("Practising interviews")
        # A required scale left out: the browser's own check is skipped, the server's speaks.
        page.locator("form.questionnaire-form").evaluate("form => form.noValidate = true")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("alert")).to_have_text("Question 1 needs an answer.")
        expect(page.get_by_label("What would help you most? (optional)")).to_have_value(
            "Practising interviews"
        )
        expect(page.get_by_label("Every two weeks")).to_be_checked()
        scale = page.get_by_role("group", name=re.compile("How confident do you feel"))
        scale.get_by_text("4", exact=True).click()
        check_page(page, "questionnaire-answer")
        page.get_by_role("button", name="Send my answers").click()
        expect(page.get_by_role("status")).to_have_text("Thank you: your answers are sent.")
        expect(page.get_by_role("button", name="Save my changes")).to_be_visible()
        page.goto("/")
        expect(page.locator(".home-questionnaires")).to_contain_text("Answered")

        admin.get_by_role("link", name="See the results").click()
        expect(admin.locator(".results-total")).to_contain_text("1 of 1")
        confidence = admin.locator(".question-result").filter(has_text="How confident")
        expect(confidence.locator(".bar-share").nth(3)).to_have_text("100%")
        expect(admin.locator(".text-answer")).to_contain_text("Practising interviews")
        check_page(admin, "questionnaire-results")
        phone_admin = web.person("coordinator", PHONE).page
        phone_admin.goto(admin.url)
        check_page(phone_admin, "questionnaire-results")

        # The chart on the reports page has changed: one mentee chose "Every two weeks".
        admin.get_by_role("navigation", name="Coordinator area").get_by_role(
            "link", name="Reports"
        ).click()
        assert chart_counts(admin, "How often have you met?") == [0, 1, 0]
        # (Not "Menu: library": the menu tells it by a beacon, which a browser may drop as it
        # follows the link; tests/test_research.py counts the menu item server-side.)
        expect(
            admin.locator(".chart-box").filter(has_text="Questionnaires answered")
        ).to_be_visible()
        check_page(admin, "reports")
        phone_admin.goto("/admin/reports")
        assert chart_counts(phone_admin, "How often have you met?") == [0, 1, 0]
        check_page(phone_admin, "reports")

    await web.run(scenario)
    stored = await web.server.store.list_questionnaires()
    assert [q.title for q in stored] == [TITLE] and stored[0].target_pairs == (the_pair,)
