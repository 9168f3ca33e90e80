"""Questionnaires as pages, without JavaScript: answering with a plain form (a refusal keeps
what was typed and marks the questions, and keeps nothing), the home page and the menu count,
and the coordinator's builder: start from a ready one, add, move and remove questions, assign."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .questionnaire_support import assign, create_questionnaire, csrf, ids, rows, snapshot
from .task_support import expect, pair_id


def _question_html(page: str, question_id: str) -> str:
    start = page.index(f'id="question-{question_id}"')
    return page[start : page.index("</li>", start)]


async def test_answering_with_a_plain_form_keeps_what_was_typed_when_refused(server):
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"], roles=["mentee"], all=True)
    single, multiple, scale, _, long = ids(made)
    mentee = await server.client("mentee1")

    home = await (await mentee.get("/")).text()
    assert "Questionnaires for you" in home and f'href="/questionnaires/{made["id"]}"' in home
    assert re.search(r'href="/questionnaires">Questionnaires<span class="badge"[^>]*>1<', home)
    page_path = f"/questionnaires/{made['id']}"
    form = await (await mentee.get(page_path)).text()
    assert f'name="q{single}" value="0"' in form and f'type="checkbox" name="q{multiple}"' in form
    assert f'name="q{scale}" value="5"' in form and f'<textarea id="question-{long}-answer"' in form
    assert "Send my answers" in form and "Your coordinators see your answers with your name" in form

    token = await csrf(mentee, page_path)
    assert (await mentee.http.post(page_path, data={f"q{single}": "0"})).status == 403
    before = snapshot(server)
    typed = [
        ("csrf_token", token),
        (f"q{single}", "1"),
        (f"q{multiple}", "2"),
        (f"q{long}", "My long <b>answer</b>"),
    ]
    refused = await mentee.http.post(page_path, data=typed)
    assert refused.status == 400
    again = await refused.text()
    assert "Question 3 needs an answer." in again
    assert 'aria-invalid="true"' in _question_html(again, scale)
    assert "This question needs an answer." in _question_html(again, scale)
    assert "aria-invalid" not in _question_html(again, single)
    assert f'name="q{single}" value="1" checked' in again
    assert f'name="q{multiple}" value="2" checked' in again
    assert "My long &lt;b&gt;answer&lt;/b&gt;</textarea>" in again
    assert snapshot(server) == before

    sent = await mentee.http.post(
        page_path, data=[*typed, (f"q{scale}", "4")], allow_redirects=False
    )
    assert sent.status == 303 and sent.headers["Location"] == f"{page_path}?notice=answered"
    shown = await (await mentee.get(f"{page_path}?notice=answered")).text()
    assert "Thank you: your answers are sent." in shown and "Save my changes" in shown
    assert f'name="q{scale}" value="4" checked' in shown
    changed = await mentee.http.post(
        page_path, data=[*typed, (f"q{scale}", "5")], allow_redirects=False
    )
    assert changed.headers["Location"] == f"{page_path}?notice=changed"
    (stored,) = rows(server, "SELECT answers FROM questionnaire_answers")
    assert f'"{scale}": 5' in stored[0]
    home = await (await mentee.get("/")).text()
    assert 'class="badge"' not in home.split('href="/questionnaires"')[1][:80]
    assert "Answered" in home
    listed = await (await mentee.get("/questionnaires")).text()
    assert "Open for you" in listed and "Answered" in listed
    profile = await (await mentee.get("/profile")).text()
    assert 'name="kind_questionnaire"' in profile  # the setting, like every other kind
    # coordinators are sent to the coordinator area's page of it
    there = await coordinator.http.get(page_path, allow_redirects=False)
    assert there.headers["Location"] == f"/admin/questionnaires/{made['id']}"


async def test_an_anonymous_form_says_it_cannot_be_changed_and_then_takes_no_more(server):
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator, anonymous=True)
    await assign(coordinator, made["id"], all=True)
    single, multiple, scale, *_ = ids(made)
    mentor = await server.client("mentor2")
    path = f"/questionnaires/{made['id']}"
    form = await (await mentor.get(path)).text()
    assert "once you send them they cannot be changed" in form
    token = await csrf(mentor, path)
    answers = [
        ("csrf_token", token),
        (f"q{single}", "0"),
        (f"q{multiple}", "1"),
        (f"q{scale}", "3"),
    ]
    sent = await mentor.http.post(path, data=answers, allow_redirects=False)
    assert sent.status == 303
    after = await (await mentor.get(path)).text()
    assert (
        "You have answered" in after and '<form method="post" action="/questionnaires' not in after
    )
    again = await mentor.http.post(path, data=answers)
    assert again.status == 409 and "cannot be changed" in await again.text()
    # Held, sealed, until enough others answer (tests/test_questionnaire_release.py).
    assert rows(server, "SELECT count(*) FROM questionnaire_held_answers") == [(1,)]
    assert rows(server, "SELECT count(*) FROM questionnaire_anonymous_answers") == [(0,)]


async def test_a_coordinator_builds_and_assigns_with_plain_forms(server):
    coordinator = await server.client("coordinator")
    token = await csrf(coordinator, "/admin/questionnaires")
    started = await coordinator.http.post(
        "/admin/questionnaires", data={"csrf_token": token, "starter": "end"}, allow_redirects=False
    )
    assert started.status == 303
    builder = started.headers["Location"].split("?")[0]
    questionnaire_id = int(builder.rsplit("/", 1)[1])
    page = await (await coordinator.get(builder)).text()
    assert "The end of your pairing" in page and "Did you reach the goal" in page

    before = snapshot(server)
    bad = await coordinator.http.post(
        f"{builder}/questions",
        data={"csrf_token": token, "prompt": "Pick one", "kind": "single", "options": "Only\n\n"},
    )
    assert bad.status == 400
    shown = await bad.text()
    assert "A choice needs 2 to 20 options." in shown and 'value="Pick one"' in shown
    assert snapshot(server) == before

    added = await coordinator.http.post(
        f"{builder}/questions",
        data={
            "csrf_token": token,
            "prompt": "Would you mentor again?",
            "kind": "single",
            "options": "Yes\nNo\n",
            "required": "on",
        },
        allow_redirects=False,
    )
    assert added.status == 303
    questions = (
        await expect(await coordinator.get(f"/api/v1/questionnaires/{questionnaire_id}"), 200)
    )["questionnaire"]["questions"]
    last = questions[-1]
    assert last["prompt"] == "Would you mentor again?" and last["options"] == ["Yes", "No"]
    moved = await coordinator.http.post(
        f"{builder}/questions/{last['id']}",
        data={"csrf_token": token, "action": "up", "position": str(len(questions) - 1)},
        allow_redirects=False,
    )
    assert moved.status == 303
    removed = await coordinator.http.post(
        f"{builder}/questions/{questions[0]['id']}",
        data={"csrf_token": token, "action": "remove"},
        allow_redirects=False,
    )
    assert removed.status == 303
    scale = next(q for q in questions if q["kind"] == "scale")
    edited = await coordinator.http.post(
        f"{builder}/questions/{scale['id']}",
        data={
            "csrf_token": token,
            "action": "save",
            "prompt": "How was it?",
            "kind": "scale",
            "scale_low": "Poor",
            "scale_high": "Great",
        },
        allow_redirects=False,
    )
    assert edited.status == 303
    shaped = (
        await expect(await coordinator.get(f"/api/v1/questionnaires/{questionnaire_id}"), 200)
    )["questionnaire"]["questions"]
    assert [q["id"] for q in shaped][-2:] == [last["id"], questions[-2]["id"]]
    assert questions[0]["id"] not in [q["id"] for q in shaped]
    rescaled = next(q for q in shaped if q["id"] == scale["id"])
    assert rescaled | {"id": 0, "position": 0} == {
        "id": 0,
        "position": 0,
        "kind": "scale",
        "prompt": "How was it?",
        "options": ["Poor", "Great"],
        "required": False,
    }

    pair = await pair_id(server, 2)
    unchosen = await coordinator.http.post(
        f"{builder}/assignment",
        data={"csrf_token": token, "who": "pairs", "roles": "mentee", "closes_at": "2099-01-01"},
    )
    assert unchosen.status == 400 and "Choose at least one pair." in await unchosen.text()
    mentee2 = await server.client("mentee2")
    sock = await mentee2.socket()
    assigned = await coordinator.http.post(
        f"{builder}/assignment",
        data=[
            ("csrf_token", token),
            ("who", "pairs"),
            ("pairs", str(pair)),
            ("roles", "mentee"),
            ("closes_at", "2099-01-01"),
        ],
        allow_redirects=False,
    )
    assert assigned.status == 400  # more than a year open
    closes = (datetime.now(UTC) + timedelta(days=7)).date().isoformat()
    assigned = await coordinator.http.post(
        f"{builder}/assignment",
        data=[
            ("csrf_token", token),
            ("who", "pairs"),
            ("pairs", str(pair)),
            ("roles", "mentee"),
            ("closes_at", closes),
        ],
        allow_redirects=False,
    )
    assert assigned.status == 303 and assigned.headers["Location"].endswith("?notice=opened")
    card = await sock.wait_for("message", lambda m: m["kind"] == "questionnaire")
    assert card["channel_id"] == await server.pair_channel_id(2)
    page = await (await coordinator.get(f"{builder}?notice=opened")).text()
    assert "It is open: the people it asks see it now" in page
    assert "mentees of 1 chosen pair" in page and "0 of 1</strong> have answered" in page
    assert "Close it now" in page and "The questions, as people see them" in page
