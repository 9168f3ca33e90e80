"""A pair's goals: written by either of the two, live for both as a card in their channel
(drawn again whenever the goal or a milestone changes, and carried by `channel:sync`), on the
goals page with plain forms; refused clearly, changing nothing, on bad input; read-only once
the pair has ended; and nobody else's to read or change."""

from __future__ import annotations

import uuid

from .goal_support import add_goal, end_pair, expect, form, goals_of, pair_of


async def test_a_goal_is_a_card_live_for_both_and_redrawn_when_it_or_a_milestone_changes(server):
    channel = await server.pair_channel_id(1)
    mentee_client = await server.client("mentee1")
    mentor_client = await server.client("mentor1")
    mentee = await mentee_client.socket()
    mentor = await mentor_client.socket()

    goal, card = await add_goal(
        mentee_client, channel, "  A job in\nproject management ", "Update my CV", "Apply to five"
    )
    assert goal["title"] == "A job in project management"  # one line
    assert goal["status"] == "not_started" and goal["message_id"] == card["id"]
    assert [m["title"] for m in goal["milestones"]] == ["Update my CV", "Apply to five"]
    assert card["kind"] == "text" and card["body"] == "Added a goal."  # no words of the goal
    assert card["author"]["name"] == "Sara Nielsen" and card["goal"] == goal
    live = await mentor.wait_for("message", lambda m: m["id"] == card["id"])
    assert live["goal"]["title"] == "A job in project management"
    await mentee.wait_for("message", lambda m: m["id"] == card["id"])

    # The mentor ticks a milestone: the mentee's socket gets the card again, ticked.
    first = goal["milestones"][0]["id"]
    ticked = await expect(
        await mentor_client.patch(f"/api/v1/milestones/{first}", {"done": True}), 200
    )
    assert ticked["goal"]["milestones"][0]["done"] and ticked["goal"]["milestones_done"] == 1
    assert ticked["goal"]["updated_by"]["name"] == "Maria Jensen"
    redrawn = await mentee.wait_for(
        "message", lambda m: m["id"] == card["id"] and m["goal"]["milestones_done"] == 1
    )
    assert redrawn["seq"] > card["seq"] and redrawn["created_seq"] == card["created_seq"]

    # Ticking it again changes nothing: no new seq, no event (proved by a barrier).
    before = len(mentee.received())
    again = await expect(
        await mentor_client.patch(f"/api/v1/milestones/{first}", {"done": True}), 200
    )
    assert again["goal"] == ticked["goal"]
    await mentee.barrier(channel)
    assert [m["id"] for m in mentee.received()[before:]] == [mentee.received()[-1]["id"]]

    # The status, a new milestone, a removed one: each redraws the card for the partner.
    seen = redrawn["seq"]
    await expect(
        await mentee_client.patch(f"/api/v1/goals/{goal['id']}", {"status": "in_progress"}), 200
    )
    await mentor.wait_for(
        "message", lambda m: m["id"] == card["id"] and m["goal"]["status"] == "in_progress"
    )
    added = await expect(
        await mentee_client.post(f"/api/v1/goals/{goal['id']}/milestones", {"title": "Interview"}),
        201,
    )
    assert [m["title"] for m in added["goal"]["milestones"]][-1] == "Interview"
    await mentor.wait_for(
        "message", lambda m: m["id"] == card["id"] and len(m["goal"]["milestones"]) == 3
    )
    second = goal["milestones"][1]["id"]
    await expect(await mentor_client.delete(f"/api/v1/milestones/{second}"), 200)
    latest = await mentee.wait_for(
        "message",
        lambda m: (
            m["id"] == card["id"]
            and [x["title"] for x in m["goal"]["milestones"]] == ["Update my CV", "Interview"]
        ),
    )

    # A client that missed all that gets the card once, in its latest state, by sync.
    synced = await mentor.call("channel:sync", {"channel_id": channel, "since_seq": seen})
    cards = [m for m in synced["changes"] if m["id"] == card["id"]]
    assert len(cards) == 1 and cards[0]["goal"] == latest["goal"]
    assert cards[0]["seq"] == latest["seq"]
    # And the goals list says the same.
    assert (await goals_of(mentor_client, channel))["goals"] == [latest["goal"]]


async def test_removing_a_goal_removes_its_words_and_leaves_its_card_deleted(server):
    channel = await server.pair_channel_id(1)
    mentee_client = await server.client("mentee1")
    mentor = await (await server.client("mentor1")).socket()
    goal, card = await add_goal(mentee_client, channel, "Learn Excel", "Pivot tables")
    assert (await expect(await mentee_client.delete(f"/api/v1/goals/{goal['id']}"), 200)) == {
        "removed": True
    }
    gone = await mentor.wait_for("message", lambda m: m["id"] == card["id"] and m["deleted"])
    assert gone["goal"] is None and gone["body"] == "" and gone["html"] == ""
    assert (await goals_of(mentee_client, channel))["goals"] == []
    missing = await mentee_client.get(f"/api/v1/goals/{goal['id']}")
    assert missing.status == 404
    milestone = goal["milestones"][0]["id"]
    assert (
        await mentee_client.patch(f"/api/v1/milestones/{milestone}", {"done": True})
    ).status == 404
    assert await server.store.load_milestone(milestone) is None


async def test_a_goals_card_is_not_edited_or_deleted_as_a_message(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    _goal, card = await add_goal(mentee, channel, "Run a workshop")
    edit = await expect(await mentee.patch(f"/api/v1/messages/{card['id']}", {"body": "x"}), 400)
    assert "goal's card" in edit["error"]["message"]
    await expect(await mentee.delete(f"/api/v1/messages/{card['id']}"), 400)
    sock = await mentee.socket()
    ack = await sock.call("message:delete", {"message_id": card["id"]})
    assert ack["error"]["code"] == "invalid"
    assert (await goals_of(mentee, channel))["goals"][0]["message_id"] == card["id"]


async def test_a_repeated_client_id_returns_the_first_goal(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    client_id = str(uuid.uuid4())
    goal, card = await add_goal(mentee, channel, "Find a mentor circle", client_id=client_id)
    again = await expect(
        await mentee.post(
            f"/api/v1/channels/{channel}/goals", {"title": "Something else", "client_id": client_id}
        ),
        200,
    )
    assert again["goal"] == goal and again["message"]["id"] == card["id"]
    assert len((await goals_of(mentee, channel))["goals"]) == 1
    # A client_id first used for a chat message is not a goal's.
    used = await mentee.post(
        f"/api/v1/channels/{channel}/messages", {"body": "hi", "client_id": "c-1"}
    )
    assert used.status == 201
    clash = await mentee.post(
        f"/api/v1/channels/{channel}/goals", {"title": "X", "client_id": "c-1"}
    )
    assert clash.status == 409
    assert len((await goals_of(mentee, channel))["goals"]) == 1


BAD_GOALS = [
    ({}, 400, "A goal is required."),
    ({"title": "   "}, 400, "A goal cannot be empty."),
    ({"title": 7}, 400, "A goal must be text."),
    ({"title": "x" * 201}, 413, "A goal is too long: at most 200 characters."),
    ({"title": "Ok", "status": "done"}, 400, "A goal's status must be one of"),
    ({"title": "Ok", "milestones": "one"}, 400, "'milestones' must be a list of texts."),
    ({"title": "Ok", "milestones": [1]}, 400, "'milestones' must be a list of texts."),
    ({"title": "Ok", "milestones": ["m"] * 11}, 400, "at most 10 milestones"),
    ({"title": "Ok", "milestones": ["y" * 201]}, 413, "A milestone is too long"),
    ({"title": "Ok", "client_id": 5}, 400, "'client_id' must be text."),
]


async def test_bad_input_is_refused_clearly_and_changes_nothing(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    goal, _card = await add_goal(mentee, channel, "Keep this", "As it is")
    before = await goals_of(mentee, channel)
    last_seq = (await server.store.load_channel(channel)).last_seq
    for payload, status, sentence in BAD_GOALS:
        body = await expect(await mentee.post(f"/api/v1/channels/{channel}/goals", payload), status)
        assert sentence in body["error"]["message"], (payload, body)
    milestone = goal["milestones"][0]["id"]
    for path, payload, status in (
        (f"/api/v1/goals/{goal['id']}", {}, 400),  # nothing to change
        (f"/api/v1/goals/{goal['id']}", {"colour": "red"}, 400),
        (f"/api/v1/goals/{goal['id']}", {"status": "ACHIEVED"}, 400),
        (f"/api/v1/goals/{goal['id']}", {"title": ""}, 400),
        (f"/api/v1/milestones/{milestone}", {"done": "yes"}, 400),
        (f"/api/v1/milestones/{milestone}", {"title": "z" * 300}, 413),
    ):
        await expect(await mentee.patch(path, payload), status)
    await expect(await mentee.post(f"/api/v1/goals/{goal['id']}/milestones", {"title": " "}), 400)
    await expect(await mentee.post(f"/api/v1/goals/{goal['id']}/milestones", [1]), 400)
    for path in ("/api/v1/goals/0", "/api/v1/goals/abc", "/api/v1/milestones/-1"):
        assert (await mentee.patch(path, {"title": "x"})).status == 400
    assert await goals_of(mentee, channel) == before
    assert (await server.store.load_channel(channel)).last_seq == last_seq

    # The page's forms: the reason, what was typed kept, nothing added.
    page = await form(
        mentee, f"/channels/{channel}/goals", {"title": "", "milestones": "Kept\nlines"}
    )
    text = await page.text()
    assert page.status == 400 and "A goal cannot be empty." in text and "Kept\nlines" in text
    page = await form(
        mentee, f"/channels/{channel}/goals", {"title": "Eleven", "milestones": "m\n" * 11}
    )
    assert page.status == 400 and "at most 10 milestones" in await page.text()
    page = await form(mentee, f"/goals/{goal['id']}", {"action": "save", "status": "nonsense"})
    assert page.status == 400 and "A goal&#39;s status must be one of" in await page.text()
    page = await form(mentee, f"/milestones/{milestone}", {"action": "explode"})
    assert page.status == 400 and "must be done, undo, save or remove" in await page.text()
    assert await goals_of(mentee, channel) == before
    assert (await server.store.load_channel(channel)).last_seq == last_seq


async def test_limits_on_goals_and_milestones(server):
    channel = await server.pair_channel_id(2)
    mentee = await server.client("mentee2")
    goal, _ = await add_goal(mentee, channel, "Many steps", *[f"step {n}" for n in range(10)])
    body = await expect(
        await mentee.post(f"/api/v1/goals/{goal['id']}/milestones", {"title": "eleven"}), 400
    )
    assert body["error"]["message"] == "A goal can have at most 10 milestones."
    for n in range(19):
        await add_goal(mentee, channel, f"goal {n}")
    body = await expect(
        await mentee.post(f"/api/v1/channels/{channel}/goals", {"title": "21"}), 400
    )
    assert "at most 20 goals" in body["error"]["message"]
    assert len((await goals_of(mentee, channel))["goals"]) == 20


async def test_the_goals_page_works_with_plain_forms(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    mentor = await (await server.client("mentor1")).socket()
    page = await mentee.get(f"/channels/{channel}/goals")
    assert page.status == 200 and "No goals yet." in await page.text()
    assert (
        f'href="/channels/{channel}/goals"'
        in await (await mentee.get(f"/channels/{channel}")).text()
    )

    added = await form(
        mentee,
        f"/channels/{channel}/goals",
        {
            "title": "Speak at a meetup",
            "milestones": "Pick a topic\r\n\r\nWrite the talk\n",
            "client_id": "f-1",
        },
    )
    assert added.status == 303
    (goal,) = (await goals_of(mentee, channel))["goals"]
    assert added.headers["Location"] == f"/channels/{channel}/goals#goal-{goal['id']}"
    assert [m["title"] for m in goal["milestones"]] == ["Pick a topic", "Write the talk"]
    await mentor.wait_for("message", lambda m: (m["goal"] or {}).get("id") == goal["id"])

    text = await (await mentee.get(f"/channels/{channel}/goals")).text()
    assert "Speak at a meetup" in text and "0 of 2 milestones done" in text
    first, second = (m["id"] for m in goal["milestones"])
    assert (await form(mentee, f"/milestones/{first}", {"action": "done"})).status == 303
    await mentor.wait_for(
        "message", lambda m: m["id"] == goal["message_id"] and m["goal"]["milestones_done"] == 1
    )
    assert (
        await form(mentee, f"/goals/{goal['id']}", {"action": "save", "status": "achieved"})
    ).status == 303
    assert (
        await form(mentee, f"/milestones/{second}", {"action": "save", "title": "Give the talk"})
    ).status == 303
    assert (
        await form(mentee, f"/goals/{goal['id']}/milestones", {"title": "Say thanks"})
    ).status == 303
    assert (await form(mentee, f"/milestones/{first}", {"action": "undo"})).status == 303
    assert (await form(mentee, f"/milestones/{first}", {"action": "remove"})).status == 303
    assert (
        await form(mentee, f"/goals/{goal['id']}", {"action": "save", "title": "Speak twice"})
    ).status == 303
    (goal,) = (await goals_of(mentee, channel))["goals"]
    assert (goal["title"], goal["status"]) == ("Speak twice", "achieved")
    assert [(m["title"], m["done"]) for m in goal["milestones"]] == [
        ("Give the talk", False),
        ("Say thanks", False),
    ]
    text = await (await mentee.get(f"/channels/{channel}")).text()
    assert "Speak twice" in text and 'class="goal-card goal-achieved"' in text

    removed = await form(mentee, f"/goals/{goal['id']}", {"action": "remove"})
    assert removed.status == 303 and removed.headers["Location"] == f"/channels/{channel}/goals"
    assert (await goals_of(mentee, channel))["goals"] == []


async def test_an_ended_pairs_goals_are_read_only_and_still_theirs(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    goal, _card = await add_goal(mentee, channel, "Finish the course", "Module 1")
    await end_pair(server, 1)

    listed = await goals_of(mentor, channel)
    assert listed["read_only"] is True and listed["goals"][0]["title"] == "Finish the course"
    milestone = goal["milestones"][0]["id"]
    for response in (
        await mentee.post(f"/api/v1/channels/{channel}/goals", {"title": "More"}),
        await mentee.patch(f"/api/v1/goals/{goal['id']}", {"status": "achieved"}),
        await mentor.delete(f"/api/v1/goals/{goal['id']}"),
        await mentee.post(f"/api/v1/goals/{goal['id']}/milestones", {"title": "2"}),
        await mentee.patch(f"/api/v1/milestones/{milestone}", {"done": True}),
        await mentee.delete(f"/api/v1/milestones/{milestone}"),
    ):
        body = await expect(response, 403)
        assert body["error"]["message"] == (
            "This pair has ended: its goals can still be read, but not changed."
        )
    page = await (await mentee.get(f"/channels/{channel}/goals")).text()
    assert "Finish the course" in page and "This pair has ended" in page
    assert "<form" not in page.split('id="goal-list"')[1].split("</ol>")[0]
    refused = await form(mentee, f"/milestones/{milestone}", {"action": "done"})
    assert refused.status == 403
    assert (await goals_of(mentee, channel))["goals"] == listed["goals"]


async def test_nobody_outside_the_pair_reads_or_changes_its_goals(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    goal, _ = await add_goal(mentee, channel, "Private plan", "Private step")
    milestone = goal["milestones"][0]["id"]
    lounge = await server.channel_id("mentee_lounge")
    for handle in ("coordinator", "mentor2", "mentee2"):
        other = await server.client(handle)
        never = {"code": "not_found", "message": "That channel does not exist."}
        for path in (f"/api/v1/channels/{channel}/goals", "/api/v1/channels/999999/goals"):
            assert (await expect(await other.get(path), 404))["error"] == never
        no_goal = {"code": "not_found", "message": "That goal does not exist."}
        for response in (
            await other.get(f"/api/v1/goals/{goal['id']}"),
            await other.get("/api/v1/goals/999999"),
            await other.patch(f"/api/v1/goals/{goal['id']}", {"status": "dropped"}),
            await other.delete(f"/api/v1/goals/{goal['id']}"),
            await other.post(f"/api/v1/goals/{goal['id']}/milestones", {"title": "x"}),
        ):
            assert (await expect(response, 404))["error"] == no_goal
        no_milestone = {"code": "not_found", "message": "That milestone does not exist."}
        for response in (
            await other.patch(f"/api/v1/milestones/{milestone}", {"done": True}),
            await other.delete("/api/v1/milestones/999999"),
        ):
            assert (await expect(response, 404))["error"] == no_milestone
        page = await other.get(f"/channels/{channel}/goals")
        assert page.status == 404 and "Private plan" not in await page.text()
        posted = await form(other, f"/goals/{goal['id']}", {"action": "remove"})
        assert posted.status == 404
        posted = await form(other, f"/milestones/{milestone}", {"action": "done"})
        assert posted.status == 404
    # A lounge has no goals.
    body = await expect(await mentee.get(f"/api/v1/channels/{lounge}/goals"), 400)
    assert "mentoring pair" in body["error"]["message"]
    assert (await goals_of(mentee, channel))["goals"][0] == goal | {"position": goal["position"]}


async def test_coordinators_get_counts_only(server):
    channel = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    one, _ = await add_goal(mentee, channel, "Goal one", "a", "b")
    await add_goal(mentee, channel, "Goal two")
    await expect(await mentee.patch(f"/api/v1/goals/{one['id']}", {"status": "achieved"}), 200)
    await expect(
        await mentee.patch(f"/api/v1/milestones/{one['milestones'][0]['id']}", {"done": True}), 200
    )
    coordinator = await server.client("coordinator")
    counts = (await expect(await coordinator.get("/api/v1/pairs/goals"), 200))["pairs"]
    pair = await pair_of(server, 1)
    mine = next(c for c in counts if c["pair_id"] == pair.id)
    assert mine == {
        "pair_id": pair.id,
        "goals": 2,
        "not_started": 1,
        "in_progress": 0,
        "achieved": 1,
        "dropped": 0,
        "milestones": 2,
        "milestones_done": 1,
    }
    assert all(c["goals"] == 0 for c in counts if c["pair_id"] != pair.id)
    assert len(counts) == len(await server.store.list_pairs())
    page = await (await coordinator.get("/admin/pairs")).text()
    assert "1 of 2 achieved" in page and "Goal one" not in page
    assert (await mentee.get("/api/v1/pairs/goals")).status == 403
