"""A message drawn live (js/messages.js filling the page's <template>) and the same message drawn
by the server for reading without JavaScript (_message.html) have the same markup."""

from __future__ import annotations

import uuid
from typing import Any

from playwright.sync_api import expect

from tests.file_support import png, share, uploaded
from tests.questionnaire_support import assign, create_questionnaire
from tests.task_support import create_task, pair_id, post_now
from tests.task_support import expect as expect_status

from .conftest import Person, Web

# Elements, classes and attributes in a comparable form; times are written differently on
# purpose (the browser says "5 minutes ago" in the reader's zone), so their text and title
# are left out, and runs of white space count as one.
SHAPE = """([html, id]) => {
  const shape = (node) => {
    if (node.nodeType === Node.TEXT_NODE) return node.textContent.replace(/\\s+/g, " ").trim() || null;
    if (node.nodeType !== Node.ELEMENT_NODE) return null;
    const attributes = [...node.attributes]
      .filter((a) => a.name !== "title" && a.name !== "class")
      .map((a) => `${a.name}=${a.value}`)
      .sort();
    const classes = [...node.classList].sort().join(" ");
    const children = node.tagName === "TIME" ? [] : [...node.childNodes].map(shape).filter(Boolean);
    return { tag: node.tagName, classes, attributes, children };
  };
  const root = html === null ? document : new DOMParser().parseFromString(html, "text/html");
  const element = root.getElementById(id);
  return element && shape(element);
}"""


def same_markup(person: Person, path: str, ids: list[str]) -> None:
    server_html = person.context.request.get(path).text()
    for element_id in ids:
        live = person.page.evaluate(SHAPE, [None, element_id])
        served = person.page.evaluate(SHAPE, [server_html, element_id])
        assert live is not None and served is not None, element_id
        assert live == served, element_id


async def test_a_message_drawn_live_has_the_markup_the_server_draws(web: Web):
    pair = await web.server.pair_channel_id(1)
    mentor, mentee = await web.server.client("mentor1"), await web.server.client("mentee1")
    coordinator = await web.server.client("coordinator")
    people: dict[str, Person] = {}

    def open_live() -> None:
        people["mentee"] = person = web.person("mentee1")
        person.page.goto(f"/channels/{pair}")
        expect(person.page.locator("body[data-connection=live]")).to_have_count(1)

    await web.run(open_live)

    # After the page opened, so the page draws every one of these itself: mine, edited, with
    # reactions (one mine) and replies; the partner's, deleted but kept for its reply; a
    # task done by the partner and one still open.
    async def send(client: Any, body: str, thread_id: int | None = None) -> dict[str, Any]:
        return await send_with(client, body, [], thread_id)

    async def send_with(
        client: Any, body: str, attachments: list[str], thread_id: int | None = None
    ) -> dict[str, Any]:
        payload = {
            "body": body,
            "client_id": str(uuid.uuid4()),
            "thread_id": thread_id,
            "attachments": attachments,
        }
        return (
            await expect_status(
                await client.post(f"/api/v1/channels/{pair}/messages", payload), 201
            )
        )["message"]

    mine = await send(mentee, "My goals: a **new CV** and two interviews")
    await mentee.patch(
        f"/api/v1/messages/{mine['id']}", {"body": "My goals: a **new CV**, _three_ interviews"}
    )
    await mentor.post(f"/api/v1/messages/{mine['id']}/reactions", {"emoji": "👍"})
    await mentee.post(f"/api/v1/messages/{mine['id']}/reactions", {"emoji": "👍"})
    await mentor.post(f"/api/v1/messages/{mine['id']}/reactions", {"emoji": "🎉"})
    await send(mentor, "Good list.", thread_id=mine["id"])
    theirs = await send(mentor, "Something I should not have said")
    await send(mentee, "I saw it", thread_id=theirs["id"])
    await mentor.delete(f"/api/v1/messages/{theirs['id']}")
    for due_days in (2, None):
        task_id = await create_task(coordinator, title=f"Task due {due_days}", due_days=due_days)
        await post_now(coordinator, task_id, {"all": True})
    # A resource shared from a mentors-only folder (its card names the audience), and one
    # the coordinators removed since (its card says so).
    for audience, removed in (("mentors", False), ("everyone", True)):
        folder = await expect_status(
            await coordinator.post(
                "/api/v1/library/folders", {"name": f"For {audience}", "audience": audience}
            ),
            201,
        )
        resource = await expect_status(
            await coordinator.post(
                "/api/v1/library/resources",
                {
                    "folder_id": folder["folder"]["id"],
                    "title": f"Guide for {audience}",
                    "description": "Read before the first meeting",
                    "url": "https://example.org/guide",
                },
            ),
            201,
        )
        resource_id = resource["resource"]["id"]
        await expect_status(
            await mentor.post(
                f"/api/v1/library/resources/{resource_id}/share", {"channel_id": pair}
            ),
            201,
        )
        if removed:
            await coordinator.delete(f"/api/v1/library/resources/{resource_id}")
    # A questionnaire's card (anonymous, so its mark shows).
    questionnaire = await create_questionnaire(coordinator, anonymous=True)
    await assign(coordinator, questionnaire["id"], pairs=[await pair_id(web.server, 1)])
    history = await expect_status(
        await mentee.get(f"/api/v1/channels/{pair}/messages?limit=200"), 200
    )
    latest = {m["id"]: m for m in history["messages"] if m["id"] >= mine["id"]}
    done_card = next(m for m in latest.values() if m["kind"] == "task" and m["task"]["due_at"])
    done = await expect_status(
        await mentor.post(f"/api/v1/messages/{done_card['id']}/complete", {"done": True}), 200
    )
    latest[done_card["id"]] = done["message"]
    # Files: a picture shown as its thumbnail, and a card, in one message.
    with_files, _ = await share(mentor, png(), "plan.png", pair, body="Two files")
    picture_and_card = await (
        await mentor.post(f"/api/v1/messages/{with_files['id']}/reactions", {"emoji": "👍"})
    ).json()
    files_message = picture_and_card["message"]
    more = await uploaded(mentor, b"a,b\n1,2\n", "numbers.csv")
    with_card = await send_with(mentor, "A table", [more["id"]])
    latest[files_message["id"]] = files_message
    latest[with_card["id"]] = with_card
    assert len(latest) == 9

    def compare() -> None:
        person = people["mentee"]
        page = person.page
        for message in latest.values():  # every change has reached the live page
            expect(page.locator(f"#m-{message['id']}")).to_have_attribute(
                "data-seq", str(message["seq"])
            )
        expect(page.locator(f"#m-{done_card['id']} .task-state")).to_contain_text(
            "Done by Maria Jensen"
        )
        same_markup(person, f"/channels/{pair}", [f"m-{i}" for i in latest])

        # The thread panel: the root and its replies, as the thread's own page draws them.
        page.locator(f"#m-{mine['id']} .thread-link").first.click()
        expect(page.locator("#thread-replies .msg")).to_have_count(1)
        reply_id = page.locator("#thread-replies .msg").get_attribute("id")
        same_markup(person, f"/channels/{pair}/threads/{mine['id']}", [f"t-{mine['id']}", reply_id])

    await web.run(compare)
