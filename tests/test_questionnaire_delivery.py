"""Cards and reminders with an injected clock: nothing before a questionnaire opens, one card per
place and one notification per person when it opens, one reminder a day before it closes for
those who have not answered, and never anything twice: not on a second pass, not with two
servers on one database, not for someone who turned the kind off."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, time, timedelta

from server import keys

from .clocks import FakeClock
from .questionnaire_support import (
    answer,
    create_questionnaire,
    day,
    full_answers,
    rows,
    runner,
)
from .support import email
from .task_support import expect, pair_id, running

ASKED = ("mentor1", "mentor2", "mentor3", "mentee1", "mentee2", "mentee3")


def fresh_clock() -> FakeClock:
    """Tomorrow at 10:00 UTC: after the demo was seeded, and at the same hour whenever the
    suite runs (from 23:00 the next whole hour was midnight, and a reminder due 'the day before
    it closes' fell a day later than the tests expect)."""
    tomorrow = datetime.now(UTC).date() + timedelta(days=1)
    return FakeClock(datetime.combine(tomorrow, time(10), tzinfo=UTC))


def notified(server, questionnaire_id: int) -> list[tuple[int, str]]:
    """(user id, created_at) of every questionnaire notification, in order."""
    return rows(
        server,
        "SELECT user_id, created_at FROM notifications WHERE kind = 'questionnaire'"
        " AND questionnaire_id = ? ORDER BY id",
        (questionnaire_id,),
    )


def cards(server, questionnaire_id: int) -> list[tuple[int, int]]:
    return rows(
        server,
        "SELECT c.channel_id, m.kind FROM questionnaire_cards c JOIN messages m"
        " ON m.id = c.message_id WHERE c.questionnaire_id = ? ORDER BY c.channel_id",
        (questionnaire_id,),
    )


async def test_it_opens_once_and_reminds_the_unanswered_once_the_day_before_it_closes(data_dir):
    clock = fresh_clock()
    start = clock.now()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator)
        assignment = {
            "all": True,
            "opens_at": day(start + timedelta(days=1)),
            "closes_at": day(start + timedelta(days=5)),
        }
        path = f"/api/v1/questionnaires/{made['id']}/assignment"
        assigned = await expect(await coordinator.post(path, assignment), 201)
        assert assigned["questionnaire"]["state"] == "scheduled"
        mentee1 = await server.client("mentee1")
        sock = await mentee1.socket()

        delivery = await runner(server).run_once()  # not open yet
        assert delivery.changes == [] and delivery.notification_ids == []
        assert (await expect(await mentee1.get("/api/v1/questionnaires/mine"), 200))[
            "questionnaires"
        ] == []

        clock.set(datetime.fromisoformat(assigned["questionnaire"]["opens_at"]))
        opened = await runner(server).run_once()
        lounges = sorted([await server.channel_id(k) for k in ("mentor_lounge", "mentee_lounge")])
        assert [m.channel_id for m in opened.changes] == lounges
        assert len(opened.notification_ids) == len(ASKED)
        await sock.wait_for("notification", lambda n: n["kind"] == "questionnaire")
        card = await sock.wait_for("message", lambda m: m["kind"] == "questionnaire")
        assert card["channel_id"] == await server.channel_id("mentee_lounge")
        for _ in range(3):  # again and again: nothing more
            again = await runner(server).run_once()
            assert again.changes == [] and again.notification_ids == []

        await answer(mentee1, made["id"], full_answers(made), 201)
        clock.advance(days=2)
        quiet = await runner(server).run_once()
        assert quiet.notification_ids == []

        closes = datetime.fromisoformat(assigned["questionnaire"]["closes_at"])
        clock.set(closes - timedelta(days=1) + timedelta(minutes=1))
        reminded = await runner(server).run_once()
        people = {u.id: h for h in ASKED if (u := await server.user(h))}
        told = sorted(people[u] for u, _ in notified(server, made["id"])[len(ASKED) :])
        assert told == sorted(h for h in ASKED if h != "mentee1")
        assert len(reminded.notification_ids) == len(ASKED) - 1 and reminded.changes == []
        clock.advance(hours=2)
        assert (await runner(server).run_once()).notification_ids == []

        # After it closes: no answer, no card, no notification.
        clock.set(closes + timedelta(minutes=1))
        assert (await runner(server).run_once()).notification_ids == []
        assert cards(server, made["id"]) == [(c, "questionnaire") for c in lounges]
        per_person = {}
        for user_id, _ in notified(server, made["id"]):
            per_person[user_id] = per_person.get(user_id, 0) + 1
        assert per_person == {u: (1 if people[u] == "mentee1" else 2) for u in people}


async def test_two_servers_on_one_database_deliver_each_card_and_reminder_once(data_dir):
    clock = fresh_clock()
    start = clock.now()
    async with AsyncExitStack() as stack:
        nodes = [await stack.enter_async_context(running(data_dir, clock)) for _ in range(2)]
        coordinator = await nodes[0].client("coordinator")
        made = []
        for n in range(3):
            questionnaire = await create_questionnaire(coordinator, title=f"Q{n}")
            target = {"pairs": [await pair_id(nodes[0], 1), await pair_id(nodes[0], 2)]}
            if n == 1:
                target = {"all": True, "roles": ["mentee"]}
            payload = {
                **target,
                "opens_at": day(start + timedelta(days=n + 1)),
                "closes_at": day(start + timedelta(days=n + 4)),
            }
            path = f"/api/v1/questionnaires/{questionnaire['id']}/assignment"
            await expect(await coordinator.post(path, payload), 201)
            made.append(questionnaire)
        for _hour in range(8 * 24):
            clock.advance(hours=1)
            await asyncio.gather(*(runner(node).run_once() for node in nodes))

        server = nodes[0]
        expected_people = [4, 3, 4]  # two pairs (both people); the three mentees
        for questionnaire, people in zip(made, expected_people, strict=True):
            per_person: dict[int, int] = {}
            for user_id, _ in notified(server, questionnaire["id"]):
                per_person[user_id] = per_person.get(user_id, 0) + 1
            assert len(per_person) == people
            assert set(per_person.values()) == {2}  # opened, and the day before it closed
            channel_ids = [c for c, _ in cards(server, questionnaire["id"])]
            assert len(channel_ids) == len(set(channel_ids)) == (1 if people == 3 else 2)


async def test_who_turned_questionnaire_notifications_off_still_gets_the_card(data_dir):
    clock = fresh_clock()
    async with running(data_dir, clock) as server:
        mentee = await server.client("mentee2")
        settings = await expect(
            await mentee.patch("/api/v1/me/notifications", {"kinds": {"questionnaire": False}}),
            200,
        )
        assert settings["kinds"]["questionnaire"] is False
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator)
        payload = {
            "all": True,
            "roles": ["mentee"],
            "closes_at": day(clock.now() + timedelta(days=3)),
        }
        await expect(
            await coordinator.post(f"/api/v1/questionnaires/{made['id']}/assignment", payload), 201
        )
        mentee2 = await server.user("mentee2")
        assert mentee2.id not in [u for u, _ in notified(server, made["id"])]
        assert len(notified(server, made["id"])) == 2
        mine = await expect(await mentee.get("/api/v1/questionnaires/mine"), 200)
        assert [q["id"] for q in mine["questionnaires"]] == [made["id"]]
        # and the day before it closes: still nothing for her, exactly once for the others
        clock.advance(days=2, hours=23)
        await runner(server).run_once()
        await runner(server).run_once()
        assert sorted(u for u, _ in notified(server, made["id"])).count(mentee2.id) == 0
        assert len(notified(server, made["id"])) == 4


async def test_a_pair_that_joins_a_cohort_while_it_is_open_gets_its_card_at_the_next_pass(data_dir):
    clock = FakeClock(fresh_clock().now() + timedelta(days=1))  # the demo pairs started before
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        made = await create_questionnaire(coordinator)
        today, later = clock.now(), clock.now() + timedelta(days=3)
        payload = {"started_between": [day(today), day(later)], "closes_at": day(later)}
        await expect(
            await coordinator.post(f"/api/v1/questionnaires/{made['id']}/assignment", payload), 201
        )
        assert cards(server, made["id"]) == []  # the demo pairs started before today
        await expect(await coordinator.delete(f"/api/v1/pairs/{await pair_id(server, 2)}"), 200)
        mentor2, mentee2 = await server.user("mentor2"), await server.user("mentee2")
        clock.advance(hours=5)
        paired = await expect(
            await coordinator.post(
                "/api/v1/pairs", {"mentor_id": mentor2.id, "mentee_id": mentee2.id}
            ),
            201,
        )
        delivery = await runner(server).run_once()
        assert [m.channel_id for m in delivery.changes] == [paired["pair"]["channel_id"]]
        assert sorted(u for u, _ in notified(server, made["id"])) == sorted(
            [mentor2.id, mentee2.id]
        )
        assert (await runner(server).run_once()).changes == []


async def test_moving_the_closing_date_redraws_every_card_and_closing_now_stops_answers(server):
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(coordinator)
    clock_now = datetime.now(UTC)
    await expect(
        await coordinator.post(
            f"/api/v1/questionnaires/{made['id']}/assignment",
            {"all": True, "closes_at": day(clock_now + timedelta(days=3))},
        ),
        201,
    )
    mentee = await server.client("mentee3")
    sock = await mentee.socket()
    new_day = day(clock_now + timedelta(days=9))
    moved = await expect(
        await coordinator.patch(f"/api/v1/questionnaires/{made['id']}", {"closes_at": new_day}),
        200,
    )
    closes_at = moved["questionnaire"]["closes_at"]
    assert closes_at.startswith(new_day)
    redrawn = await sock.wait_for(
        "message",
        lambda m: m["kind"] == "questionnaire" and m["questionnaire"]["closes_at"] == closes_at,
    )
    assert redrawn["seq"] > redrawn["created_seq"]
    closed = await expect(await coordinator.post(f"/api/v1/questionnaires/{made['id']}/close"), 200)
    assert closed["questionnaire"]["state"] == "closed"
    late = await mentee.post(
        f"/api/v1/questionnaires/{made['id']}/answers", {"answers": full_answers(made)}
    )
    assert late.status == 409
    assert rows(server, "SELECT count(*) FROM questionnaire_respondents") == [(0,)]
    # Its card says so (it no longer asks for answers "until" a time gone by).
    card = redrawn["id"]
    page = await (await mentee.get(f"/channels/{redrawn['channel_id']}")).text()
    shown = page[page.index(f'id="m-{card}"') :]
    label = shown.index('class="questionnaire-due-label">')
    assert label < shown.index("</li>")  # its own card's
    assert shown[label:].startswith('class="questionnaire-due-label">Closed</span>')
    actions = [e.action for e in await server.store.list_audit()][:2]
    assert actions == ["questionnaire.closed", "questionnaire.closing_changed"]


async def test_someone_away_is_mailed_that_a_questionnaire_waits_and_never_what_it_asks(
    mail_server, smtp, clock
):
    server = mail_server
    coordinator = await server.client("coordinator")
    made = await create_questionnaire(
        coordinator, title="Halfway check", intro="SECRETINTRO not in mails"
    )
    payload = {"all": True, "roles": ["mentee"], "closes_at": day(clock.now() + timedelta(days=5))}
    assigned = await expect(
        await coordinator.post(f"/api/v1/questionnaires/{made['id']}/assignment", payload), 201
    )
    closes = datetime.fromisoformat(assigned["questionnaire"]["closes_at"])
    away = server.app[keys.AWAY_MAILER]
    clock.advance(minutes=11)
    assert await away.run_once() == 3  # the three mentees, none of them with a socket open
    mail = await smtp.wait_for(email("mentee2"))
    assert "A questionnaire is waiting for your answers: Halfway check." in mail.text
    assert f"/questionnaires/{made['id']}" in mail.text
    assert "SECRETINTRO" not in str(mail.message)
    assert await away.run_once() == 0
    # Answered before the reminder: no second mail for her; the others get one.
    await answer(await server.client("mentee2"), made["id"], full_answers(made), 201)
    clock.set(closes - timedelta(hours=23))
    await runner(server).run_once()
    clock.advance(minutes=11)
    assert await away.run_once() == 2
    assert [m.recipient for m in await server.store.list_mail(limit=50)].count(
        email("mentee2")
    ) == 1
