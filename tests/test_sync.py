"""The sync guarantee, idempotent sends, threads, and durability across a restart."""

from __future__ import annotations

import asyncio
import uuid

from .mail_support import running_server
from .support import Server

# Hundreds of sends at once: far over the default message rate, so these servers have none.
UNLIMITED = {"message_rate": 1e6, "message_burst": 1_000_000}


async def test_reconnect_sync_gives_exactly_the_missed_changes(server):
    pair = await server.pair_channel_id(1)
    mentee_client = await server.client("mentee1")
    mentee = await mentee_client.socket()
    mentor = await (await server.client("mentor1")).socket()

    kept = await mentor.send(pair, "Before you left")
    to_delete = await mentor.send(pair, "A typo I will delete")
    seen = await mentee.wait_for("message", lambda m: m["id"] == to_delete["id"])
    last_seen = seen["seq"]
    await mentee.close()

    new = [await mentor.send(pair, f"While you were away {n}") for n in range(3)]
    ack = await mentor.call(
        "message:edit", {"message_id": kept["id"], "body": "Before you left (edited)"}
    )
    assert ack["ok"]
    ack = await mentor.call("message:delete", {"message_id": to_delete["id"]})
    assert ack["ok"]
    ack = await mentor.call("reaction:toggle", {"message_id": new[0]["id"], "emoji": "👍"})
    assert ack["ok"]

    back = await mentee_client.socket()
    ack = await back.call("channel:sync", {"channel_id": pair, "since_seq": last_seen})
    assert ack["ok"] and ack["more"] is False
    changes = ack["changes"]
    seqs = [m["seq"] for m in changes]
    assert seqs == sorted(seqs) and len(set(m["id"] for m in changes)) == len(changes)
    by_id = {m["id"]: m for m in changes}
    assert set(by_id) == {kept["id"], to_delete["id"], *(m["id"] for m in new)}
    assert by_id[kept["id"]]["body"] == "Before you left (edited)"
    assert by_id[kept["id"]]["edited_at"] is not None
    assert by_id[to_delete["id"]]["deleted"] is True and by_id[to_delete["id"]]["body"] == ""
    assert by_id[new[0]["id"]]["reactions"][0]["emoji"] == "👍"
    assert ack["last_seq"] == max(seqs)

    again = await back.call("channel:sync", {"channel_id": pair, "since_seq": ack["last_seq"]})
    assert again["changes"] == [] and again["last_seq"] == ack["last_seq"]

    over_http = await (
        await mentee_client.get(f"/api/v1/channels/{pair}/changes?since_seq={last_seen}")
    ).json()
    assert over_http["changes"] == changes


async def test_sync_pages_never_skip_a_change(data_dir):
    async with running_server(data_dir, config_changes=UNLIMITED) as server:
        lounge = await server.channel_id("mentor_lounge")
        mentor = await (await server.client("mentor1")).socket()
        sent = await asyncio.gather(*(mentor.send(lounge, f"message {n}") for n in range(520)))
        since, collected, pages = 0, [], 0
        while True:
            ack = await mentor.call("channel:sync", {"channel_id": lounge, "since_seq": since})
            collected += ack["changes"]
            since, pages = ack["last_seq"], pages + 1
            if not ack["more"]:
                break
    assert pages == 2
    ids = [m["id"] for m in collected]
    assert len(ids) == len(set(ids))
    assert {m["id"] for m in sent} <= set(ids)


async def test_a_retried_send_with_the_same_client_id_posts_once(server):
    pair = await server.pair_channel_id(1)
    mentee_client = await server.client("mentee1")
    mentee = await mentee_client.socket()
    payload = {
        "channel_id": pair,
        "body": "Sent twice after a lost ack",
        "client_id": str(uuid.uuid4()),
    }
    first, second, third = await asyncio.gather(
        mentee.call("message:send", payload),
        mentee.call("message:send", payload),
        mentee.call("message:send", payload),
    )
    assert first["message"]["id"] == second["message"]["id"] == third["message"]["id"]
    over_http = await mentee_client.post(f"/api/v1/channels/{pair}/messages", payload)
    assert over_http.status == 200
    assert (await over_http.json())["message"]["id"] == first["message"]["id"]
    history = await mentee.call("channel:history", {"channel_id": pair})
    assert [m["body"] for m in history["messages"]].count("Sent twice after a lost ack") == 1


async def test_thread_replies_count_and_load_and_refuse_replies_to_replies(server):
    pair = await server.pair_channel_id(1)
    mentor = await (await server.client("mentor1")).socket()
    mentee = await (await server.client("mentee1")).socket()
    root = await mentor.send(pair, "Week 1: what is your goal?")
    replies = [
        await mentee.send(pair, "Find a finance job", thread_id=root["id"]),
        await mentor.send(pair, "Good. Which companies?", thread_id=root["id"]),
    ]
    updated = await mentee.wait_for(
        "message", lambda m: m["id"] == root["id"] and m["reply_count"] == 2
    )
    assert updated["last_reply_at"] == replies[1]["created_at"]

    thread = await mentee.call("thread:load", {"message_id": root["id"]})
    assert thread["root"]["id"] == root["id"] and thread["root"]["reply_count"] == 2
    assert [m["id"] for m in thread["replies"]] == [r["id"] for r in replies]

    history = await mentee.call("channel:history", {"channel_id": pair})
    assert root["id"] in [m["id"] for m in history["messages"]]
    assert not {r["id"] for r in replies} & {m["id"] for m in history["messages"]}

    refused = await mentee.call(
        "message:send",
        {"channel_id": pair, "body": "nested", "client_id": "n1", "thread_id": replies[0]["id"]},
    )
    assert refused["error"]["code"] == "invalid"
    refused = await mentee.call("thread:load", {"message_id": replies[0]["id"]})
    assert refused["error"]["code"] == "invalid"

    deleted = await mentor.call("message:delete", {"message_id": replies[1]["id"]})
    assert deleted["ok"]
    thread = await mentee.call("thread:load", {"message_id": root["id"]})
    assert thread["root"]["reply_count"] == 1


async def test_history_pages_back_without_overlap(server):
    lounge = await server.channel_id("mentee_lounge")
    mentee = await (await server.client("mentee1")).socket()
    for n in range(12):
        await mentee.send(lounge, f"note {n}")
    first = await mentee.call("channel:history", {"channel_id": lounge, "limit": 5})
    assert first["more"] is True
    assert [m["body"] for m in first["messages"]] == [f"note {n}" for n in range(7, 12)]
    second = await mentee.call(
        "channel:history",
        {"channel_id": lounge, "limit": 5, "before_id": first["messages"][0]["id"]},
    )
    assert [m["body"] for m in second["messages"]] == [f"note {n}" for n in range(2, 7)]


async def test_every_acknowledged_message_survives_a_restart(data_dir):
    running = await Server(data_dir, config_changes=UNLIMITED).start()
    pair = await running.pair_channel_id(2)
    client = await running.client("mentor2")
    sock = await client.socket()
    acked = await asyncio.gather(*(sock.send(pair, f"durable {n}") for n in range(200)))
    await client.close()
    await running.stop()

    again = await Server(data_dir).start()
    try:
        client = await again.client("mentee2")
        sock = await client.socket()
        ack = await sock.call("channel:sync", {"channel_id": pair, "since_seq": 0})
        stored = {m["id"]: m["body"] for m in ack["changes"]}
        assert all(stored.get(m["id"]) == m["body"] for m in acked)
        await client.close()
    finally:
        await again.stop()


async def test_socket_and_http_give_the_same_page_of_messages(server):
    """History, changes, a thread and the read position: one shape, over either transport."""
    pair = await server.pair_channel_id(1)
    mentor_client = await server.client("mentor1")
    mentor = await mentor_client.socket()
    root = await mentor.send(pair, "A question")
    await mentor.send(pair, "An answer", thread_id=root["id"])
    last = await mentor.send(pair, "Another thought")

    async def over_both(event: str, payload: dict, method: str, path: str, body=None):
        ack = await mentor.call(event, payload)
        assert ack.pop("ok") is True, ack
        response = await mentor_client.http.request(method, path, json=body)
        assert response.status == 200
        assert await response.json() == ack
        return ack

    page = await over_both(
        "channel:history",
        {"channel_id": pair, "limit": 2},
        "GET",
        f"/api/v1/channels/{pair}/messages?limit=2",
    )
    assert [m["body"] for m in page["messages"]] == ["A question", "Another thought"]
    assert page["more"] is True
    changes = await over_both(
        "channel:sync",
        {"channel_id": pair, "since_seq": root["seq"]},
        "GET",
        f"/api/v1/channels/{pair}/changes?since_seq={root['seq']}",
    )
    assert changes["changes"] and changes["last_seq"] >= last["seq"]
    thread = await over_both(
        "thread:load", {"message_id": root["id"]}, "GET", f"/api/v1/messages/{root['id']}/thread"
    )
    assert thread["root"]["id"] == root["id"]
    assert [m["body"] for m in thread["replies"]] == ["An answer"]
    read = await over_both(
        "channel:read",
        {"channel_id": pair, "seq": last["seq"]},
        "POST",
        f"/api/v1/channels/{pair}/read",
        {"seq": last["seq"]},
    )
    assert read == {"channel_id": pair, "last_read_seq": last["seq"]}
