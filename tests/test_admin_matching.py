"""Matching: suggestions with reasons, pairing live in both people's sockets, ending a pair
(read-only, still confidential), re-pairing, and activity as numbers only."""

from __future__ import annotations

from .support import email


async def _ids(server, *handles: str) -> list[int]:
    return [(await server.store.load_user_by_email(email(h))).id for h in handles]


async def _active_pair_id(server, mentee_handle: str) -> int:
    [mentee_id] = await _ids(server, mentee_handle)
    return (await server.store.load_active_pair_of_mentee(mentee_id)).id


async def test_suggestions_order_by_shared_field_then_load_with_reasons(server):
    coordinator = await server.client("coordinator")
    mentee1, mentee3 = await _ids(server, "mentee1", "mentee3")

    # Eva's current mentor is Anne: not suggested while they are a pair.
    response = await coordinator.get(f"/api/v1/users/{mentee3}/mentor-suggestions")
    names = [s["mentor"]["name"] for s in (await response.json())["suggestions"]]
    assert names == ["Grete Holm", "Maria Jensen"]  # no shared field, same load: by name

    await coordinator.delete(f"/api/v1/pairs/{await _active_pair_id(server, 'mentee3')}")
    response = await coordinator.get(f"/api/v1/users/{mentee3}/mentor-suggestions")
    suggestions = (await response.json())["suggestions"]
    # Eva (Project management) shares "management" with Anne (Public sector management).
    assert [s["mentor"]["name"] for s in suggestions] == ["Anne Berg", "Grete Holm", "Maria Jensen"]
    first = suggestions[0]
    assert first["shared_words"] == ["management"] and first["active_mentees"] == 0
    assert first["reason"] == (
        "Related field: Public sector management (shares “management”); no mentees now."
    )
    assert suggestions[1]["reason"] == "Different field: Human resources; 1 mentee now."

    # Sara's own mentor is not suggested again; nobody else shares Finance.
    response = await coordinator.get(f"/api/v1/users/{mentee1}/mentor-suggestions")
    names = [s["mentor"]["name"] for s in (await response.json())["suggestions"]]
    assert "Maria Jensen" not in names and len(names) == 2

    [mentor1] = await _ids(server, "mentor1")
    wrong = await coordinator.get(f"/api/v1/users/{mentor1}/mentor-suggestions")
    assert wrong.status == 400


async def test_ending_a_pair_makes_it_read_only_and_keeps_it_confidential(server):
    coordinator = await server.client("coordinator")
    pair_channel = await server.pair_channel_id(3)
    mentee = await server.client("mentee3")
    sock = await mentee.socket()
    await sock.send(pair_channel, "Thank you for everything")

    pair_id = await _active_pair_id(server, "mentee3")
    response = await coordinator.delete(f"/api/v1/pairs/{pair_id}")
    assert response.status == 200
    assert (await response.json())["channel"]["read_only"] is True

    notice = await sock.wait_for("message", lambda m: m["kind"] == "system" and m["seq"] > 2)
    assert "no new messages can be posted" in notice["body"]
    changed = await sock.wait_for("channel", lambda c: c["id"] == pair_channel)
    assert changed["read_only"] is True

    ack = await sock.call(
        "message:send", {"channel_id": pair_channel, "body": "hello?", "client_id": "late-1"}
    )
    assert ack["error"]["code"] == "forbidden" and "read-only" in ack["error"]["message"]
    history = await (await mentee.get(f"/api/v1/channels/{pair_channel}/messages")).json()
    assert "Thank you for everything" in [m["body"] for m in history["messages"]]
    assert (await coordinator.get(f"/api/v1/channels/{pair_channel}/messages")).status == 404

    again = await coordinator.delete(f"/api/v1/pairs/{pair_id}")
    assert again.status == 409


async def test_pairing_reaches_both_people_live_and_they_can_talk(server):
    coordinator = await server.client("coordinator")
    mentor1, mentee3 = await _ids(server, "mentor1", "mentee3")
    mentor_sock = await (await server.client("mentor1")).socket()
    mentee_sock = await (await server.client("mentee3")).socket()

    taken = await coordinator.post("/api/v1/pairs", {"mentor_id": mentor1, "mentee_id": mentee3})
    assert (
        taken.status == 409 and "already has a mentor" in (await taken.json())["error"]["message"]
    )

    await coordinator.delete(f"/api/v1/pairs/{await _active_pair_id(server, 'mentee3')}")
    response = await coordinator.post("/api/v1/pairs", {"mentor_id": mentor1, "mentee_id": mentee3})
    assert response.status == 201, await response.text()
    body = await response.json()
    channel_id = body["channel"]["id"]
    assert body["pair"]["mentor"]["name"] == "Maria Jensen" and body["pair"]["active"]

    for sock, partner in [(mentor_sock, "Eva Larsen"), (mentee_sock, "Maria Jensen")]:
        event = await sock.wait_for("channel", lambda c: c["id"] == channel_id)
        assert event["kind"] == "pair" and event["partner"]["name"] == partner
        assert event["read_only"] is False
        assert (await sock.call("channel:subscribe", {"channel_id": channel_id}))["ok"]

    sent = await mentee_sock.send(channel_id, "Hello Maria, nice to meet you")
    got = await mentor_sock.wait_for("message", lambda m: m["id"] == sent["id"])
    assert got["body"] == "Hello Maria, nice to meet you"

    for payload in [
        {"mentor_id": mentee3, "mentee_id": mentor1},
        {"mentor_id": mentor1, "mentee_id": 999999},
        {"mentor_id": mentor1},
    ]:
        bad = await coordinator.post("/api/v1/pairs", payload)
        assert bad.status in (400, 404), payload


async def test_coordinators_see_activity_as_numbers_never_content(mail_server, clock):
    server = mail_server
    coordinator = await server.client("coordinator")
    pair_channel = await server.pair_channel_id(1)
    mentee = await (await server.client("mentee1")).socket()
    for text in ["SECRET-ONE", "SECRET-TWO"]:
        await mentee.send(pair_channel, text)
    clock.advance(days=8)
    await mentee.send(pair_channel, "SECRET-THREE")

    response = await coordinator.get("/api/v1/pairs")
    raw = await response.text()
    assert "SECRET" not in raw and "Welcome" not in raw
    [pair] = [p for p in (await response.json())["pairs"] if p["channel_id"] == pair_channel]
    activity = pair["activity"]
    assert activity["messages_total"] == 3  # the system welcome is not activity
    assert activity["messages_per_week"] == [1, 2, 0, 0, 0, 0, 0, 0]  # this week first
    assert activity["last_activity_at"] == clock.now().isoformat(timespec="microseconds")
    others = [p for p in (await response.json())["pairs"] if p["channel_id"] != pair_channel]
    assert all(p["activity"]["messages_total"] == 0 for p in others)
    assert all(p["activity"]["last_activity_at"] is None for p in others)
