"""A goal's words, a milestone's, and a satisfaction comment are never read outside the pair.
A marker in each is written by a mentee; then everyone else walks every page and API answer
they can reach (coordinators: the whole coordinator area), searches for the markers, keeps
their sockets open, and every e-mail (away mail, digests) is sent and every log line kept.
The goal and milestone markers reach the pair alone; the comment reaches the coordinators
(it is addressed to them) and nobody else, not even the partner."""

from __future__ import annotations

import logging
import re

from server import keys

from .goal_support import add_goal, expect, form, pair_of
from .notify_support import marker, start_clean

OUTSIDERS = ("mentor2", "mentee2", "mentor3", "mentee3")
EVERYONE_READS = (
    "/",
    "/notifications",
    "/profile",
    "/communities",
    "/resources",
    "/api/v1/channels",
    "/api/v1/notifications?limit=100",
    "/api/v1/me/satisfaction",
    "/api/v1/menu",
    "/api/v1/library",
)
COORDINATOR_READS = (
    "/admin/users",
    "/admin/pairs",
    "/admin/satisfaction",
    "/admin/tasks",
    "/admin/audit",
    "/admin/mail",
    "/admin/digests",
    "/admin/library",
    "/admin/communities",
    "/api/v1/users",
    "/api/v1/pairs",
    "/api/v1/pairs/goals",
    "/api/v1/satisfaction",
    "/api/v1/satisfaction/scores",
    "/api/v1/audit",
    "/api/v1/audit?format=csv",
    "/api/v1/mail",
    "/api/v1/tasks",
)
COMMENT_IS_FOR = {"/admin/satisfaction", "/api/v1/satisfaction"}


async def _reads(client, paths, markers) -> dict[str, str]:
    """What `client` reads at `paths`; and its searches for the markers, which find nothing
    (the search page says the words back: they are the reader's own)."""
    found = {}
    for path in paths:
        found[path] = await (await client.get(path)).text()
    for word in markers:
        answer = await expect(await client.get("/api/v1/search", params={"q": word}), 200)
        assert (answer["results"], answer["files"], answer["resources"]) == ([], [], [])
        page = await (await client.get("/search", params={"q": word})).text()
        assert "Nothing found for" in page and "<mark>" not in page
    return found


async def test_goal_and_milestone_words_stay_in_the_pair_and_a_comment_reaches_coordinators_only(
    mail_server, smtp, clock, caplog
):
    # What the server logs at its most talkative (aiosqlite's own debug lines, which carry
    # every SQL parameter, stay at INFO: `--log-level debug` is not for a live programme).
    caplog.set_level(logging.INFO)
    for name in ("server", "channels", "storage", "aiohttp"):
        caplog.set_level(logging.DEBUG, logger=name)
    server = mail_server
    clock.advance(days=8)  # weekly digests are due for everyone
    goal_word, milestone_word, comment_word = (
        marker("GOALWORD"),
        marker("STEPWORD"),
        marker("NOTEWORD"),
    )
    channel = await server.pair_channel_id(1)
    pair = await pair_of(server, 1)
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")  # no socket: away, so the card is mailed about
    coordinator = await server.client("coordinator")
    outsiders = {handle: await server.client(handle) for handle in OUTSIDERS}
    await start_clean(mentee, mentor, coordinator, *outsiders.values())
    watching = {h: await c.socket() for h, c in [*outsiders.items(), ("coordinator", coordinator)]}

    goal, _card = await add_goal(
        mentee, channel, f"Become a {goal_word}", f"First {milestone_word}"
    )
    await expect(await mentee.patch(f"/api/v1/goals/{goal['id']}", {"status": "in_progress"}), 200)
    step = goal["milestones"][0]["id"]
    assert (await form(mentee, f"/milestones/{step}", {"action": "done"})).status == 303
    assert (
        await form(mentee, f"/goals/{goal['id']}/milestones", {"title": f"Then {milestone_word}"})
    ).status == 303
    asked = await expect(await coordinator.post(f"/api/v1/pairs/{pair.id}/satisfaction"), 201)
    request_id = asked["request"]["id"]
    saved = await mentee.put(
        f"/api/v1/satisfaction/{request_id}/answer",
        {"relationship": 4, "progress": 2, "comment": f"Please call me {comment_word}"},
    )
    assert saved.status == 200
    assert (
        await form(mentor, f"/satisfaction/{request_id}", {"relationship": "5", "progress": "4"})
    ).status == 303

    # Every e-mail there is: away mail for the card, everyone's digest (an announcement gives
    # each of them something to be told).
    news = await coordinator.post("/api/v1/announcements", {"body": "Spring meetup on Friday"})
    assert news.status == 201
    clock.advance(minutes=11)
    assert await server.app[keys.AWAY_MAILER].run_once() >= 1
    await server.app[keys.DIGESTS].run_once()
    await server.app[keys.MAILER].send_due()
    await smtp.wait_for(mentor.user["email"])
    mails = [m.message for m in await server.store.list_mail(limit=1000)]  # as queued, whole
    assert len(mails) > len(OUTSIDERS)

    goal_words = (goal_word, milestone_word)
    every_word = (*goal_words, comment_word)
    seen: dict[str, dict[str, str]] = {}
    for handle, client in outsiders.items():
        seen[handle] = await _reads(client, EVERYONE_READS, every_word)
        for path in (
            f"/channels/{channel}",
            f"/channels/{channel}/goals",
            f"/api/v1/goals/{goal['id']}",
            f"/api/v1/channels/{channel}/goals",
            f"/satisfaction/{request_id}",
            f"/api/v1/channels/{channel}/changes?since_seq=0",
        ):
            response = await client.get(path)
            assert response.status == 404, (handle, path)
            seen[handle][path] = await response.text()
    seen["coordinator"] = await _reads(
        coordinator, (*EVERYONE_READS, *COORDINATOR_READS), every_word
    )
    for path in (
        f"/channels/{channel}/goals",
        f"/api/v1/goals/{goal['id']}",
        f"/api/v1/channels/{channel}/goals",
    ):
        response = await coordinator.get(path)
        assert response.status == 404
        seen["coordinator"][path] = await response.text()
    # The partner: the goal is hers too; the mentee's comment is not.
    seen["mentor1"] = await _reads(
        mentor,
        (
            *EVERYONE_READS,
            f"/satisfaction/{request_id}",
            f"/channels/{channel}",
            f"/channels/{channel}/goals",
        ),
        every_word,
    )
    partner_socket = await mentor.socket()
    await partner_socket.call("channel:sync", {"channel_id": channel, "since_seq": 0})

    for handle, sock in [*watching.items(), ("mentor1", partner_socket)]:
        lounge = "mentee_lounge" if handle.startswith("mentee") else "mentor_lounge"
        await sock.barrier(await server.channel_id(lounge))
        seen.setdefault(handle, {})["socket events"] = repr(sock.events)

    for handle, texts in seen.items():
        for path, text in texts.items():
            for word in every_word:
                if word in text:
                    allowed = (handle == "mentor1" and word in goal_words) or (
                        handle == "coordinator" and word == comment_word and path in COMMENT_IS_FOR
                    )
                    assert allowed, f"{word} reached {handle} at {path}"
    # The comment does reach the coordinators, where it is addressed to them.
    for path in COMMENT_IS_FOR:
        assert comment_word in seen["coordinator"][path]
    assert re.search(r"4 of 5.*2 of 5", seen["coordinator"]["/admin/satisfaction"], re.S)
    # And the pair does read its goal (the markers are real).
    assert goal_word in seen["mentor1"][f"/channels/{channel}/goals"]
    assert milestone_word in seen["mentor1"][f"/channels/{channel}"]

    for mail in mails:
        for word in every_word:
            assert word not in mail
    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    assert "GET /admin/satisfaction" in logged  # the log was kept
    for word in every_word:
        assert word not in logged
