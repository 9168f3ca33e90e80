"""Tasks as pages, without JavaScript: the card the server draws (due, late, overdue, done),
its button as a plain form, the coordinator's task pages, and the menus fragment."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from .clocks import FakeClock
from .task_support import create_task, expect, pair_id, post_now, running, task_messages


async def _csrf(client, path: str) -> str:
    html = await (await client.get(path)).text()
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


def _card(html: str, message_id: int) -> str:
    start = html.rindex("<li", 0, html.index(f'id="m-{message_id}"'))
    return html[start : html.index("</li>", start)]


async def test_the_card_shows_due_overdue_and_done_and_its_button_works_without_js(data_dir):
    clock = FakeClock(datetime.now(UTC) + timedelta(minutes=1))
    async with running(data_dir, clock) as server:
        channel = await server.pair_channel_id(1)
        coordinator = await server.client("coordinator")
        mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
        task_id = await create_task(coordinator, due_days=2)
        await post_now(coordinator, task_id, {"all": True})
        (card,) = await task_messages(mentee, channel)

        page = await (await mentee.get(f"/channels/{channel}")).text()
        html = _card(page, card["id"])
        assert "msg-task" in html and "is-overdue" not in html
        assert '<span class="task-overdue" hidden>Overdue</span>' in html  # for the page's timer
        assert "Share your CV draft" in html and "<strong>one</strong>" in html
        assert 'data-format="moment"' in html and card["task"]["due_at"] in html
        assert 'aria-label="Mark as done: Share your CV draft"' in html

        clock.advance(days=3)
        html = _card(await (await mentee.get(f"/channels/{channel}")).text(), card["id"])
        assert "is-overdue" in html and '<span class="task-overdue">Overdue</span>' in html

        # The button is an ordinary form: it needs the session's token and says yes or no.
        token = await _csrf(mentee, f"/channels/{channel}")
        action = f"/channels/{channel}/tasks/{card['id']}"
        refused = await mentee.http.post(action, data={"done": "yes"}, allow_redirects=False)
        assert refused.status == 403
        wrong = await mentee.http.post(action, data={"csrf_token": token, "done": "maybe"})
        assert wrong.status == 400 and "yes or no" in await wrong.text()
        assert (await task_messages(mentee, channel))[0]["task"]["done"] is False

        done = await mentee.http.post(
            action, data={"csrf_token": token, "done": "yes"}, allow_redirects=False
        )
        assert done.status == 303
        assert done.headers["Location"] == f"/channels/{channel}#m-{card['id']}"
        html = _card(await (await mentor.get(f"/channels/{channel}")).text(), card["id"])
        assert "is-done" in html and "is-overdue" not in html
        assert "Done by Sara Nielsen" in html and "Done ✓ — undo" in html

        # The partner undoes it the same way.
        mentor_token = await _csrf(mentor, f"/channels/{channel}")
        await mentor.http.post(action, data={"csrf_token": mentor_token, "done": "no"})
        assert (await task_messages(mentee, channel))[0]["task"]["done"] is False

        # Another pair's member cannot, even through a channel they can read.
        other = await server.client("mentee2")
        other_token = await _csrf(other, f"/channels/{await server.pair_channel_id(2)}")
        for path in (action, f"/channels/{await server.pair_channel_id(2)}/tasks/{card['id']}"):
            response = await other.http.post(path, data={"csrf_token": other_token, "done": "yes"})
            assert response.status in (403, 404), path
        assert (await task_messages(mentee, channel))[0]["task"]["done"] is False


async def test_a_task_is_overdue_only_in_pairs_still_going_in_english_and_danish(data_dir):
    """An ended pair is asked nothing any more: its task never counts as overdue."""
    clock = FakeClock(datetime.now(UTC) + timedelta(minutes=1))
    async with running(data_dir, clock) as server:
        coordinator = await server.client("coordinator")
        task_id = await create_task(coordinator, due_days=2)
        await post_now(coordinator, task_id, {"all": True})  # to the three pairs
        ended = await coordinator.delete(f"/api/v1/pairs/{await pair_id(server, 3)}")
        assert ended.status == 200
        clock.advance(days=3)

        tasks = await (await coordinator.get("/admin/tasks")).text()
        assert '<td data-label="Overdue">2</td>' in tasks
        task = await (await coordinator.get(f"/admin/tasks/{task_id}")).text()
        assert '<span class="task-overdue">2 overdue</span>' in task
        assert task.count('<span class="state state-overdue">Overdue</span>') == 2
        progress = await expect(await coordinator.get(f"/api/v1/tasks/{task_id}/progress"), 200)
        assert progress["totals"]["overdue"] == 2

        assert (await coordinator.patch("/api/v1/me", {"language": "da"})).status == 200
        tasks = await (await coordinator.get("/admin/tasks")).text()
        assert '<td data-label="Over fristen">2</td>' in tasks
        task = await (await coordinator.get(f"/admin/tasks/{task_id}")).text()
        assert '<span class="task-overdue">2 over fristen</span>' in task


async def test_a_coordinator_writes_and_posts_a_task_with_forms(data_dir):
    async with running(data_dir, FakeClock(datetime.now(UTC) + timedelta(minutes=1))) as server:
        coordinator = await server.client("coordinator")
        token = await _csrf(coordinator, "/admin/tasks")
        active = len(await server.store.list_pairs(active_only=True))

        # Bad input: a clear error, the form kept, nothing written.
        for fields, reason in [
            ({"title": "  ", "body": "Hello"}, "title"),
            ({"title": "Week 1", "due_days": "soon"}, "due period"),
            ({"title": "Week 1", "due_days": "0"}, "due_days"),
        ]:
            response = await coordinator.http.post(
                "/admin/tasks", data={"csrf_token": token, "action": "post", **fields}
            )
            assert response.status == 400, fields
            html = await response.text()
            assert 'role="alert"' in html and reason in html, (fields, html)
        assert await expect(await coordinator.get("/api/v1/tasks"), 200) == {"tasks": []}

        saved = await coordinator.http.post(
            "/admin/tasks",
            data={
                "csrf_token": token,
                "action": "save",
                "title": "Week 1: your goals",
                "body": "Write **three** goals.",
                "due_days": "",
            },
            allow_redirects=False,
        )
        assert saved.status == 303
        task_page = saved.headers["Location"].split("?")[0]
        html = await (await coordinator.get(task_page)).text()
        assert "Not posted to any pair yet." in html and "<strong>three</strong>" in html
        assert f"Post now to all {active} active pairs" in html

        posted = await coordinator.http.post(
            f"{task_page}/post-now", data={"csrf_token": token}, allow_redirects=False
        )
        assert posted.status == 303 and posted.headers["Location"].endswith("?notice=posted")
        html = await (await coordinator.get(task_page)).text()
        assert f"0 of {active} done" in html and "Post it again now" in html
        assert html.count("Not done yet") == active
        mentee = await server.client("mentee1")
        (card,) = await task_messages(mentee, await server.pair_channel_id(1))
        assert card["task"]["title"] == "Week 1: your goals" and card["task"]["due_at"] is None

        # Posting again is asked first, with how many pairs get one more copy.
        again = await coordinator.http.post(f"{task_page}/post-now", data={"csrf_token": token})
        html = await again.text()
        assert again.status == 200 and f"Yes, post it again to {active} pairs" in html
        assert len(await task_messages(mentee, await server.pair_channel_id(1))) == 1
        confirmed = await coordinator.http.post(
            f"{task_page}/post-now",
            data={"csrf_token": token, "confirmed": "yes"},
            allow_redirects=False,
        )
        assert confirmed.headers["Location"].endswith("?notice=posted")
        assert len(await task_messages(mentee, await server.pair_channel_id(1))) == 2

        listing = await (await coordinator.get("/admin/tasks")).text()
        assert "Week 1: your goals" in listing and f"0 of {2 * active} done" in listing

        # A later post: a time in the past is refused, a future one is scheduled.
        past = await coordinator.http.post(
            f"{task_page}/schedules",
            data={"csrf_token": token, "when": "at", "who": "all", "at": "2020-01-01T09:00"},
        )
        assert past.status == 400
        later = await coordinator.http.post(
            f"{task_page}/schedules",
            data={
                "csrf_token": token,
                "when": "at",
                "who": "all",
                "at": f"{datetime.now(UTC).year + 1}-04-01T09:00",
            },
        )
        assert later.status == 200
        assert re.search(
            r"Once, on \w+day, 1 April \d{4}, 09:00, to all active pairs\.", await later.text()
        )

        missing = await coordinator.get("/admin/tasks/999999")
        assert missing.status == 404


async def test_the_menus_fragment_draws_both_menus_for_the_page(server):
    mentee = await server.client("mentee1")
    channel = await server.pair_channel_id(1)
    response = await mentee.get(f"/menu?here=/channels/{channel}&current={channel}&menu_id=side")
    assert response.status == 200
    html = await response.text()
    assert 'aria-label="Programme"' in html and 'aria-label="Your conversations"' in html
    assert f'href="/channels/{channel}" aria-current="page">My mentor</a>' in html
    assert 'data-menu-id="side"' in html and "Maria Jensen" in html
    assert "Coordinator area" not in html

    coordinator = await server.client("coordinator")
    html = await (await coordinator.get("/menu")).text()
    assert 'href="/admin">Coordinator area</a>' in html

    for query in ("here=//evil.example", "menu_id=a%22b", "current=x"):
        assert (await mentee.get(f"/menu?{query}")).status == 400, query
    assert (await (await server.client()).get("/menu", allow_redirects=False)).status in (302, 401)
