"""Every refusal of bad input over the questionnaire API is a clear error and changes nothing:
no row of any questionnaire table, no notification, no audit entry, no message."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from channels.questionnaires.questions import check_answers, check_question
from storage.records import Question

from .questionnaire_support import answer, assign, create_questionnaire, day, ids, snapshot
from .task_support import pair_id

LONG = "x" * 5001


async def refused(client, method: str, path: str, payload, status: int = 400) -> str:
    call = getattr(client, method)
    response = await (call(path) if method == "delete" else call(path, payload))
    body = await response.json()
    assert response.status == status, (method, path, payload, body)
    assert body["error"]["message"], body
    return body["error"]["message"]


async def test_bad_building_and_assigning_change_nothing(server):
    coordinator = await server.client("coordinator")
    draft = await create_questionnaire(coordinator)
    question_id = draft["questions"][0]["id"]
    base = f"/api/v1/questionnaires/{draft['id']}"
    today = datetime.now(UTC)
    before = snapshot(server)

    creating = [
        {},
        {"title": ""},
        {"title": "   "},
        {"title": 5},
        {"title": "x" * 201},
        {"title": "T", "intro": LONG},
        {"title": "T", "anonymous": "yes"},
        {"title": "T", "colour": "red"},
        {"title": "T", "questions": "many"},
        {"title": "T", "questions": [{"kind": "essay", "prompt": "Q"}]},
        {"title": "T", "questions": [{"kind": "single", "prompt": "Q", "options": ["only"]}]},
        {"title": "T", "questions": [{"kind": "single", "prompt": "Q"}] * 51},
        {"starter": "nope"},
        {"starter": "intake", "copy_of": draft["id"]},
        {"copy_of": 99999},
        {"copy_of": True},
    ]
    for payload in creating:
        status = (
            404
            if payload == {"copy_of": 99999}
            else (413 if "x" * 201 in str(payload) or LONG in str(payload) else 400)
        )
        await refused(coordinator, "post", "/api/v1/questionnaires", payload, status)

    questions = [
        {},
        {"kind": "single"},
        {"kind": "single", "prompt": "Q", "options": ["A"]},
        {"kind": "single", "prompt": "Q", "options": ["A", "a"]},
        {"kind": "single", "prompt": "Q", "options": ["A", ""]},
        {"kind": "single", "prompt": "Q", "options": "A, B"},
        {"kind": "single", "prompt": "Q", "options": [f"o{i}" for i in range(21)]},
        {"kind": "scale", "prompt": "Q", "options": ["only one"]},
        {"kind": "short_text", "prompt": "Q", "options": ["A", "B"]},
        {"kind": "long_text", "prompt": "Q\u0007"},
        {"kind": "long_text", "prompt": "Q", "required": "no"},
        {"kind": "long_text", "prompt": "Q", "position": 0},
        {"kind": "long_text", "prompt": "Q", "position": 99},
        {"kind": "long_text", "prompt": "Q", "colour": "red"},
    ]
    for payload in questions:
        await refused(coordinator, "post", f"{base}/questions", payload)
    await refused(
        coordinator, "post", f"{base}/questions", {"kind": "long_text", "prompt": "x" * 501}, 413
    )
    for payload in (
        {},
        {"kind": "short_text", "options": ["A"]},
        {"position": "first"},
        {"prompt": ""},
    ):
        await refused(coordinator, "patch", f"{base}/questions/{question_id}", payload)
    await refused(coordinator, "patch", f"{base}/questions/99999", {"prompt": "Q"}, 404)
    await refused(coordinator, "delete", "/api/v1/questionnaires/99999/questions/1", None, 404)
    for payload in ({}, {"title": ""}, {"colour": "red"}, {"anonymous": 1}):
        await refused(coordinator, "patch", base, payload)
    await refused(coordinator, "patch", base, {"closes_at": day(today + timedelta(days=3))}, 409)
    await refused(coordinator, "post", f"{base}/close", None, 409)

    soon = day(today + timedelta(days=3))
    assignments = [
        {},
        {"closes_at": soon},
        {"all": True},
        {"all": False, "closes_at": soon},
        {"all": True, "pairs": [1], "closes_at": soon},
        {"pairs": [], "closes_at": soon},
        {"pairs": ["one"], "closes_at": soon},
        {"started_between": ["2026-01-01"], "closes_at": soon},
        {"started_between": ["2026-02-01", "2026-01-01"], "closes_at": soon},
        {"started_between": ["yesterday", "today"], "closes_at": soon},
        {"all": True, "roles": [], "closes_at": soon},
        {"all": True, "roles": ["coordinator"], "closes_at": soon},
        {"all": True, "roles": "mentee", "closes_at": soon},
        {"all": True, "closes_at": "next week"},
        {"all": True, "closes_at": day(today - timedelta(days=1))},
        {"all": True, "closes_at": day(today + timedelta(days=800))},
        {"all": True, "opens_at": day(today + timedelta(days=5)), "closes_at": soon},
        {"all": True, "opens_at": "soon", "closes_at": soon},
        {"all": True, "closes_at": soon, "colour": "red"},
    ]
    for payload in assignments:
        await refused(coordinator, "post", f"{base}/assignment", payload)
    await refused(coordinator, "post", f"{base}/assignment", {"pairs": [99999], "closes_at": soon})
    assert snapshot(server) == before
    empty = await create_questionnaire(coordinator, questions=[])
    before = snapshot(server)
    await refused(
        coordinator,
        "post",
        f"/api/v1/questionnaires/{empty['id']}/assignment",
        {"all": True, "closes_at": soon},
    )
    await refused(
        coordinator,
        "post",
        "/api/v1/questionnaires/99999/assignment",
        {"all": True, "closes_at": soon},
        404,
    )
    for handle in ("mentor1", "mentee1"):
        person = await server.client(handle)
        await refused(person, "post", f"{base}/assignment", {"all": True, "closes_at": soon}, 403)
        await refused(
            person, "post", f"{base}/questions", {"kind": "long_text", "prompt": "Q"}, 403
        )
        await refused(person, "delete", base, None, 403)
    assert snapshot(server) == before


async def test_bad_answers_change_nothing(server):
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"], pairs=[await pair_id(server, 1)])
    anonymous = await create_questionnaire(coordinator, anonymous=True)
    await assign(coordinator, anonymous["id"], pairs=[await pair_id(server, 1)])
    single, multiple, scale, short, long = ids(made)
    mentee = await server.client("mentee1")
    await answer(
        mentee,
        anonymous["id"],
        {k: v for k, v in zip(ids(anonymous), [0, [1], 2], strict=False)},
        201,
    )
    good = {single: 0, multiple: [1], scale: 3}
    before = snapshot(server)
    path = f"/api/v1/questionnaires/{made['id']}/answers"
    bad = [
        {},
        {"answers": []},
        {"answers": {}},
        {"answers": {single: 0}},
        {"answers": good | {"999": "x"}},
        {"answers": good | {single: 2}},
        {"answers": good | {single: -1}},
        {"answers": good | {single: True}},
        {"answers": good | {single: "0"}},
        {"answers": good | {single: [0]}},
        {"answers": good | {multiple: 1}},
        {"answers": good | {multiple: [1, 1]}},
        {"answers": good | {multiple: [5]}},
        {"answers": good | {multiple: []}},
        {"answers": good | {scale: 0}},
        {"answers": good | {scale: 6}},
        {"answers": good | {scale: 2.5}},
        {"answers": good | {short: 5}},
        {"answers": good | {short: "x" * 301}},
        {"answers": good | {long: "x" * 5001}},
        {"answers": good | {long: "bell\u0007"}},
    ]
    for payload in bad:
        message = await refused(mentee, "post", path, payload)
        assert "Question" in message or "answers" in message or "question" in message, message
    missing = await refused(mentee, "post", path, {"answers": {multiple: [1]}})
    assert missing == "Questions 1 and 3 need an answer."
    wrong = await refused(mentee, "post", path, {"answers": good | {scale: 9, single: 7}})
    assert (
        wrong == "Question 1: choose one of its options. Question 3: choose a number from 1 to 5."
    )
    await refused(
        mentee, "post", f"/api/v1/questionnaires/{anonymous['id']}/answers", {"answers": good}, 409
    )
    mentor2 = await server.client("mentor2")  # not asked: it does not exist for her
    await refused(mentor2, "post", path, {"answers": good}, 404)
    await refused(coordinator, "post", path, {"answers": good}, 404)
    assert snapshot(server) == before


def test_a_question_keeps_what_a_change_leaves_out():
    choice = Question(1, 1, 1, "single", "Q", ("A", "B"), True)
    assert check_question({"kind": "multiple"}, choice).options == ("A", "B")
    assert check_question({"kind": "long_text"}, choice).options == ()
    assert check_question({"prompt": " A  new\nline "}, choice).prompt == "A new line"
    scale = Question(2, 1, 2, "scale", "S", (), False)
    assert check_question({"options": ["", ""]}, scale).options == ()


def test_answers_are_made_canonical():
    questions = [
        Question(1, 1, 1, "multiple", "M", ("A", "B", "C"), True),
        Question(2, 1, 2, "short_text", "S", (), False),
        Question(3, 1, 3, "long_text", "L", (), False),
    ]
    clean = check_answers(
        questions, {"answers": {"3": "  two\nlines \n", "2": " a \t b ", "1": [2, 0]}}
    )
    assert clean == {"1": [0, 2], "2": "a b", "3": "two\nlines"}
    assert list(clean) == ["1", "2", "3"]
    assert check_answers(questions, {"answers": {"1": [1], "2": "   ", "3": None}}) == {"1": [1]}
