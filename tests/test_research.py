"""Research (issue 12): consent asked at first login and changed from the profile; a usage
record of counts only, kept while a person consents; reports of consenting people with small
cells suppressed and pairs under pseudonyms salted per export; the command line's report."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from datetime import UTC, date, datetime, time, timedelta

import pytest

from .clocks import FakeClock
from .file_support import uploaded
from .goal_support import add_goal, form, pair_of
from .mail_support import running_server
from .notify_support import marker
from .questionnaire_support import answer as answer_questionnaire
from .questionnaire_support import assign, create_questionnaire, full_answers, rows
from .research_support import (
    TABLES,
    consent,
    csv_rows,
    export,
    post,
    usage_rows,
    uses_of,
)
from .support import DAYS_AWAKE, email
from .task_support import create_task, expect, post_now, task_messages

QUESTION = "may the research count your use?"


# The Monday of next week (after the demo programme's pairs started), its Wednesday at ten,
# the Monday after, and a range that holds both weeks.
MONDAY = date.today() + timedelta(days=7 - date.today().weekday())
WEDNESDAY = datetime.combine(MONDAY + timedelta(days=2), time(10), tzinfo=UTC)
WEEK1, WEEK2 = MONDAY.isoformat(), (MONDAY + timedelta(days=7)).isoformat()
RANGE = {
    "from": (MONDAY - timedelta(days=3)).isoformat(),
    "to": (MONDAY + timedelta(days=20)).isoformat(),
}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(WEDNESDAY)


@pytest.fixture
async def small_cells(data_dir, clock):
    """The demo programme, with reports that suppress cells of fewer than 2 people."""
    config = {"report_min_cell": 2, **DAYS_AWAKE}
    async with running_server(data_dir, clock=clock, config_changes=config) as running:
        yield running


async def test_consent_is_asked_at_first_login_changed_any_time_and_kept_with_its_time(
    small_cells, clock
):
    server = small_cells
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    assert QUESTION not in await (await sara.get("/")).text()  # the welcome comes first
    assert (await form(sara, "/welcome", {})).status == 303
    assert QUESTION in await (await sara.get("/")).text()
    asked = await expect(await sara.get("/api/v1/me/research-consent"), 200)
    assert asked == {"asked": True, "consented": None, "decided_at": None}

    # Bad input and a coordinator: refused, nothing kept.
    refused = await expect(await sara.put("/api/v1/me/research-consent", {"consented": "ok"}), 400)
    assert refused["error"]["code"] == "invalid"
    coordinator = await expect(
        await carla.put("/api/v1/me/research-consent", {"consented": True}), 403
    )
    assert "not part of the research" in coordinator["error"]["message"]
    assert (await expect(await carla.get("/api/v1/me/research-consent"), 200))["asked"] is False
    assert rows(server, "SELECT * FROM research_consent") == []
    assert QUESTION not in await (await carla.get("/")).text()

    # The card's form: yes, and home again without the question.
    answered = await form(sara, "/consent", {"consented": "yes", "next": "/"})
    assert answered.status == 303 and answered.headers["Location"] == "/"
    assert QUESTION not in await (await sara.get("/")).text()
    profile = await (await sara.get("/profile")).text()
    assert "You agreed on" in profile and "Stop counting my use" in profile

    # Withdrawn later from the profile: both answers kept, each with its time.
    clock.advance(days=3)
    withdrawn = await form(sara, "/consent", {"consented": "no", "next": "/profile?saved=research"})
    assert withdrawn.headers["Location"] == "/profile?saved=research"
    now = await expect(await sara.get("/api/v1/me/research-consent"), 200)
    saturday = (MONDAY + timedelta(days=5)).isoformat()
    assert now["consented"] is False and now["decided_at"].startswith(saturday)
    kept = rows(server, "SELECT consented, decided_at FROM research_consent ORDER BY id")
    assert [(c, t[:10]) for c, t in kept] == [(1, WEDNESDAY.date().isoformat()), (0, saturday)]
    assert "Count my use" in await (await sara.get("/profile")).text()
    # A page form with a bad answer: the page again, with the reason, nothing kept.
    bad = await form(sara, "/consent", {"consented": "perhaps"})
    assert bad.status == 400 and "true or false" in html.unescape(await bad.text())
    assert len(rows(server, "SELECT * FROM research_consent")) == 2


async def test_use_is_recorded_as_counts_only_and_only_while_a_person_consents(small_cells):
    server = small_cells
    sara, maria = await server.client("mentee1"), await server.client("mentor1")
    carla = await server.client("coordinator")
    pair_channel = await server.pair_channel_id(1)
    lounge = await server.channel_id("mentee_lounge")
    secret = marker("USAGEWORD")

    await post(sara, pair_channel, f"Before I said yes {secret}")
    assert usage_rows(server) == []  # not asked yet: nothing recorded
    await consent(sara)
    await consent(maria, yes=False)

    root = await post(sara, pair_channel, f"Hello {secret}")
    await post(sara, lounge, "A lounge message")
    await post(sara, lounge, "A reply", thread_id=(await post(sara, lounge, "A root"))["id"])
    assert (
        await sara.post(f"/api/v1/messages/{root['id']}/reactions", {"emoji": "👍"})
    ).status == 200
    assert (await sara.get("/api/v1/search", params={"q": secret})).status == 200
    file = await uploaded(sara, b"my cv draft", f"cv-{secret}.txt")
    assert (await sara.get(file["url"])).status == 200
    resource = (await expect(await sara.get("/api/v1/library"), 200))["folders"][0]["resources"][0]
    assert (await sara.get(f"/resources/{resource['id']}/open", allow_redirects=False)).status in (
        200,
        302,
    )
    assert (await form(sara, "/menu/opened", {"item": "library"})).status == 204
    await add_goal(sara, pair_channel, f"Find work {secret}")
    questionnaire = await create_questionnaire(carla)
    await assign(carla, questionnaire["id"])
    await answer_questionnaire(sara, questionnaire["id"], full_answers(questionnaire), 201)
    task = await create_task(carla)
    await post_now(carla, task, {"all": True})
    [card] = await task_messages(sara, pair_channel)
    done = await sara.post(f"/api/v1/messages/{card['id']}/complete", {"done": True})
    assert done.status == 200
    await server.client("mentee1")  # a login
    # Maria said no: her posts are not counted, nor is the coordinator.
    await post(maria, pair_channel, f"Mine are not counted {secret}")
    await post(carla, await server.channel_id("announcements"), "Coordinators are not counted")

    record = usage_rows(server)
    assert {row[1] for row in record} == {
        "message.pair", "message.mentee_lounge", "reply.mentee_lounge", "reaction", "search",
        "file.upload", "file.download", "resource.open", "menu.library", "goal.changed",
        "questionnaire.answered", "task.done", "login",
    }  # fmt: skip
    assert uses_of(server, "message.pair") == 1 and uses_of(server, "message.mentee_lounge") == 2
    assert uses_of(server, "goal.changed") == 1  # the goal's card is a goal change, not a post
    # Each row: the week's Monday, her role, her cohort (the month her pair started), a
    # research id that is neither her id nor her address, a count.  Never a word.
    research_id = rows(server, "SELECT research_id FROM users WHERE email = ?", (email("mentee1"),))
    pair = await pair_of(server, 1)
    for week, _feature, role, cohort, person, _uses in record:
        assert (week, role, cohort) == (WEEK1, "mentee", pair.started_at[:7])
        assert person == research_id[0][0] and len(person) == 32
    assert secret not in repr(record) and "Sara" not in repr(record)
    assert rows(server, "SELECT research_id FROM users WHERE email = ?", (email("mentor1"),)) == [
        (None,)
    ]  # never said yes: no research id at all

    # Withdrawn: nothing more is recorded.
    await consent(sara, yes=False)
    await post(sara, pair_channel, "After I said no")
    assert usage_rows(server) == record


async def test_reports_count_consenting_people_suppress_small_cells_and_rename_pairs(
    small_cells, clock
):
    server = small_cells
    carla = await server.client("coordinator")
    people = {h: await server.client(h) for h in ("mentee1", "mentee2", "mentor1", "mentor2")}
    for handle in ("mentee1", "mentee2", "mentor1"):  # Grete (mentor2) does not consent
        await consent(people[handle])
    lounge = await server.channel_id("mentee_lounge")
    await post(people["mentee1"], lounge, "Hello from Sara")
    await post(people["mentee2"], lounge, "Hello from Lene")
    await post(people["mentor1"], await server.channel_id("mentor_lounge"), "Only Maria")
    for n in (1, 2):  # pair 1: both consent; pair 2: the mentor does not
        await post(people[f"mentee{n}"], await server.pair_channel_id(n), "Our first week")
    clock.advance(days=7)
    await post(people["mentor1"], await server.pair_channel_id(1), "Our second week")

    filters = RANGE
    text, data = await export(carla, "usage", **filters)
    cells = {(r["week"], r["feature"], r["role"]): r for r in csv_rows(text)}
    lounge_cell = cells[(WEEK1, "message.mentee_lounge", "mentee")]
    assert (lounge_cell["people"], lounge_cell["uses"]) == ("2", "2")
    alone = cells[(WEEK1, "message.mentor_lounge", "mentor")]
    assert (alone["people"], alone["uses"]) == ("", "")  # one person: suppressed
    assert data["min_cell"] == 2 and data["filters"]["from"] == RANGE["from"]
    assert {
        "week": WEEK1,
        "feature": "message.mentor_lounge",
        "role": "mentor",
    }.items() <= next(r for r in data["rows"] if r["feature"] == "message.mentor_lounge").items()
    assert all(r["people"] is None for r in data["rows"] if r["feature"] == "message.mentor_lounge")
    page = await (await carla.get("/admin/reports", params=filters)).text()
    assert "&lt;2" in page and "Use of each feature" in page

    # Pairs: only pair 1 (both consent), under one name in one export, another in the next.
    first, first_json = await export(carla, "pairs", **filters)
    weeks = csv_rows(first)
    assert [(r["week"], r["messages"]) for r in weeks] == [(WEEK1, "1"), (WEEK2, "1")]
    assert weeks[0]["pair"] == weeks[1]["pair"] != ""  # one export: one name for the pair
    in_json = {row["pair"] for row in first_json["rows"]}  # another export: another name
    assert len(in_json) == 1 and weeks[0]["pair"] not in in_json
    second, _ = await export(carla, "pairs", **filters)
    assert csv_rows(second)[0]["pair"] != weeks[0]["pair"]
    pair = await pair_of(server, 1)
    assert not re.search(rf"\b{pair.id}\b", weeks[0]["pair"])

    # No name, no address, no research id in any table of any export.
    ids = [
        row[0]
        for row in rows(server, "SELECT research_id FROM users WHERE research_id IS NOT NULL")
    ]
    names = [u.name for u in await server.store.list_users()] + [
        u.email for u in await server.store.list_users()
    ]
    for table in TABLES:
        text, data = await export(carla, table, **filters)
        for word in [*names, *ids]:
            assert word not in text and word not in repr(data), (table, word)

    # Sara withdraws: the next export leaves her (and so her pair) out.
    await consent(people["mentee1"], yes=False)
    text, _ = await export(carla, "usage", **filters)
    cells = {(r["week"], r["feature"], r["role"]): r for r in csv_rows(text)}
    assert cells[(WEEK1, "message.mentee_lounge", "mentee")]["people"] == ""  # Lene alone
    assert csv_rows((await export(carla, "pairs", **filters))[0]) == []
    # A role filter: mentors only.
    text, _ = await export(carla, "usage", role="mentor", **filters)
    assert {r["role"] for r in csv_rows(text)} == {"mentor"}


async def test_outcomes_in_the_reports(small_cells):
    server = small_cells
    carla = await server.client("coordinator")
    sara, maria = await server.client("mentee1"), await server.client("mentor1")
    lene, grete = await server.client("mentee2"), await server.client("mentor2")
    for client in (sara, maria, lene, grete):
        await consent(client)
    pairs = [await pair_of(server, n) for n in (1, 2)]
    # Tasks: posted into both pairs, done in one.
    await post_now(carla, await create_task(carla), {"all": True})
    [card] = await task_messages(sara, await server.pair_channel_id(1))
    await expect(await sara.post(f"/api/v1/messages/{card['id']}/complete", {"done": True}), 200)
    # Goals: one achieved in each of the two pairs.
    for client, n in ((sara, 1), (lene, 2)):
        goal, _ = await add_goal(client, await server.pair_channel_id(n), "A secret goal")
        await expect(await client.patch(f"/api/v1/goals/{goal['id']}", {"status": "achieved"}), 200)
    # Satisfaction: both mentees of two pairs answer.
    for pair, client in zip(pairs, (sara, lene), strict=True):
        asked = await expect(await carla.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
        path = f"/api/v1/satisfaction/{asked['request']['id']}/answer"
        answer = {"relationship": 5, "progress": 3, "comment": "A secret comment"}
        await expect(await client.put(path, answer), 200)
    # A questionnaire both mentees answer the same way.
    questionnaire = await create_questionnaire(carla)
    await assign(carla, questionnaire["id"])
    for client in (sara, lene):
        await answer_questionnaire(client, questionnaire["id"], full_answers(questionnaire), 201)

    filters = RANGE
    tasks = csv_rows((await export(carla, "tasks", **filters))[0])
    assert [(r["pairs"], r["posted"], r["done"]) for r in tasks] == [
        ("2", "2", "1")
    ]  # pair 3 does not consent
    goals = {r["status"]: r for r in csv_rows((await export(carla, "goals", **filters))[0])}
    assert (goals["achieved"]["goals"], goals["achieved"]["pairs"]) == ("2", "2")
    scores = csv_rows((await export(carla, "satisfaction", **filters))[0])
    assert {(r["question"], r["role"], r["score"], r["people"]) for r in scores} == {
        ("relationship", "mentee", "5", "2"),
        ("progress", "mentee", "3", "2"),
    }
    results = csv_rows((await export(carla, "questionnaires", **filters))[0])
    answered = {(r["answer"], r["people"]) for r in results if r["question"] == "(answered)"}
    assert answered == {("mentee", "2"), ("mentor", "0")}  # none is not a small cell
    weekly = next(r for r in results if r["answer"] == "Weekly")
    assert weekly["people"] == "2" and weekly["question"] == "1. How often do you meet?"
    page = await (await carla.get("/admin/reports", params=filters)).text()
    assert "A secret" not in page and 'data-chart="questionnaires"' in page


async def test_bad_filters_are_refused_and_reports_are_for_coordinators(small_cells):
    server = small_cells
    carla, sara = await server.client("coordinator"), await server.client("mentee1")
    for query, words in (
        ({"from": "2026-13-01"}, "'from' must be a date"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "'from' must not be after 'to'"),
        ({"role": "boss"}, "'role' is mentor or mentee"),
        ({"cohort": "spring"}, "'cohort' is the month"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "at most three years"),
    ):
        page = await carla.get("/admin/reports", params=query)
        assert page.status == 400 and words in html.unescape(await page.text()), query
        download = await carla.get("/admin/reports/usage.csv", params=query)
        assert download.status == 400, query
    assert (await carla.get("/admin/reports/secrets.csv")).status == 404
    assert (await carla.get("/admin/reports/usage.xlsx")).status == 404
    assert (await sara.get("/admin/reports")).status == 403
    assert (await sara.get("/admin/reports/usage.csv")).status == 403
    # A menu item she does not have is refused; a post without her token too.
    assert (await form(sara, "/menu/opened", {"item": "admin"})).status == 400
    assert (await form(sara, "/menu/opened", {"item": "library"}, token="forged")).status == 403


def test_the_command_line_writes_every_table(tmp_path, data_dir):
    out = tmp_path / "report"
    command = [sys.executable, "-m", "server.cli", "report", "--data-dir", str(data_dir)]
    done = subprocess.run(
        [*command, "--from", "2026-01-01", "--to", "2026-03-31", "--out", str(out)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(f"{t}.csv" for t in TABLES)
    assert (out / "usage.csv").read_text().startswith("week,feature,what,role,people,uses")
    assert "Report" in done.stderr and "7/7" in done.stderr  # the progress bar
    refused = subprocess.run(
        [*command, "--from", "March", "--out", str(tmp_path / "never")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert refused.returncode == 1 and "'from' must be a date" in refused.stderr
    assert not (tmp_path / "never").exists()
