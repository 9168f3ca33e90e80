"""Communities, the menu, announcements by mail, and the audit log with its CSV export."""

from __future__ import annotations

import csv
import io

from .support import email


async def _put(client, path, payload):
    return await client.http.put(path, json=payload)


async def test_communities_are_created_renamed_archived_and_joined(server):
    coordinator = await server.client("coordinator")
    mentor = await server.client("mentor1")
    sock = await mentor.socket()

    created = await coordinator.post("/api/v1/communities", {"name": "Finance", "topic": "Money"})
    assert created.status == 201
    community = (await created.json())["community"]

    listing = (await (await mentor.get("/api/v1/communities")).json())["communities"]
    assert [(c["name"], c["is_member"]) for c in listing] == [("Finance", False)]

    joined = await mentor.post(f"/api/v1/communities/{community['id']}/membership")
    assert joined.status == 200
    event = await sock.wait_for("channel", lambda c: c["id"] == community["id"])
    assert event["is_member"] is True
    sent = await sock.send(community["id"], "Hello finance people")  # already in the room
    assert sent["channel_id"] == community["id"]

    renamed = await coordinator.patch(
        f"/api/v1/communities/{community['id']}", {"name": "Finance and banking"}
    )
    assert (await renamed.json())["community"]["name"] == "Finance and banking"
    await sock.wait_for("channel", lambda c: c.get("name") == "Finance and banking")

    await coordinator.patch(f"/api/v1/communities/{community['id']}", {"archived": True})
    await sock.wait_for("channel", lambda c: c["id"] == community["id"] and c["read_only"])
    ack = await sock.call(
        "message:send", {"channel_id": community["id"], "body": "still here?", "client_id": "a1"}
    )
    assert ack["error"]["code"] == "forbidden"
    assert (await (await mentor.get("/api/v1/communities")).json())["communities"] == []
    listing = (await (await coordinator.get("/api/v1/communities")).json())["communities"]
    assert listing[0]["read_only"] is True and listing[0]["member_count"] == 1

    mentee = await server.client("mentee1")
    refused = await mentee.post(f"/api/v1/communities/{community['id']}/membership")
    assert refused.status == 403
    left = await mentor.delete(f"/api/v1/communities/{community['id']}/membership")
    assert left.status == 200

    bad = await coordinator.patch(f"/api/v1/communities/{community['id']}", {"colour": "red"})
    assert bad.status == 400
    actions = [e.action for e in await server.store.list_audit()]
    assert actions[:3] == ["community.archived", "community.renamed", "community.created"]


async def test_the_menu_is_stored_per_role_and_applied_at_once(server):
    coordinator = await server.client("coordinator")
    mentee = await server.client("mentee1")
    mentee_sock = await mentee.socket()
    mentor = await server.client("mentor1")

    default = await (await mentee.get("/api/v1/menu")).json()
    assert [i["label"] for i in default["items"]][:2] == ["Home", "My mentor"]

    items = [
        {"item": "pair", "label": "My mentor"},
        {"item": "home"},
        {"item": "link", "label": "Video call", "url": "https://meet.example.org/programme"},
        {"item": "library", "visible": False},
    ]
    response = await _put(coordinator, "/api/v1/menus/mentee", {"items": items})
    assert response.status == 200, await response.text()

    pushed = await mentee_sock.wait_for("menu")
    assert [i["label"] for i in pushed["items"]] == ["My mentor", "Home", "Video call"]
    mine = await (await mentee.get("/api/v1/menu")).json()
    assert mine["items"] == pushed["items"]
    assert mine["items"][2]["url"] == "https://meet.example.org/programme"
    # Other roles keep theirs.
    assert (await (await mentor.get("/api/v1/menu")).json())["items"][1]["label"] == "My mentee"

    editing = await (await coordinator.get("/api/v1/menus/mentee")).json()
    hidden = [i["item"] for i in editing["items"] if not i["visible"]]
    assert "library" in hidden and "announcements" in hidden

    for bad in [
        [{"item": "link", "label": "Evil", "url": "javascript:alert(1)"}],
        [{"item": "admin"}],
        [{"item": "home"}, {"item": "home"}],
        [{"item": "link", "url": "https://ok.example"}],
        [],
    ]:
        refused = await _put(coordinator, "/api/v1/menus/mentee", {"items": bad})
        assert refused.status == 400, bad
    no_admin = await _put(coordinator, "/api/v1/menus/coordinator", {"items": [{"item": "home"}]})
    assert no_admin.status == 400
    assert (await (await mentee.get("/api/v1/menu")).json())["items"] == pushed["items"]
    assert (await coordinator.get("/api/v1/menus/boss")).status == 400


async def test_announcements_can_also_be_emailed_to_everyone(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    mentee = await (await mail_server.client("mentee2")).socket()

    quiet = await coordinator.post(
        "/api/v1/announcements", {"body": "Meeting moved", "client_id": "q1"}
    )
    assert (await quiet.json())["emails_queued"] == 0
    await mentee.wait_for("message", lambda m: m["body"] == "Meeting moved")

    loud = await coordinator.post(
        "/api/v1/announcements",
        {"body": "**Summer meeting** on 12 June", "client_id": "l1", "email": True},
    )
    assert loud.status == 201
    assert (await loud.json())["emails_queued"] == 7
    mail = await smtp.wait_for(email("mentee2"))
    assert mail.message["Subject"] == "Announcement: Summer meeting on 12 June"
    assert "<strong>Summer meeting</strong>" in mail.html
    assert "Carla Coordinator" in mail.text
    repeat = await coordinator.post(
        "/api/v1/announcements",
        {"body": "**Summer meeting** on 12 June", "client_id": "l1", "email": True},
    )
    assert repeat.status == 200 and (await repeat.json())["emails_queued"] == 0
    for handle in ["coordinator", "mentor1", "mentor2", "mentor3", "mentee1", "mentee3"]:
        await smtp.wait_for(email(handle))
    assert len(smtp.mails) == 7


async def test_every_coordinator_action_is_audited_and_exported_as_csv(server):
    coordinator = await server.client("coordinator")
    store = server.store
    seeded = len(await store.list_audit())  # the demo's own pairings
    await coordinator.post(
        "/api/v1/users", {"email": "x@example.org", "name": "=HYPERLINK(1)", "role": "mentor"}
    )
    user = await store.load_user_by_email("x@example.org")
    await coordinator.patch(f"/api/v1/users/{user.id}", {"role": "mentee"})
    await coordinator.patch(f"/api/v1/users/{user.id}", {"disabled": True})
    pair = (await store.list_pairs(active_only=True))[0]
    await coordinator.delete(f"/api/v1/pairs/{pair.id}")
    await _put(coordinator, "/api/v1/menus/mentor", {"items": [{"item": "home"}]})

    entries = (await (await coordinator.get("/api/v1/audit")).json())["entries"][:-seeded]
    assert [e["action"] for e in entries] == [
        "menu.changed",
        "satisfaction.requested",  # ending a pair asks both how it went
        "pair.ended",
        "user.disabled",
        "user.role_changed",
        "user.created",
    ]
    assert all(e["actor"]["name"] == "Carla Coordinator" and e["at"] for e in entries)

    export = await coordinator.get("/api/v1/audit?format=csv")
    assert export.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in export.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(await export.text())))
    assert rows[0] == [
        "id",
        "time",
        "who",
        "who_id",
        "action",
        "target_type",
        "target_id",
        "summary",
    ]
    assert [r[4] for r in rows[1 + seeded :]] == [e["action"] for e in reversed(entries)]
    # A name that looks like a formula stays text in a spreadsheet.
    assert rows[1 + seeded][7].startswith("Created mentor =HYPERLINK")
    assert all(not cell.startswith("=") for row in rows for cell in row)
