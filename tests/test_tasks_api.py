"""The coordinators' task API: templates, schedules, pause/edit/cancel, clear errors that
change nothing, and every route in the OpenAPI document."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from channels.clock import iso
from server.api.openapi import openapi_document
from server.api.tasks import routes
from server.config import SETTINGS, config_from_args
from server.realtime.handlers import EVENTS

from .task_support import create_task, expect, pair_id, post_now, task_messages


def soon(**delta: float) -> str:
    return iso(datetime.now(UTC) + timedelta(**delta))


async def test_templates_can_be_written_edited_listed_and_deleted(server):
    coordinator = await server.client("coordinator")
    task_id = await create_task(coordinator, title="  Set   a goal ", due_days=5)
    edited = await expect(
        await coordinator.patch(f"/api/v1/tasks/{task_id}", {"body": "Write it down."}), 200
    )
    assert edited["task"] | {"created_at": None, "updated_at": None} == {
        "id": task_id,
        "title": "Set a goal",
        "body": "Write it down.",
        "due_days": 5,
        "created_at": None,
        "updated_at": None,
    }
    cleared = await expect(
        await coordinator.patch(f"/api/v1/tasks/{task_id}", {"due_days": None}), 200
    )
    assert cleared["task"]["due_days"] is None
    listed = await expect(await coordinator.get("/api/v1/tasks"), 200)
    assert [t["title"] for t in listed["tasks"]] == ["Set a goal"]

    rule = {"weekly": {"weekday": "friday", "time": "16:00"}, "until": soon(days=60), "all": True}
    weekly = await expect(await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", rule), 201)
    posted = await post_now(coordinator, task_id, {"pairs": [await pair_id(server, 2)]})
    await expect(await coordinator.delete(f"/api/v1/tasks/{task_id}"), 200)
    assert (await expect(await coordinator.get("/api/v1/tasks"), 200))["tasks"] == []
    response = await coordinator.get(f"/api/v1/tasks/{task_id}")
    assert response.status == 404
    schedules = [
        await server.store.load_schedule(made["schedule"]["id"]) for made in (weekly, posted)
    ]
    assert [s.state for s in schedules] == ["cancelled", "finished"]
    # The task already posted stays with the pair.
    mentee = await server.client("mentee2")
    assert len(await task_messages(mentee, await server.pair_channel_id(2))) == 1
    # Every one of those coordinator actions is in the audit log, like any other.
    audit = [e for e in await server.store.list_audit() if e.target_type == "task"]
    assert [(e.action, e.target_id, e.actor_name) for e in reversed(audit)] == [
        (action, task_id, "Carla Coordinator")
        for action in (
            "task.created",
            "task.edited",
            "task.edited",
            "task.scheduled",
            "task.posted",
            "task.deleted",
        )
    ]
    assert "into 1 pair channels" in audit[1].summary


async def test_schedules_are_shown_paused_edited_and_cancelled(server):
    coordinator = await server.client("coordinator")
    task_id = await create_task(coordinator)
    created = await expect(
        await coordinator.post(
            f"/api/v1/tasks/{task_id}/schedules",
            {"pair_day": 10, "time": "9:30", "started_between": ["2026-01-01", "2026-12-31"]},
        ),
        201,
    )
    schedule = created["schedule"]
    assert schedule | {"id": 0, "active_from": "", "created_at": "", "updated_at": ""} == {
        "id": 0,
        "task_id": task_id,
        "state": "active",
        "kind": "pair_day",
        "pair_day": 10,
        "time": "09:30",
        "target": {"started_between": ["2026-01-01", "2026-12-31"]},
        "active_from": "",
        "created_at": "",
        "updated_at": "",
    }
    path = f"/api/v1/schedules/{schedule['id']}"
    paused = await expect(await coordinator.patch(path, {"paused": True}), 200)
    assert paused["schedule"]["state"] == "paused"
    moved = await expect(await coordinator.patch(path, {"at": soon(days=2), "all": True}), 200)
    assert (moved["schedule"]["kind"], moved["schedule"]["state"]) == ("at", "paused")
    assert moved["schedule"]["target"] == {"all": True}
    resumed = await expect(await coordinator.patch(path, {"paused": False}), 200)
    assert resumed["schedule"]["state"] == "active"
    cancelled = await expect(await coordinator.delete(path), 200)
    assert cancelled["schedule"]["state"] == "cancelled"
    refused = await coordinator.patch(path, {"paused": False})
    assert refused.status == 400
    assert "cancelled" in (await refused.json())["error"]["message"]
    shown = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}"), 200)
    assert [s["state"] for s in shown["task"]["schedules"]] == ["cancelled"]
    audit = [e.action for e in await server.store.list_audit() if e.target_type == "task"]
    assert audit[:4] == ["task.schedule_cancelled"] + ["task.schedule_changed"] * 3


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ({"at": "2020-01-01T09:00", "all": True}, "already passed"),
        ({"at": "2099-01-01T09:00", "pairs": [999]}, "no active pair with id 999"),
        ({"at": "2099-01-01T09:00"}, "Say which pairs"),
        ({"weekly": {"weekday": "monday", "time": "09:00"}, "all": True}, "needs an end"),
        (
            {"weekly": {"weekday": "monday", "time": "09:00"}, "until": "2099-01-01", "all": True},
            "at most 366 days",
        ),
        ({"pair_day": 3, "time": "noon", "all": True}, "time of day"),
        ({"all": True}, "Say when to post"),
    ],
)
async def test_bad_schedules_get_a_clear_error_and_change_nothing(server, body, says):
    coordinator = await server.client("coordinator")
    task_id = await create_task(coordinator)
    before = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}"), 200)
    response = await coordinator.post(f"/api/v1/tasks/{task_id}/schedules", body)
    error = (await response.json())["error"]
    assert (response.status, error["code"]) == (400, "invalid")
    assert says in error["message"]
    assert await expect(await coordinator.get(f"/api/v1/tasks/{task_id}"), 200) == before


async def test_bad_templates_and_post_now_get_a_clear_error_and_change_nothing(server):
    coordinator = await server.client("coordinator")
    for body, says in [
        ({"title": "   "}, "A task's title cannot be empty."),
        ({"body": "No title"}, "A task's title is required."),
        ({"title": "Ok", "due_days": 0}, "'due_days' must be a whole number from 1 to 365"),
        ({"title": "x" * 201}, "too long"),
    ]:
        response = await coordinator.post("/api/v1/tasks", body)
        assert response.status in (400, 413)
        assert says in (await response.json())["error"]["message"]
    assert (await expect(await coordinator.get("/api/v1/tasks"), 200))["tasks"] == []

    task_id = await create_task(coordinator)
    response = await coordinator.patch(f"/api/v1/tasks/{task_id}", {"title": ""})
    assert response.status == 400
    for target, says in [
        ({"pairs": [await pair_id(server, 1), 999]}, "no active pair with id 999"),
        ({"started_between": ["2000-01-01", "2000-12-31"]}, "No active pair matches"),
        ({}, "Say which pairs"),
    ]:
        response = await coordinator.post(f"/api/v1/tasks/{task_id}/post-now", target)
        assert response.status == 400
        assert says in (await response.json())["error"]["message"]
    shown = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}"), 200)
    assert shown["task"]["title"] == "Share your CV draft"
    assert shown["task"]["schedules"] == []
    assert (
        await task_messages(await server.client("mentee1"), await server.pair_channel_id(1)) == []
    )
    missing = await coordinator.post("/api/v1/tasks/999/post-now", {"all": True})
    assert missing.status == 404


async def test_every_task_route_and_the_socket_event_are_documented():
    paths = openapi_document()["paths"]
    for route in routes:
        assert route.method.lower() in paths.get(route.path, {}), (route.method, route.path)
    assert "task:complete" in EVENTS
    text = (Path(__file__).parent.parent / "docs" / "tasks.md").read_text(encoding="utf-8")
    assert "`task:complete`" in text
    for flag, env, _default, _help in SETTINGS:
        if flag in ("--timezone", "--max-recurrence-days"):
            assert env in text


def test_the_time_zone_and_recurrence_limit_are_checked_at_start():
    config = config_from_args(
        argparse.Namespace(timezone="Europe/Copenhagen", max_recurrence_days="90")
    )
    assert (config.timezone, config.max_recurrence_days) == ("Europe/Copenhagen", 90)
    with pytest.raises(SystemExit, match="time zone name"):
        config_from_args(argparse.Namespace(timezone="Mars/Olympus"))
    with pytest.raises(SystemExit, match="max-recurrence-days"):
        config_from_args(argparse.Namespace(max_recurrence_days="0"))
