"""The resource library over HTTP and socket.io: who sees which folder, opening (counted per
week and role, never per person), sharing into conversations, the coordinators' changes (each
in the audit log), the "new" count in the menu, and every refusal."""

from __future__ import annotations

import hashlib
import re

from server import keys
from tests import databases
from tests.file_support import blob_stored, file_form, uploaded
from tests.support import eventually


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)[1]


async def _library_titles(client) -> list[str]:
    response = await client.get("/api/v1/library")
    assert response.status == 200
    titles = []

    def walk(folders):
        for folder in folders:
            titles.extend(r["title"] for r in folder["resources"])
            walk(folder["folders"])

    walk((await response.json())["folders"])
    return titles


async def _folder(coordinator, name, audience, parent_id=None) -> int:
    payload = {"name": name, "audience": audience}
    if parent_id is not None:
        payload["parent_id"] = parent_id
    response = await coordinator.post("/api/v1/library/folders", payload)
    assert response.status == 201, await response.text()
    return (await response.json())["folder"]["id"]


async def _link(coordinator, folder_id, title, url="https://example.org/guide") -> int:
    response = await coordinator.post(
        "/api/v1/library/resources",
        {"folder_id": folder_id, "title": title, "description": f"About {title}", "url": url},
    )
    assert response.status == 201, await response.text()
    return (await response.json())["resource"]["id"]


async def test_each_role_sees_and_opens_exactly_the_folders_meant_for_it(server):
    coordinator = await server.client("coordinator")
    everyone = await _folder(coordinator, "Matrix everyone", "everyone")
    mentors = await _folder(coordinator, "Matrix mentors", "mentors")
    mentees = await _folder(coordinator, "Matrix mentees", "mentees")
    staff = await _folder(coordinator, "Matrix coordinators", "coordinators")
    # A subfolder is seen only by those who may see its parent too.
    inner_mentees = await _folder(coordinator, "Mentees inside mentors", "mentees", mentors)
    inner_mentors = await _folder(coordinator, "Mentors inside everyone", "mentors", everyone)
    ids = {
        "all": await _link(coordinator, everyone, "For all"),
        "mentors": await _link(coordinator, mentors, "For mentors"),
        "mentees": await _link(coordinator, mentees, "For mentees"),
        "staff": await _link(coordinator, staff, "For staff"),
        "nobody": await _link(coordinator, inner_mentees, "For nobody but staff"),
        "inner": await _link(coordinator, inner_mentors, "For mentors, inside"),
    }
    expected = {
        "coordinator": set(ids),
        "mentor1": {"all", "mentors", "inner"},
        "mentee1": {"all", "mentees"},
    }
    titles = {
        "all": "For all",
        "mentors": "For mentors",
        "mentees": "For mentees",
        "staff": "For staff",
        "nobody": "For nobody but staff",
        "inner": "For mentors, inside",
    }
    missing = await (await coordinator.get("/resources/999999/open")).text()
    for handle, visible in expected.items():
        client = await server.client(handle)
        seen = set(await _library_titles(client))
        assert {titles[k] for k in visible} <= seen
        assert not {titles[k] for k in set(ids) - visible} & seen, handle
        page = await (await client.get("/resources")).text()
        for key, resource_id in ids.items():
            opened = await client.get(f"/resources/{resource_id}/open", allow_redirects=False)
            if key in visible:
                assert opened.status == 303, (handle, key)
                assert opened.headers["Location"] == "https://example.org/guide"
                assert titles[key] in page
            else:
                # Exactly as missing as an id never used: nothing tells it exists.
                assert opened.status == 404, (handle, key)
                assert await opened.text() == missing
                assert titles[key] not in page


async def test_openings_are_counted_per_week_and_role_never_per_person(server):
    coordinator = await server.client("coordinator")
    folder = await _folder(coordinator, "Counted", "everyone")
    guide = await _link(coordinator, folder, "Counted guide")
    for handle in ("mentor1", "mentor1", "mentor2", "mentee3"):
        client = await server.client(handle)
        assert (await client.get(f"/resources/{guide}/open", allow_redirects=False)).status == 303

    usage = (await (await coordinator.get("/api/v1/library/usage")).json())["usage"]
    mine = {row["role"]: row["opened"] for row in usage if row["resource_id"] == guide}
    assert mine == {"mentor": 3, "mentee": 1}
    assert {row["title"] for row in usage if row["resource_id"] == guide} == {"Counted guide"}
    # What is stored has no column that could name a person.
    columns = databases.columns(server.app[keys.CONFIG].data_dir, "library_uses")
    assert set(columns) == {"resource_id", "week", "role", "opened"}

    mentor = await server.client("mentor1")
    assert (await mentor.get("/api/v1/library/usage")).status == 403
    page = await (await coordinator.get("/admin/library")).text()
    assert "Counted guide" in page and "How often resources were opened" in page


async def test_a_new_resource_shows_as_a_count_in_the_menu_until_the_library_is_opened(server):
    mentee = await server.client("mentee2")
    await mentee.get("/resources")  # seen: nothing is new now
    home = await (await mentee.get("/")).text()
    assert "data-new-count" not in home
    sock = await mentee.socket()

    coordinator = await server.client("coordinator")
    folder = await _folder(coordinator, "Fresh", "mentees")
    await _link(coordinator, folder, "Fresh guide")
    await sock.wait_for("menu", lambda m: m["role"] == "mentee")
    home = await (await mentee.get("/")).text()
    assert re.search(r'href="/resources"[^>]*>Library<span class="badge" data-new-count="1"', home)
    assert (await (await mentee.get("/api/v1/library")).json())["new"] == 1

    await mentee.get("/resources")
    assert "data-new-count" not in await (await mentee.get("/")).text()
    # A resource for mentors only is not news to a mentee: no count, and no event.
    mentors = await _folder(coordinator, "Fresh for mentors", "mentors")
    await _link(coordinator, mentors, "Mentor-only guide")
    events_before = len(sock.received("menu"))
    await sock.barrier(await server.channel_id("mentee_lounge"))
    assert len(sock.received("menu")) == events_before
    assert "data-new-count" not in await (await mentee.get("/")).text()


async def test_sharing_puts_a_card_in_the_channel_that_opens_only_for_those_who_may(server):
    coordinator = await server.client("coordinator")
    everyone = await _folder(coordinator, "Shared everyone", "everyone")
    mentors = await _folder(coordinator, "Shared mentors", "mentors")
    cv = await _link(coordinator, everyone, "CV checklist")
    secret = await _link(coordinator, mentors, "Mentor notes")

    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    mentor_sock = await mentor.socket()
    pair = await server.pair_channel_id(1)
    shared = await mentee.post(
        f"/api/v1/library/resources/{cv}/share", {"channel_id": pair, "client_id": "share-1"}
    )
    assert shared.status == 201, await shared.text()
    message = (await shared.json())["message"]
    assert message["resource"]["title"] == "CV checklist"
    assert message["resource"]["url"] == f"/resources/{cv}/open"
    live = await mentor_sock.wait_for("message", lambda m: m["id"] == message["id"])
    assert live["resource"]["id"] == cv
    again = await mentee.post(
        f"/api/v1/library/resources/{cv}/share", {"channel_id": pair, "client_id": "share-1"}
    )
    assert again.status == 200 and (await again.json())["message"]["id"] == message["id"]

    # A mentor shares a mentors-only resource in a community with a mentee: she sees the card
    # but cannot open it.
    community = await coordinator.post("/api/v1/communities", {"name": "Sharing circle"})
    community_id = (await community.json())["community"]["id"]
    for client in (mentor, mentee):
        await client.http.post(
            f"/communities/{community_id}/join",
            data={"csrf_token": csrf_of(await (await client.get("/communities")).text())},
        )
    shared = await mentor.post(
        f"/api/v1/library/resources/{secret}/share", {"channel_id": community_id}
    )
    assert shared.status == 201
    history = await mentee.get(f"/api/v1/channels/{community_id}/messages")
    cards = [m["resource"] for m in (await history.json())["messages"] if m["resource"]]
    assert [c["title"] for c in cards] == ["Mentor notes"]
    assert (await mentee.get(f"/resources/{secret}/open", allow_redirects=False)).status == 404

    # What she may not see, she cannot share; where she may not post, she cannot share.
    refused = await mentee.post(f"/api/v1/library/resources/{secret}/share", {"channel_id": pair})
    assert refused.status == 404
    announcements = await server.channel_id("announcements")
    refused = await mentee.post(
        f"/api/v1/library/resources/{cv}/share", {"channel_id": announcements}
    )
    assert refused.status == 403
    other_pair = await server.pair_channel_id(2)
    refused = await mentee.post(f"/api/v1/library/resources/{cv}/share", {"channel_id": other_pair})
    assert refused.status == 404

    # Removed from the library: the card says so and opens for nobody.
    assert (await coordinator.delete(f"/api/v1/library/resources/{cv}")).status == 200
    # Open pages redraw the card at once, and a client that syncs later gets it as a change.
    await mentor_sock.wait_for(
        "message", lambda m: m["id"] == message["id"] and m["resource"]["removed"]
    )
    sync = await mentor_sock.call("channel:sync", {"channel_id": pair, "since_seq": message["seq"]})
    assert [m["resource"]["removed"] for m in sync["changes"] if m["id"] == message["id"]] == [True]
    thread = await mentor.get(f"/api/v1/messages/{message['id']}/thread")
    assert (await thread.json())["root"]["resource"]["removed"] is True
    assert (await mentee.get(f"/resources/{cv}/open", allow_redirects=False)).status == 404


async def test_sharing_from_the_library_page_without_javascript(server):
    coordinator = await server.client("coordinator")
    folder = await _folder(coordinator, "Page share", "everyone")
    guide = await _link(coordinator, folder, "Interview guide")
    mentee = await server.client("mentee3")
    page = await (await mentee.get("/resources")).text()
    assert "Interview guide" in page and "Link to example.org" in page
    pair = await server.pair_channel_id(3)
    shared = await mentee.http.post(
        f"/resources/{guide}/share",
        data={"csrf_token": csrf_of(page), "channel_id": str(pair)},
        allow_redirects=False,
    )
    assert shared.status == 303 and shared.headers["Location"] == f"/channels/{pair}"
    channel_page = await (await mentee.get(f"/channels/{pair}")).text()
    assert "Shared from the library: Interview guide" in channel_page

    refused = await mentee.http.post(
        f"/resources/{guide}/share",
        data={"csrf_token": csrf_of(page), "channel_id": "abc"},
    )
    assert refused.status == 400
    assert "The conversation must be a whole number." in await refused.text()
    assert "Interview guide" in await refused.text()  # the library again, with the reason


async def test_coordinators_shape_the_library_and_every_change_is_audited(server):
    coordinator = await server.client("coordinator")
    top = await _folder(coordinator, "Shaped", "everyone")
    inner = await _folder(coordinator, "Shaped inside", "mentors", top)
    first = await _link(coordinator, top, "First")
    second = await _link(coordinator, top, "Second")
    third = await _link(coordinator, top, "Third")

    moved = await coordinator.patch(f"/api/v1/library/resources/{third}", {"position": 1})
    assert moved.status == 200

    async def order() -> list[str]:
        folders = (await (await coordinator.get("/api/v1/library")).json())["folders"]
        shaped = next(f for f in folders if f["id"] == top)
        return [r["title"] for r in shaped["resources"]]

    assert await order() == ["Third", "First", "Second"]
    moved = await coordinator.patch(
        f"/api/v1/library/resources/{first}", {"folder_id": inner, "title": "First, renamed"}
    )
    assert moved.status == 200 and (await moved.json())["resource"]["folder_id"] == inner
    assert await order() == ["Third", "Second"]

    # Bad input: a clear error, and nothing changes.
    before = await (await coordinator.get("/api/v1/library")).json()
    for path, payload, status in [
        (
            "/api/v1/library/folders",
            {"name": "Deep", "audience": "everyone", "parent_id": inner},
            400,
        ),
        ("/api/v1/library/folders", {"name": "X", "audience": "friends"}, 400),
        ("/api/v1/library/folders", {"name": "", "audience": "everyone"}, 400),
        ("/api/v1/library/folders", {"name": "X", "audience": "everyone", "parent_id": 99999}, 404),
        (
            "/api/v1/library/resources",
            {"folder_id": top, "title": "JS", "url": "javascript:alert(1)"},
            400,
        ),
        ("/api/v1/library/resources", {"folder_id": top, "title": "", "url": "https://a.org"}, 400),
        (
            "/api/v1/library/resources",
            {"folder_id": 99999, "title": "T", "url": "https://a.org"},
            404,
        ),
        (
            "/api/v1/library/resources",
            {"folder_id": top, "title": "T" * 201, "url": "https://a.org"},
            413,
        ),
    ]:
        response = await coordinator.post(path, payload)
        assert response.status == status, (payload, await response.text())
        assert (await response.json())["error"]["message"]
    for path, payload in [
        (f"/api/v1/library/resources/{second}", {"position": 9}),
        (f"/api/v1/library/resources/{second}", {"colour": "red"}),
        (f"/api/v1/library/resources/{second}", {}),
        (f"/api/v1/library/folders/{top}", {"parent_id": inner}),
        (f"/api/v1/library/folders/{inner}", {"parent_id": inner}),
    ]:
        response = await coordinator.patch(path, payload)
        assert response.status == 400, (path, payload, await response.text())
    not_empty = await coordinator.delete(f"/api/v1/library/folders/{top}")
    assert not_empty.status == 409
    assert await (await coordinator.get("/api/v1/library")).json() == before

    # Others may not change anything.
    mentor = await server.client("mentor1")
    for method, path, payload in [
        ("POST", "/api/v1/library/folders", {"name": "Mine", "audience": "everyone"}),
        ("PATCH", f"/api/v1/library/folders/{top}", {"name": "Mine"}),
        ("DELETE", f"/api/v1/library/folders/{top}", None),
        (
            "POST",
            "/api/v1/library/resources",
            {"folder_id": top, "title": "M", "url": "https://a.org"},
        ),
        ("PATCH", f"/api/v1/library/resources/{second}", {"title": "Mine"}),
        ("DELETE", f"/api/v1/library/resources/{second}", None),
        ("GET", "/api/v1/library/usage", None),
    ]:
        response = await mentor._checked(method, path, json=payload)
        assert response.status == 403, (method, path)
    assert (await mentor.get("/admin/library")).status == 403
    assert await (await coordinator.get("/api/v1/library")).json() == before

    assert (await coordinator.delete(f"/api/v1/library/resources/{first}")).status == 200
    assert (await coordinator.delete(f"/api/v1/library/folders/{inner}")).status == 200
    audit = (await (await coordinator.get("/api/v1/audit")).json())["entries"]
    actions = [entry["action"] for entry in audit]
    for action in (
        "library.folder_created",
        "library.resource_added",
        "library.resource_changed",
        "library.resource_removed",
        "library.folder_deleted",
    ):
        assert action in actions


async def test_the_coordinator_page_adds_moves_and_removes_with_plain_forms(server):
    coordinator = await server.client("coordinator")
    page = await (await coordinator.get("/admin/library")).text()
    token = csrf_of(page)
    created = await coordinator.http.post(
        "/admin/library/folders",
        data={"csrf_token": token, "name": "Form folder", "audience": "mentees", "parent_id": ""},
        allow_redirects=False,
    )
    assert created.status == 303
    folder_id = max(f.id for f in await server.store.list_folders())
    for title in ("Form one", "Form two"):
        added = await coordinator.http.post(
            "/admin/library/resources",
            data={
                "csrf_token": token,
                "folder_id": str(folder_id),
                "title": title,
                "description": "",
                "url": "https://example.org/form",
            },
            allow_redirects=False,
        )
        assert added.status == 303
    resources = [r for r in await server.store.list_resources() if r.folder_id == folder_id]
    two = next(r for r in resources if r.title == "Form two")
    moved = await coordinator.http.post(
        f"/admin/library/resources/{two.id}",
        data={
            "csrf_token": token,
            "action": "up",
            "position": "1",
            "title": two.title,
            "description": "",
            "folder_id": str(folder_id),
        },
        allow_redirects=False,
    )
    assert moved.status == 303
    resources = [r for r in await server.store.list_resources() if r.folder_id == folder_id]
    assert [r.title for r in resources] == ["Form two", "Form one"]

    refused = await coordinator.http.post(
        "/admin/library/resources",
        data={"csrf_token": token, "folder_id": str(folder_id), "title": "Bad", "url": "ftp://x"},
    )
    assert refused.status == 400 and "is not a web address" in await refused.text()
    no_token = await coordinator.http.post(
        f"/admin/library/resources/{two.id}", data={"action": "remove"}
    )
    assert no_token.status == 403
    removed = await coordinator.http.post(
        f"/admin/library/resources/{two.id}",
        data={"csrf_token": token, "action": "remove"},
        allow_redirects=False,
    )
    assert removed.status == 303
    page = await (await coordinator.get("/admin/library?notice=removed")).text()
    assert "The resource is removed from the library." in page and "Form two" not in page


async def test_a_file_in_the_library_downloads_for_its_audience_only_and_goes_when_removed(
    server,
):
    coordinator = await server.client("coordinator")
    mentees = await _folder(coordinator, "Files for mentees", "mentees")
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    upload = await uploaded(coordinator, pdf, "cv-guide.pdf")
    added = await coordinator.post(
        "/api/v1/library/resources",
        {"folder_id": mentees, "title": "CV guide", "file_id": upload["id"]},
    )
    assert added.status == 201, await added.text()
    resource = (await added.json())["resource"]
    assert resource["kind"] == "file" and resource["file"]["size"] == len(pdf)
    # Attached to the library now: the day-old sweep leaves it, and no message can take it.
    again = await coordinator.post(
        "/api/v1/library/resources",
        {"folder_id": mentees, "title": "Twice", "file_id": upload["id"]},
    )
    assert again.status == 400

    mentee, mentor = await server.client("mentee2"), await server.client("mentor2")
    opened = await mentee.get(resource["url"])
    assert opened.status == 200 and await opened.read() == pdf
    assert opened.headers["Content-Security-Policy"] == "sandbox"
    assert opened.headers["X-Content-Type-Options"] == "nosniff"
    assert (await mentor.get(resource["url"])).status == 404
    # The file's own address is not a way around the folder's audience, for anyone.
    for client in (mentee, mentor, coordinator):
        direct = await client.get(f"/files/{upload['id']}/cv-guide.pdf")
        assert direct.status == 404
    # A PDF viewer fetching the rest in parts is one opening.
    part = await mentee.get(resource["url"], headers={"Range": "bytes=0-3"})
    assert part.status == 206 and await part.read() == pdf[:4]
    usage = (await (await coordinator.get("/api/v1/library/usage")).json())["usage"]
    assert [row["opened"] for row in usage if row["resource_id"] == resource["id"]] == [1]

    sha = hashlib.sha256(pdf).hexdigest()
    assert blob_stored(server, sha)
    removed = await coordinator.delete(f"/api/v1/library/resources/{resource['id']}")
    assert removed.status == 200
    assert (await mentee.get(resource["url"])).status == 404
    await eventually(lambda: not blob_stored(server, sha))


async def test_the_coordinator_page_adds_a_file_with_a_plain_form(server):
    coordinator = await server.client("coordinator")
    page = await (await coordinator.get("/admin/library")).text()
    folder = next(f for f in await server.store.list_folders() if f.name == "For mentees")
    form = file_form(
        b"Bring: your CV, two questions.\n",
        "first meeting.txt",
        csrf_token=csrf_of(page),
        folder_id=str(folder.id),
        title="First meeting",
        description="What to bring",
    )
    added = await coordinator.http.post("/admin/library/files", **form, allow_redirects=False)
    assert added.status == 303, await added.text()
    resource = next(r for r in await server.store.list_resources() if r.title == "First meeting")
    mentee = await server.client("mentee1")
    library = await (await mentee.get("/resources")).text()
    assert "First meeting" in library and "Text · 31 bytes" in library
    opened = await mentee.get(f"/resources/{resource.id}/open")
    assert await opened.read() == b"Bring: your CV, two questions.\n"

    refused = await coordinator.http.post(
        "/admin/library/files",
        **file_form(
            b"\x7fELF\x02\x01\x01" + bytes(200),
            "x.png",
            csrf_token=csrf_of(page),
            folder_id=str(folder.id),
            title="Not a picture",
        ),
    )
    assert refused.status == 400
    assert "Not a picture" not in [r.title for r in await server.store.list_resources()]


async def test_the_demo_library_has_its_documents(server):
    mentee = await server.client("mentee1")
    library = (await (await mentee.get("/api/v1/library")).json())["folders"]
    titles = {r["title"]: r for f in library for r in f["resources"]}
    assert {"A guide to mentoring meetings", "CV checklist"} <= set(titles)
    assert "Notes for mentors" not in titles
    guide = await mentee.get(titles["A guide to mentoring meetings"]["url"])
    assert "Confidentiality" in await guide.text()


async def test_a_new_resource_notifies_its_audience_live_and_is_read_in_the_library(server):
    """Issue 11: "a new resource for their role" is a notification, live to the people whose
    role sees the folder and to nobody else; opening the library reads it in every tab."""
    mentor, mentee = await server.client("mentor1"), await server.client("mentee1")
    coordinator = await server.client("coordinator")
    for person in (mentor, mentee):
        await person.post("/api/v1/notifications/read", {"all": True})
    mentor_socket, other_tab = await mentor.socket(), await mentor.socket()
    mentee_socket = await mentee.socket()

    folder = await _folder(coordinator, "For mentors, news", "mentors")
    resource = await _link(coordinator, folder, "Listening well")

    live = await mentor_socket.wait_for("notification", lambda n: n["kind"] == "resource")
    assert live["text"] == "New in the library: Listening well"
    assert live["link"] == f"/resources#resource-{resource}"
    assert live["resource_id"] == resource and live["channel_id"] is None
    listed = await (await mentor.get("/api/v1/notifications")).json()
    assert listed["unread"] == 1 and listed["notifications"][0]["id"] == live["id"]
    # The mentee's role does not see the folder: nothing came, proven by a probe after it.
    await mentee_socket.barrier(await server.channel_id("mentee_lounge"))
    assert mentee_socket.received("notification") == []
    assert (await (await mentee.get("/api/v1/notifications")).json())["unread"] == 0
    # Nor the coordinator who added it.
    told = (await (await coordinator.get("/api/v1/notifications")).json())["notifications"]
    assert [n for n in told if n["kind"] == "resource"] == []

    # The bell's link lands on the resource in the library, and reading it there clears it.
    opened = await mentor.get(f"/notifications/{live['id']}", allow_redirects=False)
    assert opened.headers["Location"] == f"/resources#resource-{resource}"
    page = await (await mentor.get("/resources")).text()
    assert f'id="resource-{resource}"' in page
    await other_tab.wait_for("notifications:read", lambda d: d["unread"] == 0)

    # A second one, then the folder closes to mentors: the notification is not listed any more.
    second = await _link(coordinator, folder, "Hard conversations")
    news = await mentor_socket.wait_for("notification", lambda n: n["resource_id"] == second)
    assert (await (await mentor.get("/api/v1/notifications")).json())["unread"] == 1
    response = await coordinator.patch(f"/api/v1/library/folders/{folder}", {"audience": "mentees"})
    assert response.status == 200, await response.text()
    listed = await (await mentor.get("/api/v1/notifications")).json()
    assert listed["unread"] == 0
    assert all(n["resource_id"] not in (resource, second) for n in listed["notifications"])
    assert (await mentor.get(f"/notifications/{news['id']}")).status == 404


async def test_a_person_who_turned_resource_notifications_off_gets_none(server):
    mentee, coordinator = await server.client("mentee2"), await server.client("coordinator")
    response = await mentee.patch("/api/v1/me/notifications", {"kinds": {"resource": False}})
    assert response.status == 200, await response.text()
    await mentee.get("/resources")  # the demo's resources are not new to her any more
    folder = await _folder(coordinator, "Quiet news", "mentees")
    quiet = await _link(coordinator, folder, "Not told")
    listed = await (await mentee.get("/api/v1/notifications")).json()
    assert [n for n in listed["notifications"] if n["resource_id"] == quiet] == []
    # The menu still counts it as new: turning notifications off hides nothing in the library.
    assert (await (await mentee.get("/api/v1/library")).json())["new"] == 1
