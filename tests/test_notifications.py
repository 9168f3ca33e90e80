"""Mentions and notifications (issue 11): made in the write that posts, live to the person's
own room, listed only while they may read the channel, and never carrying a pair's words."""

from __future__ import annotations

import json

from channels.notify.wire import excerpt

from .notify_support import marker, mention, new_notifications, notifications_of, start_clean


async def test_a_mention_notifies_live_and_appears_in_the_list(server):
    maria = await server.client("mentor1")
    grete = await server.client("mentor2")
    await start_clean(maria, grete)
    grete_socket = await grete.socket()
    maria_socket = await maria.socket()
    lounge = await server.channel_id("mentor_lounge")

    sent = await maria_socket.send(lounge, f"Could {mention(grete.user)} look at this? agenda")

    assert f'data-user-id="{grete.user["id"]}">@Grete Holm</span>' in sent["html"]
    live = await grete_socket.wait_for("notification", lambda n: n["message_id"] == sent["id"])
    assert live["kind"] == "mention"
    assert live["text"] == "Maria Jensen mentioned you in Mentor lounge"
    assert live["excerpt"] == "Could @Grete Holm look at this? agenda"
    assert live["link"] == f"/channels/{lounge}#m-{sent['id']}"
    listed = await notifications_of(grete)
    assert listed["unread"] == 1
    assert listed["notifications"][0]["id"] == live["id"]
    assert await new_notifications(maria) == []  # not for one's own message

    response = await grete.post("/api/v1/notifications/read", {"ids": [live["id"]]})
    assert (await response.json()) == {"unread": 0}
    await grete_socket.wait_for("notifications:read", lambda d: d["unread"] == 0)
    assert (await notifications_of(grete))["notifications"][0]["read"] is True


async def test_mentioning_someone_who_cannot_read_the_channel_is_refused(server):
    maria = await server.client("mentor1")
    sara = await server.client("mentee1")  # Maria's mentee: not in the mentor lounge
    grete = await server.client("mentor2")  # not in Maria's pair channel
    await start_clean(sara, grete)
    sock = await maria.socket()
    lounge = await server.channel_id("mentor_lounge")
    pair = await server.pair_channel_id(1)
    before = await server.store.count_messages()

    for channel_id, body in [
        (lounge, f"hi {mention(sara.user)}"),
        (pair, f"hi {mention(grete.user)}"),
        (lounge, "hi @[Nobody](user:999999)"),
    ]:
        ack = await sock.call(
            "message:send", {"channel_id": channel_id, "body": body, "client_id": marker()}
        )
        assert ack["error"] == {
            "code": "invalid",
            "message": "You can only mention people who can read this channel.",
        }
    response = await maria.post(
        f"/api/v1/channels/{lounge}/messages", {"body": f"hi {mention(sara.user)}"}
    )
    assert response.status == 400
    assert await server.store.count_messages() == before
    assert await new_notifications(sara) == []


async def test_the_composer_is_offered_only_people_who_can_read_the_channel(server):
    maria = await server.client("mentor1")
    pair = await server.pair_channel_id(1)
    lounge = await server.channel_id("mentor_lounge")

    in_pair = await (await maria.get(f"/api/v1/channels/{pair}/mentionable")).json()
    assert [(p["name"], p["role"]) for p in in_pair["people"]] == [("Sara Nielsen", "mentee")]
    in_lounge = await (await maria.get(f"/api/v1/channels/{lounge}/mentionable?q=gr")).json()
    assert [p["name"] for p in in_lounge["people"]] == ["Grete Holm"]
    everyone = await (await maria.get(f"/api/v1/channels/{lounge}/mentionable")).json()
    assert {p["role"] for p in everyone["people"]} == {"mentor", "coordinator"}
    other_pair = await server.pair_channel_id(2)
    response = await maria.get(f"/api/v1/channels/{other_pair}/mentionable")
    assert response.status == 404


async def test_pair_messages_while_away_add_up_in_one_notification_without_their_words(server):
    maria = await server.client("mentor1")
    sara = await server.client("mentee1")  # away: no socket
    carla = await server.client("coordinator")
    grete = await server.client("mentor2")
    await start_clean(sara)
    carla_socket, grete_socket = await carla.socket(), await grete.socket()
    maria_socket = await maria.socket()
    pair = await server.pair_channel_id(1)
    secret = marker()

    for n in range(3):
        await maria_socket.send(pair, f"{secret} number {n}")

    listed = await notifications_of(sara)
    (note,) = [n for n in listed["notifications"] if not n["read"]]
    assert note["kind"] == "pair_message" and note["count"] == 3
    assert note["text"] == "Maria Jensen sent you 3 new messages in your mentoring channel"
    assert note["excerpt"] is None
    assert secret not in json.dumps(listed)
    # Nobody else hears of it, coordinators included.
    lounge = await server.channel_id("mentor_lounge")
    await carla_socket.barrier(lounge)
    await grete_socket.barrier(lounge)
    for sock in (carla_socket, grete_socket):
        assert sock.received("notification") == []
        assert secret not in json.dumps(sock.events)
    for client in (carla, grete, maria):
        assert secret not in json.dumps(await notifications_of(client))

    # Reading the channel reads the notification.
    channel = await server.store.load_channel(pair)
    await sara.post(f"/api/v1/channels/{pair}/read", {"seq": channel.last_seq})
    assert (await notifications_of(sara))["unread"] == 0


async def test_no_pair_notification_while_the_partner_has_a_socket_open(server):
    maria = await server.client("mentor1")
    sara = await server.client("mentee1")
    await start_clean(sara)
    sara_socket = await sara.socket()
    pair = await server.pair_channel_id(1)
    await (await maria.socket()).send(pair, "are you there?")
    await sara_socket.barrier(pair)
    assert await new_notifications(sara) == []


async def test_replies_notify_those_in_the_thread(server):
    maria = await server.client("mentor1")
    grete = await server.client("mentor2")
    anne = await server.client("mentor3")
    await start_clean(maria, grete, anne)
    lounge = await server.channel_id("mentor_lounge")
    root = await (await maria.socket()).send(lounge, "A question for all")
    await (await grete.socket()).send(lounge, "My answer", thread_id=root["id"])
    anne_reply = await (await anne.socket()).send(lounge, "Mine too", thread_id=root["id"])

    for client in (maria, grete):
        found = [n for n in await new_notifications(client) if n["kind"] == "reply"]
        assert found[0]["message_id"] == anne_reply["id"]
        assert found[0]["link"] == f"/channels/{lounge}/threads/{root['id']}#t-{anne_reply['id']}"
    assert await new_notifications(anne) == []


async def test_a_notification_is_gone_once_its_channel_cannot_be_read(server):
    carla = await server.client("coordinator")
    created = await carla.post("/api/v1/communities", {"name": "Finance", "topic": "money"})
    community = (await created.json())["community"]["id"]
    sara = await server.client("mentee1")
    await start_clean(sara)
    await sara.post(f"/api/v1/communities/{community}/membership")
    await (await carla.socket()).send(community, f"Welcome {mention(sara.user)}")
    assert (await notifications_of(sara))["unread"] == 1

    await sara.delete(f"/api/v1/communities/{community}/membership")
    listed = await notifications_of(sara)
    assert listed["unread"] == 0
    assert community not in {n["channel_id"] for n in listed["notifications"]}


async def test_a_renamed_person_shows_with_the_new_name_in_old_mentions(server):
    maria = await server.client("mentor1")
    grete = await server.client("mentor2")
    lounge = await server.channel_id("mentor_lounge")
    maria_socket = await maria.socket()
    sent = await maria_socket.send(lounge, f"thanks {mention(grete.user)}!")

    response = await grete.patch("/api/v1/me", {"name": "Grete Holm-Berg"})
    assert response.status == 200
    message = await server.store.load_message(sent["id"])
    assert ">@Grete Holm-Berg</span>" in message.html
    assert message.seq > sent["seq"]  # a change, so syncing clients get it
    # and an open page gets it live
    live = await maria_socket.wait_for("message", lambda m: m["seq"] == message.seq)
    assert live["id"] == sent["id"] and ">@Grete Holm-Berg</span>" in live["html"]

    # A coordinator renaming her does the same.
    coordinator = await server.client("coordinator")
    response = await coordinator.patch(f"/api/v1/users/{grete.user['id']}", {"name": "Grete H."})
    assert response.status == 200, await response.text()
    await maria_socket.wait_for(
        "message", lambda m: m["id"] == sent["id"] and ">@Grete H.</span>" in m["html"]
    )


async def test_settings_turn_a_kind_off(server):
    maria = await server.client("mentor1")
    grete = await server.client("mentor2")
    await start_clean(grete)
    response = await grete.patch(
        "/api/v1/me/notifications", {"kinds": {"mention": False}, "digest": "daily"}
    )
    settings = await response.json()
    assert settings["kinds"]["mention"] is False and settings["digest"] == "daily"
    lounge = await server.channel_id("mentor_lounge")
    await (await maria.socket()).send(lounge, f"hello {mention(grete.user)}")
    assert await new_notifications(grete) == []
    bad = await grete.patch("/api/v1/me/notifications", {"digest": "hourly"})
    assert bad.status == 400


async def test_the_page_lists_them_and_opening_one_reads_it_and_goes_there(server):
    maria = await server.client("mentor1")
    grete = await server.client("mentor2")
    await start_clean(grete)
    lounge = await server.channel_id("mentor_lounge")
    sent = await (await maria.socket()).send(lounge, f"see {mention(grete.user)}")
    (note,) = await new_notifications(grete)

    page = await (await grete.get("/notifications")).text()
    assert "Maria Jensen mentioned you in Mentor lounge" in page
    assert 'id="bell"' in page
    opened = await grete.get(f"/notifications/{note['id']}", allow_redirects=False)
    assert opened.status == 303
    assert opened.headers["Location"] == f"/channels/{lounge}#m-{sent['id']}"
    assert await new_notifications(grete) == []
    # Someone else's notification does not exist.
    assert (await maria.get(f"/notifications/{note['id']}", allow_redirects=False)).status == 404


async def test_a_task_and_its_overdue_reminder_notify_both_of_the_pair_only(mail_server, clock):
    from .task_support import create_task, pair_id, post_now, scheduler

    server = mail_server
    carla = await server.client("coordinator")
    maria, sara = await server.client("mentor1"), await server.client("mentee1")
    grete = await server.client("mentor2")
    await start_clean(carla, maria, sara, grete)
    task_id = await create_task(carla, title="Share your CV", due_days=2)
    await post_now(carla, task_id, {"pairs": [await pair_id(server, 1)]})

    for client in (maria, sara):
        (note,) = await new_notifications(client)
        assert note["kind"] == "task"
        assert note["text"] == "A new task was posted in your mentoring channel"
    assert await new_notifications(grete) == [] and await new_notifications(carla) == []

    clock.advance(days=3)
    await scheduler(server).run_once()
    for client in (maria, sara):
        due = [n for n in await new_notifications(client) if n["kind"] == "task_due"]
        assert [n["text"] for n in due] == ["A task in your mentoring channel is due"]
    assert await new_notifications(grete) == [] and await new_notifications(carla) == []


def test_an_excerpt_reads_as_the_message_does_without_its_markup():
    assert excerpt("**Summer** [meeting](https://x.org) with @[Maria Jensen](user:2)") == (
        "Summer meeting with @Maria Jensen"
    )
    assert excerpt("# Plan\n\n- one\n- two") == "Plan one two"
    assert excerpt("x" * 300, 10) == "x" * 9 + "…"
