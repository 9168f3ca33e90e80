"""Reporting a message (issue 12): the one exception to a pair's confidentiality, chosen by a
member of the pair.  Only after the reporter confirms, and only that message (with the note),
reaches the coordinators: never another message of the channel (not its thread, not its
neighbours), never the partner, never an e-mail; the confirmation page alone stores and shares
nothing; refusals change nothing."""

from __future__ import annotations

import logging
import re
from types import SimpleNamespace

import pytest

from channels.dates import Calendar
from channels.errors import NotFound
from channels.programme import flags
from server import keys

from .notify_support import marker, mention, new_notifications, start_clean
from .support import email

CONFIRM = {"confirmed": True}


async def report(client, message_id: int, payload=None):
    response = await client.post(
        f"/api/v1/messages/{message_id}/report", CONFIRM if payload is None else payload
    )
    return response.status, await response.json()


async def _count(server) -> tuple[int, int]:
    """Messages, and reported messages, in the whole programme."""
    return await server.store.count_messages(), len(
        await server.store.list_flags(status=None, limit=1000)
    )


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


async def test_only_the_reported_message_reaches_the_coordinators_and_the_partner_hears_nothing(
    server, caplog
):
    caplog.set_level(logging.DEBUG, logger="server")
    pair = await server.pair_channel_id(1)
    sara, maria = await server.client("mentee1"), await server.client("mentor1")
    carla = await server.client("coordinator")
    await start_clean(sara, maria, carla)
    maria_socket, carla_socket = await maria.socket(), await carla.socket()
    other, in_thread, reported_word, note_word = (
        marker("OTHERWORD"),
        marker("THREADWORD"),
        marker("REPORTEDWORD"),
        marker("NOTEWORD"),
    )
    before = await maria_socket.send(pair, f"An ordinary message {other}")
    reported = await maria_socket.send(
        pair, f"You will never find work, {mention(sara.user)} {reported_word}"
    )
    await maria_socket.send(pair, f"And a reply {in_thread}", thread_id=reported["id"])
    after = await maria_socket.send(pair, f"One more {other}")
    secrets = (other, in_thread)

    seen_by_maria = len(maria_socket.events)
    status, answer = await report(sara, reported["id"], {**CONFIRM, "note": f"It hurt {note_word}"})
    assert status == 201, answer
    line = answer["report"]["line"]

    # The partner: nothing at all arrives before a probe of her own does.
    await maria_socket.barrier(await server.channel_id("mentor_lounge"))
    arrived = maria_socket.events[seen_by_maria:]
    assert [name for name, _ in arrived] == ["message"], arrived
    assert not await new_notifications(maria)
    assert line["channel_id"] not in {
        c["id"] for c in (await (await maria.get("/api/v1/channels")).json())["channels"]
    }
    assert (await maria.get(f"/api/v1/channels/{line['channel_id']}/messages")).status == 404
    assert (await maria.get("/api/v1/reported-messages")).status == 403
    assert (await maria.get("/admin/reported")).status == 403

    # The coordinators: the report in Sara's line, live and notified (who, never what).
    told = await carla_socket.wait_for("message", lambda m: m["id"] == line["message_id"])
    assert reported_word in told["body"] and note_word in told["body"]
    assert told["body"].startswith("**Reported message** by Maria Jensen in the pair channel")
    assert f"@{sara.user['name']}" in told["body"] and "(user:" not in told["body"]
    note = await carla_socket.wait_for(
        "notification", lambda n: n["channel_id"] == line["channel_id"]
    )
    assert note["kind"] == "line" and reported_word not in str(note)

    # Everything a coordinator reads: the reported message and the note, never another word.
    seen = {}
    for path in (
        "/admin/reported",
        "/api/v1/reported-messages",
        f"/channels/{line['channel_id']}",
        f"/api/v1/channels/{line['channel_id']}/messages",
        "/admin/pairs",
        "/admin/audit",
        "/api/v1/audit",
        "/api/v1/notifications?limit=100",
        "/notifications",
        "/",
    ):
        response = await carla.get(path)
        assert response.status == 200, path
        seen[path] = await response.text()
    for message_id in (before["id"], reported["id"], after["id"]):
        seen[f"thread {message_id}"] = await (
            await carla.get(f"/api/v1/messages/{message_id}/thread")
        ).text()
        assert (await carla.get(f"/messages/{message_id}/report")).status == 404
    for word in (*secrets, reported_word):
        found = await (await carla.get("/api/v1/search", params={"q": word})).json()
        seen[f"search {word}"] = str(found["results"])  # (the query itself is said back)
    await carla_socket.barrier(await server.channel_id("mentor_lounge"))
    seen["socket"] = repr(carla_socket.events)
    for where, text in seen.items():
        for word in secrets:
            assert word not in text, (word, where)
    assert reported_word in seen["/admin/reported"] and note_word in seen["/admin/reported"]
    (listed,) = (await (await carla.get("/api/v1/reported-messages")).json())["reports"]
    assert listed["message"]["id"] == reported["id"] and reported_word in listed["message"]["body"]
    assert listed["reporter"]["name"] == "Sara Nielsen" and listed["status"] == "new"
    assert listed["channel"] == {"id": pair, "kind": "pair", "name": "Maria Jensen & Sara Nielsen"}
    assert listed["pair"]["ended"] is False and listed["message"]["author"]["disabled"] is False
    # The search finds the report (it was shared), not the pair's other words.
    assert reported_word in seen[f"search {reported_word}"]

    # The author edits, then deletes it: the coordinators still have what was reported.
    await maria_socket.call("message:edit", {"message_id": reported["id"], "body": "Nothing"})
    await maria_socket.call("message:delete", {"message_id": reported["id"]})
    page = await (await carla.get("/admin/reported")).text()
    assert reported_word in page and "Nothing" not in page

    # Marking it handled is audited without a word of it.
    response = await carla.patch(f"/api/v1/reported-messages/{listed['id']}", {"status": "handled"})
    assert response.status == 200 and (await response.json())["report"]["status"] == "handled"
    audit = await (await carla.get("/api/v1/audit")).json()
    entry = next(e for e in audit["entries"] if e["action"] == "message_flag.status_changed")
    assert "Maria Jensen" in entry["summary"] and "Sara Nielsen" in entry["summary"]
    assert reported_word not in str(audit) and note_word not in str(audit)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for word in (*secrets, reported_word, note_word):
        assert word not in logged


async def test_an_away_coordinator_is_mailed_who_reported_never_what(mail_server, smtp, clock):
    server = mail_server
    pair = await server.pair_channel_id(2)
    lene, grete = await server.client("mentee2"), await server.client("mentor2")
    carla = await server.client("coordinator")  # logged in, no socket: away
    await start_clean(carla)
    other, reported_word = marker("OTHERWORD"), marker("REPORTEDWORD")
    grete_socket = await grete.socket()
    await grete_socket.send(pair, other)
    reported = await grete_socket.send(pair, reported_word)
    assert (await report(lene, reported["id"], {**CONFIRM, "note": "Please help"}))[0] == 201
    clock.advance(minutes=11)
    assert await server.app[keys.AWAY_MAILER].run_once() >= 1
    mail = await smtp.wait_for(email("coordinator"))
    assert "Lene Madsen wrote a new message in their line to the coordinators" in mail.text
    queued = [m.message for m in await server.store.list_mail(limit=1000)]
    for word in (other, reported_word, "Please help"):
        assert all(word not in m for m in queued)


async def test_the_confirmation_page_shows_what_would_be_shared_and_stores_nothing(server):
    pair = await server.pair_channel_id(1)
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    carla_socket = await carla.socket()
    maria_socket = await (await server.client("mentor1")).socket()
    words = marker("SHOWNWORD")
    reported = await maria_socket.send(pair, f"Call me tonight **{words}**")
    counted = await _count(server)

    page = await (await sara.get(f"/messages/{reported['id']}/report")).text()
    assert f"Call me tonight <strong>{words}</strong>" in page
    assert "Maria Jensen" in page and "The pair channel Maria Jensen &amp; Sara Nielsen" in page
    assert (
        "Only this message and your note will be shared with the programme's coordinators."
        " Maria Jensen will not be told who reported it."
    ) in page
    assert f'action="/messages/{reported["id"]}/report"' in page
    # Looking, and the form sent without its button (no confirmation), store and share nothing.
    csrf = _csrf(page)
    unconfirmed = await sara.http.post(
        f"/messages/{reported['id']}/report", data={"csrf_token": csrf, "note": "my note"}
    )
    assert unconfirmed.status == 400
    shown = await unconfirmed.text()
    assert "Confirm that this message and your note will be shared" in shown and "my note" in shown
    for payload in ({}, {"confirmed": "yes"}, {"confirmed": 1}, {"note": "x"}):
        status, refused = await report(sara, reported["id"], payload)
        assert status == 400 and refused["error"]["code"] == "invalid", payload
    assert await _count(server) == counted
    assert await server.store.load_coordinator_line(sara.user["id"]) is None
    await carla_socket.barrier(await server.channel_id("mentor_lounge"))
    assert words not in repr(carla_socket.events)
    assert words not in await (await carla.get("/admin/reported")).text()

    # The button confirms: to the report in her line, which says what she sent.
    confirmed = await sara.http.post(
        f"/messages/{reported['id']}/report",
        data={"csrf_token": csrf, "note": "He keeps asking", "confirmed": "yes"},
        allow_redirects=False,
    )
    assert confirmed.status == 303
    where = confirmed.headers["Location"]
    assert re.fullmatch(r"/channels/\d+#m-\d+", where)
    line_page = await (await sara.get(where.split("#")[0])).text()
    assert words in line_page and "He keeps asking" in line_page
    assert "Reported message" in line_page
    # Again: the page says it is done and where; posting again changes nothing.
    again = await (await sara.get(f"/messages/{reported['id']}/report")).text()
    assert "You reported this message on" in again and "Share it with" not in again
    counted = await _count(server)
    repeated = await sara.http.post(
        f"/messages/{reported['id']}/report",
        data={"csrf_token": csrf, "note": "Again", "confirmed": "yes"},
        allow_redirects=False,
    )
    assert repeated.headers["Location"] == where
    assert await _count(server) == counted


async def test_reporting_again_returns_the_first_report_and_changes_nothing(server):
    lounge = await server.channel_id("mentor_lounge")
    grete, anne = await server.client("mentor2"), await server.client("mentor3")
    maria = await server.client("mentor1")
    grete_socket = await grete.socket()
    # A mention of someone who cannot read the line: the quote names her and notifies nobody.
    posted = await grete_socket.send(lounge, f"Do not listen to {mention(anne.user)}")
    await start_clean(anne)
    status, first = await report(maria, posted["id"], {**CONFIRM, "note": "Unkind"})
    assert status == 201
    counted = await _count(server)
    status, again = await report(maria, posted["id"], {**CONFIRM, "note": "Different"})
    assert (status, again) == (200, first)
    assert await _count(server) == counted
    assert not await new_notifications(anne)
    carla = await server.client("coordinator")
    (listed,) = (await (await carla.get("/api/v1/reported-messages")).json())["reports"]
    assert listed["note"] == "Unkind" and listed["pair"] is None
    assert listed["channel"]["kind"] == "mentor_lounge"
    page = await (await carla.get("/admin/reported")).text()
    assert "Grete Holm, in the Mentor lounge" in page
    # Someone else may report the same message: a report of their own.
    status, other = await report(anne, posted["id"])
    assert status == 201 and other["report"]["id"] != first["report"]["id"]
    line = await (
        await anne.get(f"/api/v1/channels/{other['report']['line']['channel_id']}/messages")
    ).json()
    assert line["messages"][-1]["body"].endswith("No note.")


async def test_what_cannot_be_reported_is_refused_and_changes_nothing(server):
    pair = await server.pair_channel_id(1)
    lounge = await server.channel_id("mentee_lounge")
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    maria_socket = await (await server.client("mentor1")).socket()
    sara_socket = await sara.socket()
    own = await sara_socket.send(pair, "My own words")
    gone = await maria_socket.send(pair, "Soon deleted")
    await maria_socket.call("message:delete", {"message_id": gone["id"]})
    history = await (await sara.get(f"/api/v1/channels/{pair}/messages")).json()
    card = next(m for m in history["messages"] if m["author"] is None)
    lene_socket = await (await server.client("mentee2")).socket()
    in_lounge = await lene_socket.send(lounge, "Hello all")
    fine = await maria_socket.send(pair, "A message that could be reported")
    counted = await _count(server)

    for message_id, payload, code, words in (
        (own["id"], CONFIRM, 400, "your own message"),
        (gone["id"], CONFIRM, 400, "deleted"),
        (card["id"], CONFIRM, 400, "Only a message someone wrote"),
        (10**9, CONFIRM, 404, "That message does not exist."),
        (fine["id"], {**CONFIRM, "note": 5}, 400, "Your note must be text."),
        (fine["id"], {**CONFIRM, "note": "x" * 2001}, 413, "at most 2,000 characters"),
        (fine["id"], [1], 400, "Expected a JSON object."),
    ):
        response = await sara.post(f"/api/v1/messages/{message_id}/report", payload)
        answer = await response.json()
        assert response.status == code and words in answer["error"]["message"], answer
    response = await sara.http.post(
        f"/api/v1/messages/{fine['id']}/report",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status == 400
    # Coordinators are whom reports go to: a message they read is `forbidden`, one in a pair
    # (which they cannot read) does not exist.
    response = await carla.post(f"/api/v1/messages/{in_lounge['id']}/report", CONFIRM)
    assert response.status == 403
    assert "Reports go to the coordinators" in (await response.json())["error"]["message"]
    assert (await carla.get(f"/messages/{in_lounge['id']}/report")).status == 403
    assert (await carla.post(f"/api/v1/messages/{fine['id']}/report", CONFIRM)).status == 404
    assert (await sara.get(f"/messages/{own['id']}/report")).status == 400
    assert await _count(server) == counted
    assert await server.store.load_coordinator_line(sara.user["id"]) is None

    # A disabled account reads nothing, and so reports nothing.
    store = server.store

    async def disable(tx):
        await tx.set_user_disabled(sara.user["id"], True)

    await store.write(disable)
    with pytest.raises(NotFound):
        await flags.report_message(
            store,
            await store.load_user(sara.user["id"]),
            fine["id"],
            CONFIRM,
            calendar=Calendar.of("en_GB"),
        )
    assert await _count(server) == counted


async def test_coordinators_end_the_pair_or_disable_the_author_from_the_list(server):
    pair = await server.pair_channel_id(3)
    eva, carla = await server.client("mentee3"), await server.client("coordinator")
    anne = await server.user("mentor3")
    anne_socket = await (await server.client("mentor3")).socket()
    posted = await anne_socket.send(pair, "Send me your bank details")
    later = await anne_socket.send(pair, "And your password")
    assert (await report(eva, posted["id"]))[0] == 201
    pair_id = (await server.store.load_pair_by_channel(pair)).id

    page = await (await carla.get("/admin/reported")).text()
    assert f'action="/admin/pairs/{pair_id}/end"' in page
    assert f'action="/admin/users/{anne.id}"' in page and "Disable Anne Berg's account" in page
    csrf = _csrf(page)
    ended = await carla.http.post(
        f"/admin/pairs/{pair_id}/end", data={"csrf_token": csrf, "confirmed": "yes"}
    )
    assert ended.status == 200 and "The pair has ended" in await ended.text()
    disabled = await carla.http.post(
        f"/admin/users/{anne.id}", data={"csrf_token": csrf, "action": "disable"}
    )
    assert disabled.status == 200
    page = await (await carla.get("/admin/reported")).text()
    assert "The pair has ended." in page and "Anne Berg's account is disabled." in page
    flag = (await server.store.list_flags(status=None, limit=10))[0]
    handled = await carla.http.post(
        f"/admin/reported/{flag.id}", data={"csrf_token": csrf, "status": "handled"}
    )
    assert handled.status == 200
    assert (await server.store.load_flag(flag.id)).status == "handled"
    assert (
        "No reported messages marked new."
        in await (await carla.get("/admin/reported?status=new")).text()
    )
    for bad in ("/admin/reported?status=lost", "/api/v1/reported-messages?status=lost"):
        assert (await carla.get(bad)).status == 400
    response = await carla.patch(f"/api/v1/reported-messages/{flag.id}", {"status": "lost"})
    assert response.status == 400
    response = await carla.patch("/api/v1/reported-messages/999999", {"status": "new"})
    assert response.status == 404
    # An ended pair's words can still be reported by its members: they still read them.
    assert (await report(eva, later["id"]))[0] == 201


async def test_a_long_message_and_note_fit_the_line_and_the_list_keeps_it_whole(server):
    pair = await server.pair_channel_id(2)
    lene = await server.client("mentee2")
    grete_socket = await (await server.client("mentor2")).socket()
    body = "line\n" * 1999 + "end"  # as many short lines as a message may hold
    posted = await grete_socket.send(pair, body)
    status, answer = await report(lene, posted["id"], {**CONFIRM, "note": "n" * 2000})
    assert status == 201, answer
    (flag,) = await server.store.list_flags(status=None, limit=10)
    assert flag.body == body
    line = await server.store.load_message(flag.line_message_id)
    assert line.body.count("> line") < 1999 and line.body.endswith("n" * 2000)


def test_the_line_text_quotes_the_message_and_its_mentions_as_names():
    found = SimpleNamespace(
        author="Ma*ria",
        where="the Mentor lounge",
        message=SimpleNamespace(
            body="Hi @[Anne Berg](user:7)\n\nsecond", created_at="2026-03-01T10:00:00.000000+00:00"
        ),
    )
    calendar = Calendar.of("en_GB", "Europe/Copenhagen")
    assert flags.line_text(found, "See @[Eva](user:9)", calendar) == (  # type: ignore[arg-type]
        "**Reported message** by Ma\\*ria in the Mentor lounge, written Sunday, 1 March 2026, 11:00:"
        "\n\n> Hi @Anne Berg\n>\n> second\n\n**My note:** See @Eva"
    )
    assert flags.describe_channel("pair", "A & B") == "the pair channel A & B"
    assert flags.describe_channel("coordinator_line", "Eva") == "Eva's line to the coordinators"
    assert flags.describe_channel("announcements", "Announcements") == "Announcements"
