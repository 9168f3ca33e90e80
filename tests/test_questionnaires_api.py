"""Questionnaires over the JSON API and socket.io, per role: a coordinator builds one and
shapes it while it is a draft, assigns it to a role, chosen pairs or a cohort; exactly the
people asked get its card and a notification (the rest provably nothing: a barrier, never a
sleep); answers are checked, a named one changes until it closes and not after."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from .clocks import FakeClock
from .questionnaire_support import (
    QUESTIONS,
    answer,
    assign,
    create_questionnaire,
    day,
    full_answers,
    ids,
    rows,
)
from .support import DAYS_AWAKE, Server
from .task_support import expect, pair_id, running


def is_card(questionnaire_id: int):
    return lambda m: m["kind"] == "questionnaire" and m["questionnaire"]["id"] == questionnaire_id


def about(questionnaire_id: int):
    return lambda n: n["kind"] == "questionnaire" and n["questionnaire_id"] == questionnaire_id


def questionnaire_events(sock, questionnaire_id: int) -> list:
    cards = [m for m in sock.received("message") if is_card(questionnaire_id)(m)]
    told = [n for n in sock.received("notification") if about(questionnaire_id)(n)]
    return cards + told


async def test_a_coordinator_shapes_a_draft_and_its_questions_freeze_once_assigned(server):
    coordinator = await server.client("coordinator")
    draft = await create_questionnaire(coordinator, questions=[])
    assert draft["state"] == "draft" and draft["assignment"] is None and draft["questions"] == []
    base = f"/api/v1/questionnaires/{draft['id']}"

    added = []
    for question in QUESTIONS:
        body = await expect(await coordinator.post(f"{base}/questions", question), 201)
        added.append(body["question"]["id"])
    first = await expect(
        await coordinator.post(
            f"{base}/questions", {"kind": "short_text", "prompt": "Your name?", "position": 1}
        ),
        201,
    )
    assert first["question"]["position"] == 1
    moved = await expect(
        await coordinator.patch(f"{base}/questions/{added[2]}", {"position": 2}), 200
    )
    assert moved["question"]["position"] == 2 and moved["question"]["kind"] == "scale"
    edited = await expect(
        await coordinator.patch(
            f"{base}/questions/{added[0]}",
            {"kind": "multiple", "prompt": "  How   often? ", "required": False},
        ),
        200,
    )
    assert edited["question"] | {"id": 0, "position": 0} == {
        "id": 0,
        "position": 0,
        "kind": "multiple",
        "prompt": "How often?",
        "required": False,
        "options": ["Weekly", "Monthly"],  # kept: still a choice
    }
    await expect(await coordinator.delete(f"{base}/questions/{first['question']['id']}"), 200)
    shaped = (await expect(await coordinator.get(base), 200))["questionnaire"]
    assert [q["id"] for q in shaped["questions"]] == [added[2], added[0], added[1], *added[3:]]
    assert [q["position"] for q in shaped["questions"]] == [1, 2, 3, 4, 5]

    renamed = await expect(
        await coordinator.patch(base, {"title": "Halfway", "anonymous": True}), 200
    )
    assert renamed["questionnaire"]["title"] == "Halfway"
    assert renamed["questionnaire"]["anonymous"] is True

    await assign(coordinator, draft["id"], roles=["mentee"], all=True)
    for method, path, payload in [
        ("post", f"{base}/questions", QUESTIONS[0]),
        ("patch", f"{base}/questions/{added[0]}", {"prompt": "Changed"}),
        ("delete", f"{base}/questions/{added[0]}", None),
        ("patch", base, {"title": "Changed"}),
        ("delete", base, None),
    ]:
        call = getattr(coordinator, method)
        refused = await (call(path, payload) if payload is not None else call(path))
        assert refused.status == 409, (method, path)
    after = (await expect(await coordinator.get(base), 200))["questionnaire"]
    assert after["questions"] == shaped["questions"] and after["title"] == "Halfway"
    assert after["state"] == "open" and after["assignment"]["roles"] == ["mentee"]

    actions = [e.action for e in await server.store.list_audit(action=None)]
    assert actions[0] == "questionnaire.assigned"
    assert actions.count("questionnaire.question_added") == 6
    assert {"questionnaire.created", "questionnaire.question_changed"} <= set(actions)
    assert "questionnaire.question_removed" in actions and "questionnaire.edited" in actions

    for role in ("mentor1", "mentee1"):
        person = await server.client(role)
        assert (await person.get("/api/v1/questionnaires")).status == 403
        assert (await person.post("/api/v1/questionnaires", {"title": "Mine"})).status == 403
        assert (await person.get(f"{base}/results")).status == 403


async def test_assigned_to_mentees_only_the_mentees_get_it(server):
    coordinator = await server.client("coordinator")
    people = {h: await server.client(h) for h in ("mentee1", "mentee2", "mentor1", "mentor2")}
    sockets = {h: await c.socket() for h, c in people.items()}
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"], roles=["mentee"], all=True)

    lounge = await server.channel_id("mentee_lounge")
    for handle in ("mentee1", "mentee2"):
        card = await sockets[handle].wait_for("message", is_card(made["id"]))
        assert card["channel_id"] == lounge and card["author"] is None
        assert card["questionnaire"] == {
            "id": made["id"],
            "title": "How is it going?",
            "anonymous": False,
            "closes_at": made_closes(made, server),
            "url": f"/questionnaires/{made['id']}",
        }
        told = await sockets[handle].wait_for("notification", about(made["id"]))
        assert told["link"] == f"/questionnaires/{made['id']}"
        assert "How is it going?" in told["text"]
        mine = await expect(await people[handle].get("/api/v1/questionnaires/mine"), 200)
        assert [(q["id"], q["answered"]) for q in mine["questionnaires"]] == [(made["id"], False)]

    mentor_lounge = await server.channel_id("mentor_lounge")
    for handle in ("mentor1", "mentor2"):
        await sockets[handle].barrier(mentor_lounge)
        assert questionnaire_events(sockets[handle], made["id"]) == []
        mine = await expect(await people[handle].get("/api/v1/questionnaires/mine"), 200)
        assert mine["questionnaires"] == []
        path = f"/api/v1/questionnaires/{made['id']}/answers"
        assert (await people[handle].get(path)).status == 404
        assert (await people[handle].post(path, {"answers": {}})).status == 404
    # An id that was never used answers the same.
    never = await people["mentor1"].get("/api/v1/questionnaires/99999/answers")
    assert (await never.json()) == (await (await people["mentor1"].get(path)).json())


def made_closes(made, server: Server) -> str:
    return rows(server, "SELECT closes_at FROM questionnaires WHERE id = ?", (made["id"],))[0][0]


async def test_assigned_to_chosen_pairs_both_people_of_those_pairs_get_it_in_their_channel(server):
    coordinator = await server.client("coordinator")
    handles = ("mentor1", "mentee1", "mentor2", "mentee2", "mentee3")
    clients = {h: await server.client(h) for h in handles}
    sockets = {h: await c.socket() for h, c in clients.items()}
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"], pairs=[await pair_id(server, 1)])

    channel = await server.pair_channel_id(1)
    for handle in ("mentor1", "mentee1"):
        card = await sockets[handle].wait_for("message", is_card(made["id"]))
        assert card["channel_id"] == channel
        await sockets[handle].wait_for("notification", about(made["id"]))
    for handle, n in (("mentor2", 2), ("mentee2", 2), ("mentee3", 3)):
        await sockets[handle].barrier(await server.pair_channel_id(n))
        await sockets[handle].barrier(await server.channel_id(f"{handle[:-1]}_lounge"))
        assert questionnaire_events(sockets[handle], made["id"]) == []
    (stored,) = rows(
        server,
        "SELECT channel_id FROM questionnaire_cards WHERE questionnaire_id = ?",
        (made["id"],),
    )
    assert stored == (channel,)


async def test_assigned_to_a_cohort_only_the_pairs_that_started_in_it_get_it(data_dir):
    later = datetime.now(UTC) + timedelta(days=10)
    clock = FakeClock(later)
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        # Pair 3 ends and its two are paired again on the later day: a new pairing in the cohort.
        await expect(await coordinator.delete(f"/api/v1/pairs/{await pair_id(server, 3)}"), 200)
        mentor3, mentee3 = await server.user("mentor3"), await server.user("mentee3")
        body = {"mentor_id": mentor3.id, "mentee_id": mentee3.id}
        new_pair = (await expect(await coordinator.post("/api/v1/pairs", body), 201))["pair"]
        clients = {h: await server.client(h) for h in ("mentee3", "mentor3", "mentee1", "mentor2")}
        sockets = {h: await c.socket() for h, c in clients.items()}

        made = await create_questionnaire(coordinator, title="Welcome")
        await assign(coordinator, made["id"], started_between=[day(later), day(later)])
        for handle in ("mentee3", "mentor3"):
            card = await sockets[handle].wait_for("message", is_card(made["id"]))
            assert card["channel_id"] == new_pair["channel_id"]
        for handle, n in (("mentee1", 1), ("mentor2", 2)):
            await sockets[handle].barrier(await server.pair_channel_id(n))
            assert questionnaire_events(sockets[handle], made["id"]) == []
        assert (await expect(await clients["mentee1"].get("/api/v1/questionnaires/mine"), 200))[
            "questionnaires"
        ] == []


async def test_a_named_answer_changes_until_it_closes_and_is_refused_after(data_dir):
    clock = FakeClock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        mentee = await server.client("mentee1")
        made = await create_questionnaire(coordinator)
        await assign(coordinator, made["id"], closes_in_days=2, all=True)

        first = await answer(mentee, made["id"], full_answers(made, text="Going well"), 201)
        assert first["questionnaire"]["answered"] is True and first["questionnaire"]["can_change"]
        assert first["questionnaire"]["changed_at"] is None
        changed = full_answers(made, text="Even better", scale=5)
        second = await answer(mentee, made["id"], changed, 200)
        assert second["questionnaire"]["answers"] == changed
        assert second["questionnaire"]["changed_at"] is not None
        seen = await expect(await mentee.get(f"/api/v1/questionnaires/{made['id']}/answers"), 200)
        assert seen["questionnaire"]["answers"] == changed

        clock.advance(days=3)
        late = await mentee.post(
            f"/api/v1/questionnaires/{made['id']}/answers",
            {"answers": full_answers(made, text="Too late")},
        )
        assert late.status == 409 and "closed" in (await late.json())["error"]["message"]
        seen = await expect(await mentee.get(f"/api/v1/questionnaires/{made['id']}/answers"), 200)
        assert seen["questionnaire"]["answers"] == changed
        assert seen["questionnaire"]["state"] == "closed"
        assert seen["questionnaire"]["can_change"] is False
        (stored,) = rows(server, "SELECT answers FROM questionnaire_answers")
        assert "Too late" not in stored[0] and "Even better" in stored[0]


async def test_the_partner_never_sees_the_other_answers(server):
    coordinator = await server.client("coordinator")
    mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"], pairs=[await pair_id(server, 1)])
    mentor_socket = await mentor.socket()
    await answer(mentee, made["id"], full_answers(made, text="MENTEE-ONLY-MARKER"), 201)
    await mentor_socket.barrier(await server.pair_channel_id(1))
    assert "MENTEE-ONLY-MARKER" not in str(mentor_socket.events)
    theirs = await expect(await mentor.get(f"/api/v1/questionnaires/{made['id']}/answers"), 200)
    assert (
        theirs["questionnaire"]["answers"] is None and theirs["questionnaire"]["answered"] is False
    )
    page = await (await mentor.get(f"/questionnaires/{made['id']}")).text()
    assert "MENTEE-ONLY-MARKER" not in page
    assert (
        "MENTEE-ONLY-MARKER" not in await (await mentor.get("/api/v1/questionnaires/mine")).text()
    )


async def test_starters_copy_into_drafts(server):
    coordinator = await server.client("coordinator")
    listed = await expect(await coordinator.get("/api/v1/questionnaires/starters"), 200)
    assert [s["key"] for s in listed["starters"]] == ["intake", "midpoint", "end"]
    for starter in listed["starters"]:
        made = await expect(
            await coordinator.post("/api/v1/questionnaires", {"starter": starter["key"]}), 201
        )
        questionnaire = made["questionnaire"]
        assert questionnaire["state"] == "draft" and questionnaire["title"] == starter["title"]
        assert len(questionnaire["questions"]) == starter["questions"] >= 5
    copied = await expect(
        await coordinator.post("/api/v1/questionnaires", {"copy_of": questionnaire["id"]}), 201
    )
    assert copied["questionnaire"]["title"] == f"Copy of {questionnaire['title']}"
    assert [q["prompt"] for q in copied["questionnaire"]["questions"]] == [
        q["prompt"] for q in questionnaire["questions"]
    ]


async def test_questions_answered_in_any_order_and_the_ids_are_the_questions(server):
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator)
    await assign(coordinator, made["id"])
    mentee = await server.client("mentee2")
    single, multiple, scale, *_ = ids(made)
    body = await answer(mentee, made["id"], {scale: 1, multiple: [2, 1], single: 1}, 201)
    assert body["questionnaire"]["answers"] == {single: 1, multiple: [1, 2], scale: 1}


async def test_sessions_stay_for_days(data_dir):  # the helper the other tests rely on
    assert DAYS_AWAKE["session_idle_hours"] >= 24 * 7
