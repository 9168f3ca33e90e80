"""The coordinator line (issue 12): a participant's own channel with every coordinator, made
on first use; nobody else reads it, its words never leave it (notifications and e-mails say
who and how many), and its page says who reads it."""

from __future__ import annotations

import aiohttp

from server import keys

from .file_support import png
from .mail_support import running_server
from .notify_support import marker, notifications_of, start_clean
from .support import DAYS_AWAKE, email


async def _open(client, payload=None):
    response = await client.post("/api/v1/coordinator-line", payload or {})
    return response.status, await response.json()


async def test_a_mentee_writes_to_the_coordinators_and_nobody_else_hears_it(server):
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    maria = await server.client("mentor1")  # her own mentor: not a reader of her line
    await start_clean(sara, carla, maria)
    carla_socket, maria_socket = await carla.socket(), await maria.socket()

    status, opened = await _open(sara)
    assert status == 201 and opened["channel"]["kind"] == "coordinator_line"
    line = opened["channel"]["id"]
    assert await _open(sara) == (200, opened)  # one line per person
    await carla_socket.wait_for("channel", lambda c: c["id"] == line)

    secret = marker("HELPLINE")
    sara_socket = await sara.socket()
    sent = await sara_socket.send(line, f"My mentor has gone quiet {secret}")
    told = await carla_socket.wait_for("message", lambda m: m["id"] == sent["id"])
    assert secret in told["body"]
    note = await carla_socket.wait_for("notification", lambda n: n["channel_id"] == line)
    assert note["kind"] == "line" and note["excerpt"] is None and secret not in str(note)
    assert note["text"] == "Sara Nielsen wrote a new message in their line to the coordinators"

    # Her mentor: not in the room, not in his list, not readable, not found by search.
    await maria_socket.barrier(await server.channel_id("mentor_lounge"))
    assert all(secret not in str(data) for _, data in maria_socket.events)
    channels = (await (await maria.get("/api/v1/channels")).json())["channels"]
    assert line not in {c["id"] for c in channels}
    assert (await maria.get(f"/api/v1/channels/{line}/messages")).status == 404
    found = await (await maria.get(f"/api/v1/search?q={secret}")).json()
    assert found["results"] == []
    assert secret not in str(await notifications_of(maria))
    # Coordinators read it (and find it); the others of her role do not.
    found = await (await carla.get(f"/api/v1/search?q={secret}")).json()
    assert [r["message_id"] for r in found["results"]] == [sent["id"]]
    lene = await server.client("mentee2")
    assert (await lene.get(f"/api/v1/channels/{line}/messages")).status == 404

    # A coordinator answers: she is told, in her own words of the line.
    answer = await carla_socket.send(line, "Thank you for telling us; I will call you today.")
    note = await sara_socket.wait_for("notification", lambda n: n["message_id"] == answer["id"])
    assert (
        note["text"] == "Carla Coordinator sent you a new message in your line to the coordinators"
    )


async def test_only_coordinators_open_someone_elses_line(server):
    maria, carla = await server.client("mentor1"), await server.client("coordinator")
    sara = await server.user("mentee1")
    assert (await _open(maria, {"user_id": sara.id}))[0] == 404
    status, opened = await _open(carla, {"user_id": sara.id})
    assert status == 201
    # It is Sara's line: she reads it, and so would any coordinator; Maria does not.
    sara_client = await server.client("mentee1")
    assert (
        await sara_client.get(f"/api/v1/channels/{opened['channel']['id']}/messages")
    ).status == 200
    assert (await _open(sara_client)) == (200, opened)
    # A coordinator has no line of their own, and nobody opens one for a coordinator.
    assert (await _open(carla))[0] == 404
    coordinator = await server.user("coordinator")
    assert (await _open(carla, {"user_id": coordinator.id}))[0] == 404
    assert (await _open(carla, {"user_id": "sara"}))[0] == 400


async def test_the_page_says_who_reads_the_line_and_works_without_javascript(server):
    lene = await server.client("mentee2")
    page = await (await lene.get("/coordinators")).text()
    assert "Every coordinator reads and answers what you write here" in page
    assert 'action="/coordinators"' in page
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    opened = await lene.post("/coordinators", data={"csrf_token": csrf}, allow_redirects=False)
    assert opened.status == 303
    where = opened.headers["Location"]
    channel = await (await lene.get(where)).text()
    assert "Your coordinators" in channel
    assert "It is the only place where coordinators read your words" in channel
    assert (await lene.get("/coordinators", allow_redirects=False)).headers["Location"] == where
    # The coordinator sees it with her name, and is told it is her line.
    carla = await server.client("coordinator")
    seen = await (await carla.get(where)).text()
    assert "Lene" in seen and "Their line to the coordinators" in seen
    assert "Only the two of you can read this" not in seen


async def test_an_away_coordinator_is_mailed_who_wrote_never_what(data_dir, smtp, clock):
    config = {**smtp.config(), **DAYS_AWAKE}
    async with running_server(data_dir, clock=clock, config_changes=config) as server:
        sara = await server.client("mentee1")
        carla = await server.client("coordinator")  # logged in, no socket: away
        await start_clean(carla)
        _, opened = await _open(sara)
        secret = marker("HELPLINE")
        sara_socket = await sara.socket()
        for n in range(3):
            await sara_socket.send(opened["channel"]["id"], f"{secret} {n}")
        clock.advance(minutes=11)
        assert await server.app[keys.AWAY_MAILER].run_once() == 1
        mail = await smtp.wait_for(email("coordinator"))
        assert "Sara Nielsen wrote 3 new messages in their line to the coordinators" in mail.text
        assert all(secret not in str(m.message) for m in smtp.mails)


async def test_feedback_arrives_in_the_line_and_coordinators_see_how_fast_they_answer(server):
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    await start_clean(carla)
    carla_socket = await carla.socket()
    before = await server.store.count_messages()
    for bad in (
        {"category": "rant", "body": "x"},
        {"category": "idea", "body": ""},
        {"category": "idea", "body": "x", "attachments": ["not-mine"]},
    ):
        response = await sara.post("/api/v1/feedback", bad)
        assert response.status in (400, 404), bad
    assert await server.store.count_messages() == before
    assert await server.store.load_coordinator_line(sara.user["id"]) is None  # nothing opened
    response = await carla.post("/api/v1/feedback", {"category": "idea", "body": "x"})
    assert response.status == 403  # a coordinator has no line to send it through

    secret = marker("FEEDBACK")
    response = await sara.post(
        "/api/v1/feedback", {"category": "problem", "body": f"The calendar is broken {secret}"}
    )
    assert response.status == 201, await response.text()
    sent = await response.json()
    assert sent["message"]["body"].startswith("**Feedback: Something does not work**")
    await carla_socket.wait_for("message", lambda m: m["id"] == sent["message"]["id"])
    listed = await (await carla.get("/api/v1/feedback")).json()
    (item,) = listed["feedback"]
    assert item["status"] == "new" and item["answered_at"] is None
    assert item["user"]["name"] == "Sara Nielsen" and secret not in str(listed)
    assert (await sara.get("/api/v1/feedback")).status == 403
    page = await (await carla.get("/admin/feedback")).text()
    assert "Something does not work" in page and secret not in page

    # An answer in her line marks it answered; the median is counted from it.
    await carla_socket.send(sent["channel_id"], "Thank you, we are looking at it.")
    listed = await (await carla.get("/api/v1/feedback")).json()
    assert listed["feedback"][0]["status"] == "answered"
    assert listed["feedback"][0]["answered_at"] is not None
    assert listed["answered"] == 1 and listed["median_answer_hours"] == 0.0
    response = await carla.patch(f"/api/v1/feedback/{item['id']}", {"status": "closed"})
    assert (await response.json())["feedback"]["status"] == "closed"
    bad = await carla.patch(f"/api/v1/feedback/{item['id']}", {"status": "lost"})
    assert bad.status == 400
    audit = await (await carla.get("/api/v1/audit")).json()
    assert any(e["action"] == "feedback.status_changed" for e in audit["entries"])


async def test_the_feedback_form_takes_a_screenshot_without_javascript(server):
    lene = await server.client("mentee2")
    page = await (await lene.get("/feedback")).text()
    assert 'enctype="multipart/form-data"' in page
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = aiohttp.FormData()
    form.add_field("csrf_token", csrf)
    form.add_field("category", "question")
    form.add_field("body", "How do I change my password?")
    form.add_field("file", png(), filename="screen.png", content_type="image/png")
    response = await lene.http.post("/feedback", data=form, allow_redirects=False)
    assert response.status == 303, await response.text()
    where = response.headers["Location"]
    assert where.startswith("/channels/")
    shown = await (await lene.get(where.split("#")[0])).text()
    assert "How do I change my password?" in shown and "screen.png" in shown
