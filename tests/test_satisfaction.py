"""Satisfaction: ending a pair, or a coordinator asking an active one, asks both people two
questions (1 to 5) and an optional comment for the coordinators; a notification and a home
page card each; one answer per person, changeable until the form closes (a coordinator, or
30 days); coordinators read every answer and the distribution, the partner none; every
coordinator action is in the audit log; bad input changes nothing."""

from __future__ import annotations

from .goal_support import end_pair, expect, form, pair_of
from .notify_support import new_notifications, start_clean
from .task_support import running


async def my_forms(client) -> list[dict]:
    return (await expect(await client.get("/api/v1/me/satisfaction"), 200))["requests"]


async def put(client, request_id: int, payload) -> tuple[int, dict]:
    response = await client.put(f"/api/v1/satisfaction/{request_id}/answer", payload)
    return response.status, await response.json()


async def test_ending_a_pair_asks_both_live_and_each_answers_for_the_coordinators_alone(server):
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    await start_clean(mentee, mentor)
    mentee_socket = await mentee.socket()
    mentor_socket = await mentor.socket()
    pair = await pair_of(server, 1)
    await end_pair(server, 1)

    for sock in (mentee_socket, mentor_socket):
        told = await sock.wait_for("notification", lambda n: n["kind"] == "satisfaction")
        assert (
            told["text"] == "The coordinators ask how your mentoring is going: two short questions"
        )
        assert told["link"].startswith("/satisfaction/")
    (asked,) = await my_forms(mentee)
    assert asked["reason"] == "pair_ended" and asked["open"] and asked["answer"] is None
    assert asked["partner"] == "Maria Jensen" and asked["role"] == "mentee"
    (notified,) = [n for n in await new_notifications(mentee) if n["kind"] == "satisfaction"]
    assert notified["link"] == f"/satisfaction/{asked['id']}"
    home = await (await mentee.get("/")).text()
    assert "How is your mentoring going?" in home and f'href="/satisfaction/{asked["id"]}"' in home

    status, body = await put(
        mentee, asked["id"], {"relationship": 5, "progress": 3, "comment": "Thank you!"}
    )
    assert status == 200, body
    mine = body["request"]
    assert mine["answer"]["relationship"] == 5 and mine["answer"]["changed_at"] is None
    assert not [n for n in await new_notifications(mentee) if n["kind"] == "satisfaction"]
    # Changed once more: one answer, its time of change kept.
    status, body = await put(mentee, asked["id"], {"relationship": 4, "progress": 3})
    assert (
        body["request"]["answer"]["relationship"] == 4
        and body["request"]["answer"]["comment"] == ""
    )
    assert body["request"]["answer"]["changed_at"] is not None
    status, body = await put(
        mentee, asked["id"], {"relationship": 4, "progress": 3, "comment": "Thank you!"}
    )
    assert status == 200
    home = await (await mentee.get("/")).text()
    assert "See or change my answer" in home

    # The partner sees only her own (not answered), never the mentee's answer or comment.
    (theirs,) = await my_forms(mentor)
    assert theirs["answer"] is None and theirs["partner"] == "Sara Nielsen"
    for text in (
        await (await mentor.get("/api/v1/me/satisfaction")).text(),
        await (await mentor.get(f"/satisfaction/{asked['id']}")).text(),
        await (await mentor.get("/")).text(),
    ):
        assert "Thank you!" not in text
    assert (await mentor.get("/api/v1/satisfaction")).status == 403

    coordinator = await server.client("coordinator")
    (listed,) = (await expect(await coordinator.get("/api/v1/satisfaction"), 200))["requests"]
    assert listed["pair_id"] == pair.id and listed["open"]
    people = {p["role"]: p for p in listed["people"]}
    assert people["mentee"]["answered"] and people["mentee"]["answer"]["comment"] == "Thank you!"
    assert people["mentor"] == {
        "user": {"id": mentor.user["id"], "name": "Maria Jensen"},
        "role": "mentor",
        "answered": False,
        "answer": None,
    }
    scores = await expect(await coordinator.get("/api/v1/satisfaction/scores"), 200)
    assert (scores["asked"], scores["answered"]) == (2, 1)
    assert scores["scores"]["relationship"] == {"mentee": [0, 0, 0, 1, 0], "mentor": [0] * 5}
    assert scores["scores"]["progress"]["mentee"] == [0, 0, 1, 0, 0]
    page = await (await coordinator.get("/admin/satisfaction")).text()
    assert "Thank you!" in page and "has not answered" in page
    audit = (await expect(await coordinator.get("/api/v1/audit"), 200))["entries"]
    assert audit[0]["action"] == "satisfaction.requested" and audit[1]["action"] == "pair.ended"
    assert (
        audit[0]["summary"]
        == "Asked Maria Jensen and Sara Nielsen how their mentoring went (the pair ended)."
    )


async def test_a_coordinator_asks_an_active_pair_closes_the_form_and_it_is_audited(server):
    coordinator = await server.client("coordinator")
    mentee = await server.client("mentee2")
    pair = await pair_of(server, 2)
    asked = await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
    request_id = asked["request"]["id"]
    assert asked["request"]["reason"] == "coordinator"
    assert [p["answered"] for p in asked["request"]["people"]] == [False, False]
    again = await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 409)
    assert "open already" in again["error"]["message"]
    # Ending the pair now asks nothing more: the open form is the one.
    await end_pair(server, 2)
    assert len(await my_forms(mentee)) == 1
    ended = await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 400)
    assert "has ended" in ended["error"]["message"]

    status, _ = await put(mentee, request_id, {"relationship": 2, "progress": 2, "comment": "Hm."})
    assert status == 200
    closed = await expect(await coordinator.post(f"/api/v1/satisfaction/{request_id}/close"), 200)
    assert closed["request"]["open"] is False and closed["request"]["closed_at"]
    await expect(await coordinator.post(f"/api/v1/satisfaction/{request_id}/close"), 409)
    status, body = await put(mentee, request_id, {"relationship": 5, "progress": 5})
    assert status == 403 and "closed" in body["error"]["message"]
    assert (await my_forms(mentee))[0]["answer"]["relationship"] == 2
    page = await (await mentee.get(f"/satisfaction/{request_id}")).text()
    assert "This form is closed." in page and "<form" not in page.split("<main")[1]
    assert "How is your mentoring going?" not in await (await mentee.get("/")).text()

    actions = [
        e["action"] for e in (await expect(await coordinator.get("/api/v1/audit"), 200))["entries"]
    ]
    assert actions[:3] == ["satisfaction.closed", "pair.ended", "satisfaction.requested"]
    for handle in ("mentee2", "mentor2"):
        someone = await server.client(handle)
        assert (await someone.post(f"/api/v1/pairs/{pair.id}/satisfaction")).status == 403
        assert (await someone.post(f"/api/v1/satisfaction/{request_id}/close")).status == 403
        assert (await someone.get("/api/v1/satisfaction/scores")).status == 403


async def test_the_form_closes_by_itself_after_thirty_days(data_dir, clock):
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        mentor = await server.client("mentor3")
        pair = await pair_of(server, 3)
        asked = await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
        request_id = asked["request"]["id"]
        clock.advance(days=29, hours=23)
        status, _ = await put(mentor, request_id, {"relationship": 3, "progress": 4})
        assert status == 200
        clock.advance(hours=1)
        # Thirty days: the sessions' own lifetime too, so both log in again.
        mentor = await server.client("mentor3")
        coordinator = await server.client("coordinator")
        status, _body = await put(mentor, request_id, {"relationship": 1, "progress": 1})
        assert status == 403
        (mine,) = await my_forms(mentor)
        assert mine["open"] is False and mine["answer"]["relationship"] == 3
        assert "How is your mentoring going?" not in await (await mentor.get("/")).text()
        # A new form can be asked once the old one has closed.
        await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
        assert [m["open"] for m in await my_forms(mentor)] == [True, False]


BAD_ANSWERS = [
    ({}, 400, "Choose a number from 1 to 5 for your relationship"),
    ({"relationship": 3}, 400, "Choose a number from 1 to 5 for progress toward the goal"),
    ({"relationship": 0, "progress": 3}, 400, "'relationship' must be a whole number from 1 to 5."),
    ({"relationship": 6, "progress": 3}, 400, "from 1 to 5"),
    ({"relationship": "3", "progress": 3}, 400, "from 1 to 5"),
    ({"relationship": 3, "progress": True}, 400, "from 1 to 5"),
    ({"relationship": 3.5, "progress": 3}, 400, "from 1 to 5"),
    ({"relationship": 3, "progress": 3, "comment": 7}, 400, "A comment must be text."),
    ({"relationship": 3, "progress": 3, "comment": "x" * 2001}, 413, "at most 2,000 characters"),
]


async def test_bad_answers_are_refused_clearly_and_change_nothing(server):
    coordinator = await server.client("coordinator")
    mentee = await server.client("mentee1")
    pair = await pair_of(server, 1)
    request_id = (
        await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
    )["request"]["id"]
    status, _ = await put(mentee, request_id, {"relationship": 4, "progress": 4, "comment": "Kept"})
    assert status == 200
    before = await my_forms(mentee)
    for payload, code, sentence in BAD_ANSWERS:
        status, body = await put(mentee, request_id, payload)
        assert status == code and sentence in body["error"]["message"], (payload, body)
    status, body = await put(mentee, request_id, [1, 2])
    assert status == 400
    assert await my_forms(mentee) == before

    # Someone not asked: the form does not exist for them, the coordinator included.
    never = {"code": "not_found", "message": "That satisfaction form does not exist."}
    for handle in ("mentee2", "mentor3", "coordinator"):
        other = await server.client(handle)
        status, body = await put(other, request_id, {"relationship": 1, "progress": 1})
        assert (status, body["error"]) == (404, never)
        assert (await other.get(f"/satisfaction/{request_id}")).status == 404
    status, body = await put(mentee, 999999, {"relationship": 1, "progress": 1})
    assert (status, body["error"]) == (404, never)

    # The page's form: the reason, what was chosen and typed kept, nothing saved.
    page = await form(
        mentee, f"/satisfaction/{request_id}", {"relationship": "2", "comment": "Typed"}
    )
    text = await page.text()
    assert page.status == 400 and "Choose a number from 1 to 5 for progress" in text
    assert "Typed" in text and 'value="2" checked' in text
    page = await form(mentee, f"/satisfaction/{request_id}", {"relationship": "9", "progress": "1"})
    assert page.status == 400
    assert await my_forms(mentee) == before
    saved = await form(
        mentee, f"/satisfaction/{request_id}", {"relationship": "1", "progress": "2"}
    )
    assert (
        saved.status == 303 and saved.headers["Location"] == f"/satisfaction/{request_id}?saved=1"
    )
    assert (await my_forms(mentee))[0]["answer"]["relationship"] == 1
    assert (
        "Thank you: your answer is saved."
        in await (await mentee.get(saved.headers["Location"])).text()
    )


async def test_the_coordinator_pages_ask_and_close(server):
    coordinator = await server.client("coordinator")
    mentor = await (await server.client("mentor1")).socket()
    pair = await pair_of(server, 1)
    asked = await form(coordinator, f"/admin/pairs/{pair.id}/satisfaction", {}, token=None)
    assert asked.status == 303 and asked.headers["Location"] == "/admin/pairs?notice=asked"
    await mentor.wait_for("notification", lambda n: n["kind"] == "satisfaction")
    page = await (await coordinator.get("/admin/pairs?notice=asked")).text()
    assert "Both are asked how their mentoring is going" in page and "0 of 2 answered" in page
    again = await form(coordinator, f"/admin/pairs/{pair.id}/satisfaction", {})
    assert again.status == 409 and "open already" in await again.text()
    (listed,) = (await expect(await coordinator.get("/api/v1/satisfaction"), 200))["requests"]
    closed = await form(coordinator, f"/admin/satisfaction/{listed['id']}/close", {})
    assert closed.status == 303
    page = await (await coordinator.get("/admin/satisfaction?notice=closed")).text()
    assert "The form is closed" in page and "Close this form now" not in page
    again = await form(coordinator, f"/admin/satisfaction/{listed['id']}/close", {})
    assert again.status == 409
