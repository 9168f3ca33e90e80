"""The scheduler inside real servers: a restart over a due time, two servers sharing one
database, and the overdue reminder, with a fake clock (no sleeping)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from channels.clock import iso
from channels.tasks import posting as task_posting

from .clocks import FakeClock, next_whole_hour
from .task_support import create_task, expect, pair_id, running, scheduler, task_messages


def fresh_clock() -> FakeClock:
    """After the demo programme was seeded (its pairs started then), on a whole hour."""
    return FakeClock(next_whole_hour(datetime.now(UTC)))


async def test_a_task_due_while_the_server_was_down_appears_once_on_start_marked_late(data_dir):
    clock = fresh_clock()
    due = clock.now() + timedelta(hours=1)
    async with running(data_dir, clock) as first:
        coordinator = await first.client("coordinator")
        task_id = await create_task(coordinator)
        rule = {"at": iso(due), "pairs": [await pair_id(first, 1)]}
        await expect(await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", rule), 201)
        assert (await scheduler(first).run_once()).changes == []  # not due yet
        channel = await first.pair_channel_id(1)

    clock.advance(hours=3)  # the server was down at the due time
    for _restart in range(2):
        async with running(data_dir, clock) as server:
            await asyncio.wait_for(scheduler(server).first_pass_done.wait(), 5)
            await scheduler(server).run_once()
            (task,) = await task_messages(await server.client("mentee1"), channel)
            assert task["task"]["late"] is True
            assert task["task"]["title"] == "Share your CV draft"
            assert datetime.fromisoformat(task["created_at"]) == due + timedelta(hours=2)
            if _restart == 0:  # only the chosen pair had it
                other = await server.client("mentee2")
                assert await task_messages(other, await server.pair_channel_id(2)) == []
        clock.advance(hours=1)


async def test_two_servers_on_one_database_post_every_occurrence_once_for_a_week(data_dir):
    clock = fresh_clock()
    start = clock.now()
    async with AsyncExitStack() as stack:
        nodes = [await stack.enter_async_context(running(data_dir, clock)) for _ in range(2)]
        await check_a_week_on(nodes, clock, start)


async def check_a_week_on(nodes, clock: FakeClock, start: datetime) -> None:
    coordinator = await nodes[0].client("coordinator")
    until = iso(start + timedelta(days=7) - timedelta(seconds=1))
    for weekday in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"):
        task_id = await create_task(coordinator, title=f"{weekday} reflection", due_days=1)
        rule = {"weekly": {"weekday": weekday, "time": "09:00"}, "until": until}
        await expect(
            await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", {**rule, "all": True}), 201
        )
    for day in (2, 3, 4):
        task_id = await create_task(coordinator, title=f"Day {day}")
        rule = {"pair_day": day, "time": "10:00", "all": True}
        await expect(await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", rule), 201)
    task_id = await create_task(coordinator, title="Half-way")
    at = iso(start + timedelta(hours=50))
    await expect(
        await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", {"at": at, "all": True}), 201
    )

    for _hour in range(7 * 24 + 2):  # both nodes wake every simulated hour, at the same time
        clock.advance(hours=1)
        await asyncio.gather(*(scheduler(node).run_once() for node in nodes))

    end = clock.now()
    for n in (1, 2, 3):
        mentee = await nodes[1].client(f"mentee{n}")
        found = await task_messages(mentee, await nodes[1].pair_channel_id(n))
        titles = sorted(m["task"]["title"] for m in found)
        assert titles == sorted(
            [
                f"{d} reflection"
                for d in (
                    "monday",
                    "tuesday",
                    "wednesday",
                    "thursday",
                    "friday",
                    "saturday",
                    "sunday",
                )
            ]
            + ["Day 2", "Day 3", "Day 4", "Half-way"]
        )
        for message in found:
            assert message["task"]["late"] is False
            due_at = message["task"]["due_at"]
            overdue = due_at is not None and datetime.fromisoformat(due_at) <= end
            assert message["reply_count"] == (1 if overdue else 0), message  # one reminder
    overview = await expect(await coordinator.get("/api/v1/tasks"), 200)
    assert sum(t["progress"]["posted"] for t in overview["tasks"]) == 3 * 11


async def test_an_overdue_task_gets_one_reminder_in_its_thread_live(data_dir):
    clock = fresh_clock()
    async with running(data_dir, clock) as server:
        await check_a_reminder_on(server, clock)


async def check_a_reminder_on(server, clock: FakeClock) -> None:
    coordinator = await server.client("coordinator")
    mentor = await (await server.client("mentor1")).socket()
    task_id = await create_task(coordinator, due_days=3)
    await expect(
        await coordinator.post(
            f"/api/v1/tasks/{task_id}/post-now", {"pairs": [await pair_id(server, 1)]}
        ),
        201,
    )
    card = await mentor.wait_for("message", lambda m: m["kind"] == "task")

    clock.advance(days=3, seconds=-1)
    assert (await scheduler(server).run_once()).changes == []
    clock.advance(seconds=1)
    await scheduler(server).run_once()
    reminder = await mentor.wait_for("message", lambda m: m["thread_id"] == card["id"])
    assert reminder["kind"] == "system"
    assert reminder["body"].startswith("Reminder: this task was due on ")
    root = await mentor.wait_for("message", lambda m: m["id"] == card["id"] and m["reply_count"])
    assert root["reply_count"] == 1

    clock.advance(days=1)
    assert (await scheduler(server).run_once()).changes == []  # once
    progress = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}/progress"), 200)
    assert progress["totals"] | {} == {
        "pairs": 1,
        "posted": 1,
        "done": 0,
        "overdue": 1,
        "pairs_done": 0,
    }


async def test_stopping_the_server_leaves_no_scheduler_task_behind(data_dir):
    clock = fresh_clock()
    async with running(data_dir, clock) as server:
        await asyncio.wait_for(scheduler(server).first_pass_done.wait(), 5)
        assert _scheduler_tasks()
    assert _scheduler_tasks() == []


def _scheduler_tasks() -> list[asyncio.Task]:
    return [t for t in asyncio.all_tasks() if t.get_name() == "mentorspace-scheduler"]


async def test_the_running_scheduler_wakes_by_itself_when_a_task_falls_due(server):
    """No run_once here: the runner's own loop sleeps until the due moment (real clock)."""
    coordinator = await server.client("coordinator")
    mentee = await (await server.client("mentee1")).socket()
    task_id = await create_task(coordinator)
    due = datetime.now(UTC) + timedelta(seconds=0.5)
    rule = {"at": iso(due), "pairs": [await pair_id(server, 1)]}
    await expect(await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", rule), 201)
    card = await mentee.wait_for("message", lambda m: m["kind"] == "task", timeout=5)
    assert datetime.fromisoformat(card["created_at"]) >= due
    assert card["task"]["late"] is False


class _PairEndsMidRun:
    """The server's own store, except that right after a run has planned its writes (read what
    is claimed, or which tasks are overdue) a coordinator ends a pair: the moment between
    planning and writing, made deterministic."""

    def __init__(self, store, end_pair) -> None:
        self._store, self._end_pair = store, end_pair

    def __getattr__(self, name: str):
        return getattr(self._store, name)

    async def list_claimed(self, schedule_id: int):
        claimed = await self._store.list_claimed(schedule_id)
        await self._end_pair()
        return claimed

    async def list_overdue_unreminded(self, now: str, limit: int):
        overdue = await self._store.list_overdue_unreminded(now, limit)
        await self._end_pair()
        return overdue


async def _ending(coordinator, pair: int):
    async def end() -> None:
        response = await coordinator.delete(f"/api/v1/pairs/{pair}")
        assert response.status in (200, 409)  # 409: ended already, on a second call

    return end


async def test_a_pair_ended_between_planning_and_writing_gets_no_task(data_dir):
    clock = fresh_clock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator)
        due = clock.now() + timedelta(hours=1)
        await expect(
            await coordinator.post(
                f"/api/v1/tasks/{task_id}/schedules", {"at": iso(due), "all": True}
            ),
            201,
        )
        ended_channel, other_channel = (
            await server.pair_channel_id(1),
            await server.pair_channel_id(2),
        )
        store = _PairEndsMidRun(server.store, await _ending(coordinator, await pair_id(server, 1)))
        await scheduler(server).stop()  # this test alone runs the scheduler's work, at its moment

        clock.advance(hours=1)
        run = await task_posting.run_due(store, clock.now(), scheduler(server).settings)

        assert ended_channel not in {m.channel_id for m in run.changes}
        mentee1, mentee2 = await server.client("mentee1"), await server.client("mentee2")
        assert [m for m in await task_messages(mentee1, ended_channel)] == []
        assert len(await task_messages(mentee2, other_channel)) == 1
        overview = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}/progress"), 200)
        assert overview["totals"]["posted"] == 2  # pairs 2 and 3


async def test_a_pair_ended_between_planning_and_writing_gets_no_reminder(data_dir):
    clock = fresh_clock()
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator, due_days=1)
        pair = await pair_id(server, 1)
        await expect(
            await coordinator.post(f"/api/v1/tasks/{task_id}/post-now", {"pairs": [pair]}), 201
        )
        channel = await server.pair_channel_id(1)
        store = _PairEndsMidRun(server.store, await _ending(coordinator, pair))
        await scheduler(server).stop()  # this test alone runs the scheduler's work, at its moment

        clock.advance(days=1, seconds=1)
        run = await task_posting.remind_overdue(store, clock.now(), scheduler(server).settings)

        assert run.changes == []
        (card,) = await task_messages(await server.client("mentee1"), channel)
        assert card["reply_count"] == 0
