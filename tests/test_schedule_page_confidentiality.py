"""A schedule's own page (/admin/schedules/{id}) and its edit form never show what a pair wrote.
The pair writes a marker in its channel, in the thread of the task the schedule posts and as it
marks the task done; the coordinator then opens every schedule page there is (weekly to chosen
pairs, day N of each pairing, a cohort, paused, cancelled), sends its edit form wrong and right,
pauses it and asks to cancel it: none of those pages holds the marker, in English or in Danish.
The pages do name the pairs and the dates (what a coordinator may see), and the pair itself
reads the marker (so it was there to find)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .mail_support import running_server
from .task_support import create_task, expect, pair_id, post_now, task_messages

MARKER = "MARKER-said-in-the-pair-only"


def _in_a_month() -> str:
    return (datetime.now(UTC) + timedelta(days=30)).date().isoformat()


async def _schedule(coordinator, task: int, payload: dict) -> int:
    created = await coordinator.post(f"/api/v1/tasks/{task}/schedules", payload)
    return (await expect(created, 201))["schedule"]["id"]


async def _every_schedule_page(coordinator, schedules: list[int], task: int) -> list[str]:
    """Each schedule's page, its edit form refused and accepted, pause and resume, and the
    page that asks before cancelling: every answer the coordinator reads."""
    seen = []
    page = await (await coordinator.get(f"/admin/tasks/{task}")).text()
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)
    seen.append(page)

    async def post(path: str, **fields) -> str:
        response = await coordinator.http.post(path, data={"csrf_token": token, **fields})
        seen.append(await response.text())
        return seen[-1]

    weekly = {"when": "weekly", "weekday": "tuesday", "week_time": "08:15"}
    for schedule in schedules:
        path = f"/admin/schedules/{schedule}"
        response = await coordinator.get(path)
        assert response.status == 200, path
        seen.append(await response.text())
        refused = await post(path, when="weekly", week_time="08:15", until="", who="all")
        assert 'role="alert"' in refused and 'name="until"' in refused  # the form again
        await post(path, **weekly, until=_in_a_month(), who="all")  # and the page after it
        await post(f"{path}/pause", paused="yes", back="schedule")
        await post(f"{path}/pause", paused="no", back="schedule")
        await post(f"{path}/cancel")  # asked first: nothing is cancelled yet
    return seen


async def test_a_schedule_page_and_its_forms_never_show_what_a_pair_wrote(data_dir):
    async with running_server(data_dir) as server:
        coordinator = await server.client("coordinator")
        channel = await server.pair_channel_id(1)
        first, second = await pair_id(server, 1), await pair_id(server, 2)
        task = await create_task(coordinator, title="Week 1: your CV", due_days=3)
        await post_now(coordinator, task, {"all": True})

        # The pair writes: in its channel, in the task's thread, and it marks the task done.
        mentee = await server.client("mentee1")
        mentor = await (await server.client("mentor1")).socket()
        card = (await task_messages(mentee, channel))[0]
        await mentor.send(channel, f"{MARKER} in the channel")
        await mentor.send(channel, f"{MARKER} in the task's thread", thread_id=card["id"])
        done = await mentee.post(f"/api/v1/messages/{card['id']}/complete", {"done": True})
        assert done.status == 200, await done.text()
        history = await (await mentee.get(f"/api/v1/channels/{channel}/messages")).text()
        assert MARKER in history  # the pair reads it: there is something to find

        schedules = [
            await _schedule(
                coordinator,
                task,
                {
                    "weekly": {"weekday": "monday", "time": "09:00"},
                    "until": _in_a_month(),
                    "pairs": [first, second],
                },
            ),
            await _schedule(coordinator, task, {"pair_day": 3, "time": "10:30", "all": True}),
            await _schedule(
                coordinator,
                task,
                {
                    "at": (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="minutes"),
                    "started_between": ["2000-01-01", "2099-12-31"],
                },
            ),
        ]
        cancelled = await _schedule(
            coordinator, task, {"pair_day": 5, "time": "09:00", "all": True}
        )
        gone = await coordinator.delete(f"/api/v1/schedules/{cancelled}")
        assert gone.status == 200, await gone.text()

        seen = await _every_schedule_page(coordinator, schedules, task)
        seen.append(await (await coordinator.get(f"/admin/schedules/{cancelled}")).text())
        assert "This schedule has been cancelled" in seen[-1]
        # What a coordinator may see is there: the pairs by name, that the task was done.
        assert any("Maria Jensen and Sara Nielsen" in page for page in seen)
        assert "1 of" in seen[0] and "Done" in seen[0]
        for page in seen:
            assert MARKER not in page

        # The same pages for a coordinator who reads Danish.
        assert (await coordinator.patch("/api/v1/me", {"language": "da"})).status == 200
        seen = await _every_schedule_page(coordinator, schedules, task)
        assert any("Maria Jensen og Sara Nielsen" in page for page in seen)
        for page in seen:
            assert MARKER not in page
