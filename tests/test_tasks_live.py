"""A task card in a pair channel: posted live to both people, marked done and undone by either,
live for the other and through `channel:sync` after a reconnect."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from .task_support import create_task, expect, pair_id, post_now


async def test_post_now_reaches_both_members_live_as_a_task_card(server):
    coordinator = await server.client("coordinator")
    mentor = await (await server.client("mentor1")).socket()
    mentee = await (await server.client("mentee1")).socket()
    task_id = await create_task(coordinator, due_days=7)

    posted = await post_now(coordinator, task_id, {"pairs": [await pair_id(server, 1)]})
    assert posted["posted"] == 1
    card = await mentee.wait_for("message", lambda m: m["kind"] == "task")
    assert await mentor.wait_for("message", lambda m: m["id"] == card["id"]) == card
    assert card["channel_id"] == await server.pair_channel_id(1)
    assert card["author"] is None
    assert card["html"] == "<p>Upload it and ask for <strong>one</strong> change.</p>"
    created = datetime.fromisoformat(card["created_at"])
    assert card["task"] == {
        "title": "Share your CV draft",
        "due_at": (created + timedelta(days=7)).isoformat(timespec="microseconds"),
        "late": False,
        "done": False,
        "done_at": None,
        "done_by": None,
    }


async def test_done_and_undo_are_live_for_the_partner_and_reach_sync_after_reconnect(server):
    channel = await server.pair_channel_id(1)
    coordinator = await server.client("coordinator")
    mentor_client = await server.client("mentor1")
    mentor = await mentor_client.socket()
    mentee = await (await server.client("mentee1")).socket()
    task_id = await create_task(coordinator)
    await post_now(coordinator, task_id, {"all": True})
    card = await mentor.wait_for("message", lambda m: m["kind"] == "task")

    ack = await mentee.call("task:complete", {"message_id": card["id"], "done": True})
    assert ack["ok"] and ack["message"]["task"]["done"] is True
    live = await mentor.wait_for("message", lambda m: m["id"] == card["id"] and m["task"]["done"])
    assert live["task"]["done_by"]["name"] == "Sara Nielsen"
    assert live["seq"] > card["seq"]

    # Marking it done again changes nothing and takes no seq.
    again = await mentee.call("task:complete", {"message_id": card["id"], "done": True})
    assert again["message"]["seq"] == live["seq"]

    seen = live["seq"]
    await mentor.close()
    undone = await expect(
        await mentor_client.post(f"/api/v1/messages/{card['id']}/complete", {"done": False}), 200
    )
    assert undone["message"]["task"]["done"] is False
    await mentee.wait_for("message", lambda m: m["id"] == card["id"] and not m["task"]["done"])

    reconnected = await mentor_client.socket()
    synced = await reconnected.call("channel:sync", {"channel_id": channel, "since_seq": seen})
    assert [(m["id"], m["task"]["done"]) for m in synced["changes"]] == [(card["id"], False)]
    assert synced["last_seq"] == undone["message"]["seq"]

    progress = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}/progress"), 200)
    assert progress["totals"]["pairs"] == 3
    assert progress["totals"]["done"] == 0
    await reconnected.call("task:complete", {"message_id": card["id"], "done": True})
    progress = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}/progress"), 200)
    assert (progress["totals"]["done"], progress["totals"]["posted"]) == (1, 3)
    (pair_one,) = [p for p in progress["pairs"] if p["pair_id"] == await pair_id(server, 1)]
    assert (pair_one["done"], pair_one["tasks"][0]["done"]) == (1, True)


async def test_only_a_task_can_be_marked_done(server):
    channel = await server.pair_channel_id(1)
    mentee = await (await server.client("mentee1")).socket()
    text = await mentee.send(channel, "Just a message")
    ack = await mentee.call("task:complete", {"message_id": text["id"], "done": True})
    assert ack["error"] == {"code": "invalid", "message": "That message is not a task."}
    ack = await mentee.call("task:complete", {"message_id": text["id"], "done": "yes"})
    assert ack["error"]["code"] == "invalid"
    ack = await mentee.call("task:complete", {"message_id": 10**9, "done": True})
    assert ack["error"]["code"] == "not_found"


async def test_both_marking_done_at_once_is_one_change(server):
    coordinator = await server.client("coordinator")
    mentor = await (await server.client("mentor1")).socket()
    mentee = await (await server.client("mentee1")).socket()
    await post_now(
        coordinator, await create_task(coordinator), {"pairs": [await pair_id(server, 1)]}
    )
    card = await mentee.wait_for("message", lambda m: m["kind"] == "task")
    acks = await asyncio.gather(
        *(
            s.call("task:complete", {"message_id": card["id"], "done": True})
            for s in (mentor, mentee)
        )
    )
    assert [a["message"]["task"]["done"] for a in acks] == [True, True]
    assert acks[0]["message"]["seq"] == acks[1]["message"]["seq"] == card["seq"] + 1
    synced = await mentor.call(
        "channel:sync", {"channel_id": card["channel_id"], "since_seq": card["seq"]}
    )
    assert [(m["id"], m["seq"]) for m in synced["changes"]] == [(card["id"], card["seq"] + 1)]
