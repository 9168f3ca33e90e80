"""The second half of the coordinator area in Danish (issue 13): tasks and their schedules, the
library, feedback, reported messages, questionnaires and their results, the research reports
and satisfaction.  A coordinator in a Danish programme reads every page in Danish, the weekday
names of a weekly schedule included (Babel's, not hand-written); one who chose English reads
English, in the same programme."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

from channels.dates import Calendar
from server.pages.admin.task_schedules import weekday_choices

from .goal_support import form
from .mail_support import running_server
from .questionnaire_support import answer, assign, create_questionnaire, full_answers
from .research_support import consent
from .task_support import create_task, expect, pair_id, post_now
from .test_translations import _english_left

DANISH = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}


async def _programme_with_something_on_every_page(server) -> dict[str, str]:
    """Every page of this half of the coordinator area, each with something in it to show."""
    carla = await server.client("coordinator")
    sara, maria = await server.client("mentee1"), await server.client("mentor1")

    task = await create_task(carla, title="Uge 1: del dit CV", body="Skriv **kort**.", due_days=3)
    await post_now(carla, task, {"all": True})
    until = (datetime.now(UTC) + timedelta(days=60)).date().isoformat()
    weekly = {"weekly": {"weekday": "monday", "time": "09:00"}, "until": until}
    chosen = [await pair_id(server, 1), await pair_id(server, 2)]
    scheduled = await expect(
        await carla.post(f"/api/v1/tasks/{task}/schedules", {**weekly, "pairs": chosen}), 201
    )
    day_three = {"pair_day": 3, "time": "10:30", "all": True}
    await expect(await carla.post(f"/api/v1/tasks/{task}/schedules", day_three), 201)

    folder = await expect(
        await carla.post(
            "/api/v1/library/folders", {"name": "Kom godt i gang", "audience": "everyone"}
        ),
        201,
    )
    link = {"folder_id": folder["folder"]["id"], "title": "Guide", "url": "https://example.org/g"}
    await expect(await carla.post("/api/v1/library/resources", link), 201)

    await expect(await sara.post("/api/v1/feedback", {"category": "idea", "body": "En idé"}), 201)
    sara_socket = await sara.socket()
    pair = await server.pair_channel_id(1)
    hurtful = await sara_socket.send(await server.channel_id("mentee_lounge"), "Det var ikke pænt")
    lene = await server.client("mentee2")
    await expect(
        await lene.post(f"/api/v1/messages/{hurtful['id']}/report", {"confirmed": True}), 201
    )

    questionnaire = await create_questionnaire(carla)
    await assign(carla, questionnaire["id"])
    await answer(sara, questionnaire["id"], full_answers(questionnaire, text="Godt"), 201)
    draft = await create_questionnaire(carla, title="Kladde")

    await expect(await carla.post(f"/api/v1/pairs/{chosen[0]}/satisfaction"), 201)

    # Research: the first pair agrees and writes, so the reports have weeks and a pair to show.
    await consent(sara)
    await consent(maria)
    await sara_socket.send(pair, "Hej Maria")

    schedule = scheduled["schedule"]["id"]
    return {
        "tasks": "/admin/tasks",
        "task": f"/admin/tasks/{task}",
        "schedule": f"/admin/schedules/{schedule}",
        "library": "/admin/library",
        "feedback": "/admin/feedback",
        "reported": "/admin/reported",
        "questionnaires": "/admin/questionnaires",
        "questionnaire": f"/admin/questionnaires/{questionnaire['id']}",
        "draft": f"/admin/questionnaires/{draft['id']}",
        "results": f"/admin/questionnaires/{questionnaire['id']}/results",
        "reports": "/admin/reports",
        "satisfaction": "/admin/satisfaction",
    }


# One or two things each page says in Danish, among all its other words.
DANISH_WORDS = {
    "tasks": ["Opgaver til parrene", "Skriv en ny opgave", "3 dage efter afsendelse"],
    "task": ["Hvornår den sendes", "Hver mandag kl. 09.00 indtil", "til 2 valgte par."],
    "schedule": ["Ret, hvornår og til hvem", "Den når 2 aktive par i dag.", ">Mandag</option>"],
    "library": ["Hvor tit materialerne blev åbnet", "Tilføj et link til Kom godt i gang", "Alle"],
    "feedback": ["En idé", "Feedback, nyeste først", "(mentee)"],
    "reported": ["Anmeldte beskeder", "i Menteelounge", "Markér som håndteret"],
    "questionnaires": ["Start fra et færdigt skema", "Åbent"],
    "questionnaire": ["Spørger <strong>alle mentorer og mentees</strong>", "Luk det nu"],
    "draft": ["Tilføj et spørgsmål", "Besvares med", "En skala fra 1 til 5"],
    "results": ["Hvem der svarede", "1 svar"],
    "reports": [
        "Parrenes aktivitet: beskeder pr. uge",
        "Kun de, der har sagt ja",
        "Beskeder i mentorkanalen",  # what the usage record counts
        '<td data-label="Rolle">Mentee</td>',
        "Ikke begyndt",  # a goal's status
    ],
    "satisfaction": ["Skemaer, nyeste først", "fordi en koordinator spurgte"],
}
ENGLISH_WORDS = {
    "tasks": "Tasks for pairs",
    "task": "Every Monday at 09.00 until",  # English, in the Danish programme's region
    "schedule": ">Monday</option>",
    "library": "How often resources were opened",
    "feedback": "Feedback, newest first",
    "reported": "Mark as handled",
    "questionnaires": "Start from a ready one",
    "questionnaire": "Asks <strong>all mentors and mentees</strong>",
    "draft": "Answered with",
    "results": "Who answered",
    "reports": "Pair engagement: messages per week",
    "satisfaction": "because a coordinator asked",
}


async def test_the_coordinator_area_reads_in_danish_and_in_english_for_who_chose_it(data_dir):
    async with running_server(data_dir, config_changes=DANISH) as server:
        pages = await _programme_with_something_on_every_page(server)
        carla = await server.client("coordinator")
        for name, path in pages.items():
            response = await carla.get(path)
            assert response.status == 200, path
            page = await response.text()
            assert '<html lang="da-DK"' in page, path
            assert _english_left(page) == [], path
            shown = html.unescape(page)
            for words in DANISH_WORDS[name]:
                assert words in shown, (path, words)

        # What a form says it did, after it did it, is Danish too.
        for path, notice in (
            ("/admin/library?notice=folder", "Mappen er gemt."),
            ("/admin/satisfaction?notice=closed", "Skemaet er lukket"),
            (f"{pages['questionnaire']}?notice=closing", "Lukkedatoen er ændret."),
            ("/admin/questionnaires?notice=deleted", "Spørgeskemaet er slettet."),
        ):
            page = html.unescape(await (await carla.get(path)).text())
            assert f'<p class="notice" role="status">{notice}' in page, path

        # The week of the pair grid is named the Danish way, and the chart's words come along.
        reports = await (await carla.get(pages["reports"])).text()
        assert '"Mentorer"' in reports and '"week_labels"' in reports
        # The roles the charts and the filter name, in her language too.
        mentors = html.unescape(await (await carla.get(f"{pages['reports']}?role=mentor")).text())
        assert '"roles": {"mentee": "Mentees", "mentor": "Mentorer"}' in mentors
        assert '<option value="mentor" selected>Mentorer</option>' in mentors
        assert ", kun mentorer." in mentors and _english_left(mentors) == []

        # What she did, in the audit log: the questionnaire's dates in her calendar too.
        audit = html.unescape(await (await carla.get("/admin/audit")).text())
        assert _english_left(audit) == []
        assert re.search(
            r"Sendte spørgeskemaet .+ til alle mentorer og mentees, åbent fra "
            r"\w+dag den \d+\. \w+ \d{4}",
            audit,
        ), audit

        # She chooses English: her pages, and only hers, change.
        chosen = await carla.patch("/api/v1/me", {"language": "en"})
        assert chosen.status == 200
        for name, path in pages.items():
            page = html.unescape(await (await carla.get(path)).text())
            assert '<html lang="en-DK"' in page and ENGLISH_WORDS[name] in page, (path, name)
            assert "Opgaver til parrene" not in page and "Anmeldte beskeder" not in page

        mentors = html.unescape(await (await carla.get(f"{pages['reports']}?role=mentor")).text())
        assert '"roles": {"mentee": "Mentees", "mentor": "Mentors"}' in mentors
        assert '<option value="mentor" selected>Mentors</option>' in mentors
        assert ", mentors only." in mentors

        audit = html.unescape(await (await carla.get("/admin/audit")).text())
        assert re.search(
            r"Assigned the questionnaire .+ to all mentors and mentees, open "
            r"\w+day, \d+ \w+ \d{4}",
            audit,
        ), audit

        # Back to the programme's language: Danish again.
        assert (await carla.patch("/api/v1/me", {"language": ""})).status == 200
        page = html.unescape(await (await carla.get(pages["task"])).text())
        assert "Hver mandag kl. 09.00" in page and _english_left(page) == []


async def test_weekday_names_come_from_babel_in_the_readers_language():
    danish = Calendar.of("da_DK", "Europe/Copenhagen")
    assert weekday_choices(danish) == [
        ("monday", "Mandag"),
        ("tuesday", "Tirsdag"),
        ("wednesday", "Onsdag"),
        ("thursday", "Torsdag"),
        ("friday", "Fredag"),
        ("saturday", "Lørdag"),
        ("sunday", "Søndag"),
    ]
    assert weekday_choices(Calendar.of("en_GB"))[0] == ("monday", "Monday")
    assert danish.weekday(0) == "mandag"  # in a sentence: "Hver mandag kl. 09.00"


async def test_a_ready_questionnaire_started_in_danish_is_written_in_danish(data_dir):
    async with running_server(data_dir, config_changes=DANISH) as server:
        carla = await server.client("coordinator")
        listing = html.unescape(await (await carla.get("/admin/questionnaires")).text())
        assert "Velkommen: hvad vil du gerne opnå?" in listing and _english_left(listing) == []
        started = await form(carla, "/admin/questionnaires", {"starter": "intake"})
        assert started.status == 303
        draft_id = int(started.headers["Location"].split("?")[0].rsplit("/", 1)[1])
        draft = (await expect(await carla.get(f"/api/v1/questionnaires/{draft_id}"), 200))[
            "questionnaire"
        ]
        assert draft["title"] == "Velkommen: hvad vil du gerne opnå?"
        prompts = [q["prompt"] for q in draft["questions"]]
        assert "Hvor tit vil du gerne mødes?" in prompts
        options = [o for q in draft["questions"] for o in q["options"]]
        assert "Jobsamtaler" in options and "Slet ikke" in options

        # The JSON API keeps the ready ones as they are written: in English.
        api = await expect(await carla.post("/api/v1/questionnaires", {"starter": "intake"}), 201)
        assert api["questionnaire"]["title"] == "Welcome: what do you want to achieve?"

        # A copy is named in the language of the coordinator who makes it, on the page.
        async def copy(who) -> str:
            copied = await form(who, "/admin/questionnaires", {"copy_of": str(draft_id)})
            assert copied.status == 303
            copy_id = int(copied.headers["Location"].split("?")[0].rsplit("/", 1)[1])
            found = await expect(await who.get(f"/api/v1/questionnaires/{copy_id}"), 200)
            return found["questionnaire"]["title"]

        assert await copy(carla) == "Kopi af Velkommen: hvad vil du gerne opnå?"
        assert (await carla.patch("/api/v1/me", {"language": "en"})).status == 200
        assert await copy(carla) == "Copy of Velkommen: hvad vil du gerne opnå?"
