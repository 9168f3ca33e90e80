"""Only coordinators write, schedule and follow tasks; only the two people of a pair see and
complete that pair's tasks; coordinators' progress never carries what a pair wrote."""

from __future__ import annotations

import pytest

from .task_support import create_task, expect, pair_id, post_now, task_messages


@pytest.mark.parametrize("handle", ["mentor1", "mentee1"])
async def test_mentors_and_mentees_cannot_manage_schedule_or_follow_tasks(server, handle):
    coordinator = await server.client("coordinator")
    task_id = await create_task(coordinator)
    rule = {"pair_day": 2, "time": "09:00", "all": True}
    schedule = await expect(await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", rule), 201)
    schedule_id = schedule["schedule"]["id"]
    before = await expect(await coordinator.get("/api/v1/tasks"), 200)
    person = await server.client(handle)
    pair = await pair_id(server, 1)

    for method, path, body in [
        ("post", "/api/v1/tasks", {"title": "Mine"}),
        ("get", "/api/v1/tasks", None),
        ("get", f"/api/v1/tasks/{task_id}", None),
        ("patch", f"/api/v1/tasks/{task_id}", {"title": "Changed"}),
        ("delete", f"/api/v1/tasks/{task_id}", None),
        ("post", f"/api/v1/tasks/{task_id}/schedules", rule),
        ("post", f"/api/v1/tasks/{task_id}/post-now", {"pairs": [pair]}),
        ("get", f"/api/v1/tasks/{task_id}/progress", None),
        ("patch", f"/api/v1/schedules/{schedule_id}", {"paused": True}),
        ("delete", f"/api/v1/schedules/{schedule_id}", None),
        ("get", f"/api/v1/pairs/{pair}/tasks", None),
    ]:
        kwargs = {} if body is None else {"json": body}
        response = await getattr(person.http, method)(path, **kwargs)
        assert response.status == 403, (method, path)
        assert (await response.json())["error"]["code"] == "forbidden"

    assert await expect(await coordinator.get("/api/v1/tasks"), 200) == before
    assert await task_messages(person, await server.pair_channel_id(1)) == []


@pytest.mark.parametrize("outsider", ["mentor2", "mentee2", "coordinator"])
async def test_outsiders_cannot_see_or_complete_a_pairs_task(server, outsider):
    channel = await server.pair_channel_id(1)
    coordinator = await server.client("coordinator")
    mentee = await (await server.client("mentee1")).socket()
    spy_client = await server.client(outsider)
    spy = await spy_client.socket()
    task_id = await create_task(coordinator)
    await post_now(coordinator, task_id, {"pairs": [await pair_id(server, 1)]})
    card = await mentee.wait_for("message", lambda m: m["kind"] == "task")

    # For them the task does not exist: the same answer as an id nobody has.
    ack = await spy.call("task:complete", {"message_id": card["id"], "done": True})
    assert ack == await spy.call("task:complete", {"message_id": 10**9, "done": True})
    assert ack["error"]["code"] == "not_found"
    response = await spy_client.post(f"/api/v1/messages/{card['id']}/complete", {"done": True})
    assert response.status == 404
    for event, payload in [
        ("channel:sync", {"channel_id": channel, "since_seq": 0}),
        ("thread:load", {"message_id": card["id"]}),
    ]:
        assert (await spy.call(event, payload))["error"]["code"] == "not_found"
    # Events reach a socket in order: anything sent to the spy's rooms for the task would have
    # arrived before the answer to its own later call.
    await spy.call("channel:sync", {"channel_id": await server.channel_id("announcements")})
    assert [m for m in spy.received("message") if m["channel_id"] == channel] == []
    (still,) = await task_messages(await server.client("mentor1"), channel)
    assert still["task"]["done"] is False and still["seq"] == card["seq"]


async def test_progress_shows_dates_and_done_state_but_never_what_a_pair_wrote(server):
    channel = await server.pair_channel_id(1)
    coordinator = await server.client("coordinator")
    mentee = await (await server.client("mentee1")).socket()
    task_id = await create_task(coordinator, due_days=7)
    await post_now(coordinator, task_id, {"all": True})
    card = await mentee.wait_for("message", lambda m: m["kind"] == "task")
    await mentee.send(channel, "My confidential plan: apply to Nordbank", thread_id=card["id"])
    await mentee.call("task:complete", {"message_id": card["id"], "done": True})

    for path in [
        f"/api/v1/tasks/{task_id}/progress",
        f"/api/v1/pairs/{await pair_id(server, 1)}/tasks",
        "/api/v1/tasks",
    ]:
        response = await coordinator.get(path)
        text = await response.text()
        assert response.status == 200, text
        assert "Nordbank" not in text and "confidential" not in text
    pair_tasks = await expect(
        await coordinator.get(f"/api/v1/pairs/{await pair_id(server, 1)}/tasks"), 200
    )
    assert [(t["title"], t["done"], t["overdue"]) for t in pair_tasks["tasks"]] == [
        ("Share your CV draft", True, False)
    ]
