"""Schedules as plain forms (no JavaScript): now, once, day N of each pairing, weekly until a
day; to all active pairs, chosen pairs or a cohort; change, pause, resume, cancel; a task changed
or deleted.  Bad input is refused with the reason and what was typed, and changes nothing; every
action is in the audit log."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .clocks import FakeClock
from .task_support import create_task, expect, pair_id, post_now, running, task_messages


async def _csrf(client, path: str) -> str:
    html = await (await client.get(path)).text()
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


async def _task(client, task_id: int) -> dict:
    return (await expect(await client.get(f"/api/v1/tasks/{task_id}"), 200))["task"]


def _in_a_month() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).date().isoformat()


WEEKLY = {"when": "weekly", "weekday": "monday", "week_time": "09:00"}


async def test_schedules_for_chosen_pairs_a_cohort_and_now_and_refusals(data_dir):
    async with running(data_dir, FakeClock(datetime.now(UTC) + timedelta(minutes=1))) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator, due_days=7)
        page = f"/admin/tasks/{task_id}"
        token = await _csrf(coordinator, page)
        first, second = await pair_id(server, 1), await pair_id(server, 2)
        audit_before = await (await coordinator.get("/admin/audit")).text()

        async def send(**fields):
            return await coordinator.http.post(
                f"{page}/schedules", data={"csrf_token": token, **fields}, allow_redirects=False
            )

        refused = [
            ({**WEEKLY, "until": "", "who": "all"}, "last day it is posted"),
            ({**WEEKLY, "until": "2020-01-01", "who": "all"}, "already passed"),
            ({**WEEKLY, "weekday": "someday", "until": _in_a_month(), "who": "all"}, "weekday"),
            ({"when": "pair_day", "pair_day": "0", "day_time": "09:00", "who": "all"}, "pair_day"),
            ({"when": "pair_day", "pair_day": "three", "day_time": "09:00"}, "day of the pairing"),
            ({"when": "pair_day", "pair_day": "3", "day_time": "25:00", "who": "all"}, "time"),
            ({"when": "at", "at": "", "who": "all"}, "date and time"),
            ({"when": "", "who": "all"}, "Choose when"),
            ({**WEEKLY, "until": _in_a_month(), "who": "pairs"}, "at least one pair"),
            ({**WEEKLY, "until": _in_a_month(), "who": "pairs", "pairs": "999"}, "no active pair"),
            (
                {
                    **WEEKLY,
                    "until": _in_a_month(),
                    "who": "cohort",
                    "started_from": "2026-02-01",
                    "started_until": "2026-01-01",
                },
                "first date",
            ),
            ({**WEEKLY, "until": _in_a_month(), "who": "nobody"}, "Choose which pairs"),
            ({"when": "now", "who": "pairs", "pairs": "x"}, "Choose pairs from the list"),
        ]
        for fields, reason in refused:
            response = await send(**fields)
            html = await response.text()
            assert response.status == 400, fields
            assert 'role="alert"' in html and reason in html, (fields, reason)
            if fields.get("week_time"):  # what was typed is shown again
                assert 'name="week_time" type="time" value="09:00"' in html
        assert (await _task(coordinator, task_id))["schedules"] == []
        assert (
            await task_messages(await server.client("mentee1"), await server.pair_channel_id(1))
            == []
        )
        assert await (await coordinator.get("/admin/audit")).text() == audit_before

        # Weekly with an end, for two chosen pairs.
        until = _in_a_month()
        weekly = await send(**WEEKLY, until=until, who="pairs", pairs=[str(first), str(second)])
        assert weekly.status == 303 and weekly.headers["Location"] == f"{page}?notice=scheduled"
        (schedule,) = (await _task(coordinator, task_id))["schedules"]
        assert schedule["kind"] == "weekly" and schedule["state"] == "active"
        assert schedule["weekly"] == {"weekday": "monday", "time": "09:00"}
        assert schedule["until"].startswith(until) and schedule["target"] == {
            "pairs": sorted([first, second])
        }
        html = await (await coordinator.get(page)).text()
        assert re.search(
            r"Every Monday at 09:00 until [A-Z][a-z]+day, \d+ [A-Z][a-z]+ \d{4}, to 2 chosen pairs\.",
            html,
        )

        # Day 3 of each pairing, for a cohort.
        cohort = await send(
            when="pair_day",
            pair_day="3",
            day_time="10:30",
            who="cohort",
            started_from="2000-01-01",
            started_until="2099-12-31",
        )
        assert cohort.status == 303
        day3 = (await _task(coordinator, task_id))["schedules"][-1]
        assert (day3["pair_day"], day3["time"]) == (3, "10:30")
        assert day3["target"] == {"started_between": ["2000-01-01", "2099-12-31"]}
        html = await (await coordinator.get(page)).text()
        assert (
            "On day 3 of each pairing at 10:30, to the pairs that started from Saturday, 1 January 2000 to Thursday, 31 December 2099."
            in html
        )

        # Now, to one chosen pair: only that pair gets it.
        now = await send(when="now", who="pairs", pairs=str(first))
        assert now.status == 303 and now.headers["Location"] == f"{page}?notice=posted"
        mentee1, mentee2 = await server.client("mentee1"), await server.client("mentee2")
        assert len(await task_messages(mentee1, await server.pair_channel_id(1))) == 1
        assert await task_messages(mentee2, await server.pair_channel_id(2)) == []

        # Again: asked first, for that one pair, with the choice carried through.
        again = await send(when="now", who="pairs", pairs=str(first))
        html = await again.text()
        assert again.status == 200 and "Yes, post it again to 1 pair" in html
        assert f'name="pairs" value="{first}"' in html and 'name="when" value="now"' in html
        assert len(await task_messages(mentee1, await server.pair_channel_id(1))) == 1
        confirmed = await send(when="now", who="pairs", pairs=str(first), confirmed="yes")
        assert confirmed.status == 303
        assert len(await task_messages(mentee1, await server.pair_channel_id(1))) == 2
        assert await task_messages(mentee2, await server.pair_channel_id(2)) == []

        audit = await (await coordinator.get("/admin/audit")).text()
        assert audit.count("Scheduled the task Share your CV draft.") == 2
        assert audit.count("Posted the task Share your CV draft into 1 pair channels.") == 2

        # Only a coordinator.
        mentee_token = await _csrf(mentee1, "/")
        response = await mentee1.http.post(
            f"{page}/schedules",
            data={"csrf_token": mentee_token, "when": "now", "who": "all"},
            allow_redirects=False,
        )
        assert response.status in (302, 403)
        assert len(await task_messages(mentee1, await server.pair_channel_id(1))) == 2


async def test_pause_resume_change_and_cancel_a_schedule(data_dir):
    async with running(data_dir, FakeClock(datetime.now(UTC) + timedelta(minutes=1))) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator)
        first = await pair_id(server, 1)
        created = await coordinator.post(
            f"/api/v1/tasks/{task_id}/schedules",
            {
                "weekly": {"weekday": "monday", "time": "09:00"},
                "until": _in_a_month(),
                "pairs": [first],
            },
        )
        schedule_id = (await expect(created, 201))["schedule"]["id"]
        page = f"/admin/schedules/{schedule_id}"
        token = await _csrf(coordinator, page)

        async def send(path: str, **fields):
            return await coordinator.http.post(
                path, data={"csrf_token": token, **fields}, allow_redirects=False
            )

        async def stored() -> dict:
            (found,) = (await _task(coordinator, task_id))["schedules"]
            return found

        # The page shows the schedule as the form's values.
        html = await (await coordinator.get(page)).text()
        assert 'id="when-weekly" name="when" value="weekly" checked' in html
        assert '<option value="monday" selected>Monday</option>' in html
        assert 'name="week_time" type="time" value="09:00"' in html
        assert f'name="pairs" value="{first}" checked' in html
        assert "It reaches 1 active pair today." in html

        # Pause: yes or no only; then from the task page, back to it.
        assert (await send(f"{page}/pause", paused="maybe")).status == 400
        assert (await stored())["state"] == "active"
        paused = await send(f"{page}/pause", paused="yes", back="task")
        assert paused.headers["Location"] == f"/admin/tasks/{task_id}?notice=paused"
        assert (await stored())["state"] == "paused"
        html = await (await coordinator.get(f"/admin/tasks/{task_id}")).text()
        assert "to 1 chosen pair (paused)." in html and ">Resume<" in html
        resumed = await send(f"{page}/pause", paused="no")
        assert resumed.headers["Location"] == f"{page}?notice=resumed"
        assert (await stored())["state"] == "active"

        # Change: refused with the reason, nothing changed; then a new day, time and target.
        before = await stored()
        bad = await send(page, **WEEKLY, until="2020-01-01", who="all")
        assert bad.status == 400 and "already passed" in await bad.text()
        assert await stored() == before
        changed = await send(
            page,
            when="weekly",
            weekday="thursday",
            week_time="18:15",
            until=_in_a_month(),
            who="all",
        )
        assert changed.headers["Location"] == f"{page}?notice=schedule-changed"
        after = await stored()
        assert after["weekly"] == {"weekday": "thursday", "time": "18:15"}
        assert after["target"] == {"all": True} and after["state"] == "active"

        # Cancel: asked first, saying how many pairs it reaches; then it is cancelled.
        active = len(await server.store.list_pairs(active_only=True))
        asked = await send(f"{page}/cancel")
        html = await asked.text()
        assert asked.status == 200 and f"Yes, cancel it for {active} pairs" in html
        assert 'class="button danger"' in html and (await stored())["state"] == "active"
        cancelled = await send(f"{page}/cancel", confirmed="yes")
        assert cancelled.headers["Location"] == f"/admin/tasks/{task_id}?notice=cancelled"
        assert (await stored())["state"] == "cancelled"
        html = await (await coordinator.get(page)).text()
        assert "has been cancelled" in html and "Save the changes" not in html
        late = await send(page, **WEEKLY, until=_in_a_month(), who="all")
        assert late.status == 400 and "make a new one instead" in await late.text()
        assert (await stored())["state"] == "cancelled"

        audit = await (await coordinator.get("/admin/audit")).text()
        for line, times in [
            ("Changed the schedule of the task Share your CV draft (paused).", 1),
            ("Changed the schedule of the task Share your CV draft (active).", 2),
            ("Cancelled a schedule of the task Share your CV draft.", 1),
        ]:
            assert audit.count(line) == times, line

        assert (await coordinator.get("/admin/schedules/999999")).status == 404


async def test_change_and_delete_a_task(data_dir):
    async with running(data_dir, FakeClock(datetime.now(UTC) + timedelta(minutes=1))) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator, due_days=2)
        await post_now(coordinator, task_id, {"pairs": [await pair_id(server, 1)]})
        await coordinator.post(
            f"/api/v1/tasks/{task_id}/schedules", {"pair_day": 5, "time": "09:00", "all": True}
        )
        page = f"/admin/tasks/{task_id}"
        token = await _csrf(coordinator, page)

        async def send(path: str, **fields):
            return await coordinator.http.post(
                path, data={"csrf_token": token, **fields}, allow_redirects=False
            )

        before = await _task(coordinator, task_id)
        for fields, reason in [
            ({"title": " ", "body": "New words", "due_days": "3"}, "title"),
            ({"title": "New", "body": "New words", "due_days": "soon"}, "due period"),
        ]:
            bad = await send(page, **fields)
            html = await bad.text()
            assert bad.status == 400 and reason in html
            assert '<details class="task-edit" open>' in html and "New words</textarea>" in html
        assert await _task(coordinator, task_id) == before

        edited = await send(page, title="Share your CV, version 2", body="Again.", due_days="")
        assert edited.headers["Location"] == f"{page}?notice=task-edited"
        now = await _task(coordinator, task_id)
        assert (now["title"], now["body"], now["due_days"]) == (
            "Share your CV, version 2",
            "Again.",
            None,
        )

        asked = await send(f"{page}/delete")
        html = await asked.text()
        assert asked.status == 200 and "Yes, delete the task" in html
        assert "its 1 schedule still to post stops" in html
        assert "The 1 copy already posted stays with the pairs" in html
        assert (await coordinator.get(f"/api/v1/tasks/{task_id}")).status == 200
        deleted = await send(f"{page}/delete", confirmed="yes")
        assert deleted.headers["Location"] == "/admin/tasks?notice=task-deleted"
        assert (await coordinator.get(f"/api/v1/tasks/{task_id}")).status == 404
        mentee = await server.client("mentee1")
        assert len(await task_messages(mentee, await server.pair_channel_id(1))) == 1

        audit = await (await coordinator.get("/admin/audit")).text()
        assert "Edited the task Share your CV, version 2." in audit
        assert "Removed the task Share your CV, version 2." in audit
