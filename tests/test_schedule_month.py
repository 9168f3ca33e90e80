"""Simulated weeks of schedules on one database, driven by a fake clock through the two calls
the scheduler makes (`next_wake`, then `run_due` at that instant).  The programme is in
Europe/Copenhagen, where clocks go forward on Sunday 29 March 2026."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import storage
from channels.dates import Calendar
from channels.people.accounts import create_user
from channels.programme.matching import pair_users
from channels.tasks import planning as tasks
from channels.tasks.posting import complete_task, next_wake, run_due
from channels.tasks.rules import Settings

from .clocks import FakeClock

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = Settings(Calendar.of("en_GB", "Europe/Copenhagen"), max_days=366)
START = datetime(2026, 3, 13, 11, 0, tzinfo=UTC)  # Friday 13 March, 12:00 in Copenhagen

Event = tuple[datetime, Callable[[], Awaitable[None]]]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


class Programme:
    def __init__(self, store, clock: FakeClock) -> None:
        self.store, self.clock = store, clock
        self.people = {}
        self.wakes = 0

    async def person(self, handle: str, role: str):
        self.people[handle] = await create_user(
            self.store,
            email=f"{handle}@example.org",
            name=handle.title(),
            role=role,
            clock=self.clock,
        )
        return self.people[handle]

    async def pair(self, letter: str):
        mentor = await self.person(f"mentor{letter}", "mentor")
        mentee = await self.person(f"mentee{letter}", "mentee")
        created = await pair_users(
            self.store,
            self.people["coordinator"],
            {"mentor_id": mentor.id, "mentee_id": mentee.id},
            clock=self.clock,
        )
        return created.pair

    async def template(self, title: str, due_days: int | None = None):
        return await tasks.create_template(
            self.store,
            self.people["coordinator"],
            {"title": title, "body": f"About {title}", "due_days": due_days},
            clock=self.clock,
        )

    async def schedule(self, template, payload):
        return await tasks.create_schedule(
            self.store,
            self.people["coordinator"],
            template.id,
            payload,
            settings=SETTINGS,
            clock=self.clock,
        )

    async def run_until(self, end: datetime, events: list[Event] = ()) -> None:
        """Wake when the scheduler would; on the way, let `events` happen at their instants."""
        pending = sorted(events, key=lambda e: e[0])
        while True:
            wake = await next_wake(self.store, self.clock.now(), SETTINGS)
            candidates = [t for t in [wake, pending[0][0] if pending else None] if t is not None]
            upcoming = min(candidates, default=None)
            if upcoming is None or upcoming > end:
                self.clock.set(end)
                await run_due(self.store, end, SETTINGS)
                return
            self.clock.set(upcoming)
            while pending and pending[0][0] <= upcoming:
                await pending.pop(0)[1]()
            self.wakes += 1
            await run_due(self.store, upcoming, SETTINGS)

    async def tasks_in(self, pair) -> list[tuple[str, datetime, bool]]:
        history = await self.store.list_history(pair.channel_id, before_id=None, limit=200)
        return [
            (m.task.title, datetime.fromisoformat(m.created_at), m.task.late)
            for m in history
            if m.kind == "task"
        ]

    async def reminders_in(self, pair) -> list[tuple[str, datetime]]:
        found = []
        for message in await self.store.list_history(pair.channel_id, before_id=None, limit=200):
            if message.kind == "task":
                for reply in (await self.store.list_thread(message.id))[1:]:
                    found.append((message.task.title, datetime.fromisoformat(reply.created_at)))
        return found


@pytest.fixture
async def programme(tmp_path: Path):
    clock = FakeClock(START)
    store = await storage.open_store(tmp_path)
    made = Programme(store, clock)
    await made.person("coordinator", "coordinator")
    yield made
    await store.close()


async def test_relative_absolute_and_weekly_over_a_month_across_summer_time(programme):
    pair_a = await programme.pair("a")
    intro = await programme.template("Introduce yourselves", due_days=2)
    checkin = await programme.template("Monday check-in")
    survey = await programme.template("Mid-programme survey")
    await programme.schedule(intro, {"pair_day": 3, "time": "09:00", "all": True})
    await programme.schedule(
        checkin,
        {"weekly": {"weekday": "monday", "time": "09:00"}, "until": "2026-04-06", "all": True},
    )
    await programme.schedule(survey, {"at": "2026-03-30T10:00", "all": True})
    pairs = {}

    async def pair_b_starts() -> None:  # after the relative schedule began
        pairs["b"] = await programme.pair("b")

    async def pair_b_does_its_intro() -> None:
        (intro_b,) = [
            m
            for m in await programme.store.list_history(
                pairs["b"].channel_id, before_id=None, limit=50
            )
            if m.kind == "task" and m.task.title == "Introduce yourselves"
        ]
        await complete_task(
            programme.store,
            programme.people["menteeb"],
            {"message_id": intro_b.id, "done": True},
            clock=programme.clock,
        )

    await programme.run_until(
        utc(2026, 4, 13),
        [(utc(2026, 3, 28, 17), pair_b_starts), (utc(2026, 3, 31, 10), pair_b_does_its_intro)],
    )

    assert await programme.tasks_in(pair_a) == [
        ("Introduce yourselves", utc(2026, 3, 15, 8), False),  # Sunday, day 3, 09:00 CET
        ("Monday check-in", utc(2026, 3, 16, 8), False),
        ("Monday check-in", utc(2026, 3, 23, 8), False),
        ("Monday check-in", utc(2026, 3, 30, 7), False),  # 09:00 CEST
        ("Mid-programme survey", utc(2026, 3, 30, 8), False),  # 10:00 CEST
        ("Monday check-in", utc(2026, 4, 6, 7), False),
    ]
    assert await programme.tasks_in(pairs["b"]) == [
        ("Introduce yourselves", utc(2026, 3, 30, 7), False),  # its own day 3, in summer time
        ("Monday check-in", utc(2026, 3, 30, 7), False),
        ("Mid-programme survey", utc(2026, 3, 30, 8), False),
        ("Monday check-in", utc(2026, 4, 6, 7), False),
    ]
    # Due two days after posting: pair A was reminded once, in the task's thread, on time;
    # pair B had done it.
    assert await programme.reminders_in(pair_a) == [("Introduce yourselves", utc(2026, 3, 17, 8))]
    assert await programme.reminders_in(pairs["b"]) == []
    # The scheduler slept from one due instant to the next instead of polling.
    assert programme.wakes <= 12

    # Running again changes nothing: everything due has been posted, once.
    again = await run_due(programme.store, utc(2026, 4, 13), SETTINGS)
    assert again.changes == []


async def test_pause_resume_edit_and_cancel_affect_only_what_is_not_posted(programme):
    coordinator = programme.people["coordinator"]
    pair_a = await programme.pair("a")
    weekly = await programme.template("Weekly reflection")
    schedule = await programme.schedule(
        weekly,
        {"weekly": {"weekday": "monday", "time": "09:00"}, "until": "2026-04-20", "all": True},
    )
    store, clock = programme.store, programme.clock

    async def edit(payload) -> None:
        await tasks.edit_schedule(
            store, coordinator, schedule.id, payload, settings=SETTINGS, clock=clock
        )

    async def rename() -> None:
        await tasks.edit_template(
            store, coordinator, weekly.id, {"title": "Weekly review"}, clock=clock
        )

    async def cancel() -> None:
        await tasks.cancel_schedule(store, coordinator, schedule.id, clock=clock)

    await programme.run_until(
        utc(2026, 4, 21),
        [
            (utc(2026, 3, 17), lambda: edit({"paused": True})),
            (utc(2026, 3, 24), lambda: edit({"paused": False})),  # 23 March passed while paused
            (utc(2026, 3, 31), rename),
            (utc(2026, 4, 7), cancel),
        ],
    )
    assert await programme.tasks_in(pair_a) == [
        ("Weekly reflection", utc(2026, 3, 16, 8), False),
        ("Weekly reflection", utc(2026, 3, 30, 7), False),
        ("Weekly review", utc(2026, 4, 6, 7), False),
    ]


async def test_moving_a_relative_task_to_another_day_does_not_post_it_twice(programme):
    coordinator = programme.people["coordinator"]
    pair_a = await programme.pair("a")
    task = await programme.template("Set a goal")
    schedule = await programme.schedule(task, {"pair_day": 2, "time": "09:00", "all": True})
    await programme.run_until(utc(2026, 3, 20))
    await tasks.edit_schedule(
        programme.store,
        coordinator,
        schedule.id,
        {"pair_day": 5, "time": "09:00"},
        settings=SETTINGS,
        clock=programme.clock,
    )
    pairs = {}

    async def pair_c_starts() -> None:
        pairs["c"] = await programme.pair("c")

    await programme.run_until(utc(2026, 4, 10), [(utc(2026, 3, 23, 9), pair_c_starts)])
    assert await programme.tasks_in(pair_a) == [("Set a goal", utc(2026, 3, 14, 8), False)]
    assert await programme.tasks_in(pairs["c"]) == [("Set a goal", utc(2026, 3, 27, 8), False)]


async def test_a_missed_time_is_posted_once_when_the_scheduler_next_runs_marked_late(programme):
    pair_a = await programme.pair("a")
    task = await programme.template("Book your next meeting")
    await programme.schedule(task, {"at": "2026-03-14T09:00", "pairs": [pair_a.id]})
    programme.clock.set(utc(2026, 3, 16, 12))  # nothing ran over the weekend
    first = await run_due(programme.store, programme.clock.now(), SETTINGS)
    second = await run_due(programme.store, programme.clock.now(), SETTINGS)
    assert [m.task.late for m in first.changes] == [True]
    assert second.changes == []
    assert await programme.tasks_in(pair_a) == [
        ("Book your next meeting", utc(2026, 3, 16, 12), True)
    ]
