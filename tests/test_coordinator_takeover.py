"""No coordinator path to pair content.  A coordinator walks every coordinator route and action
(taken from the route tables, so a new one fails this test until it is walked too): changing
addresses, roles, pairing, ending, disabling, resets, invitations, imports (one repeating an
existing address with other data), tasks, announcements.  Every mail to an address the
coordinator controls is followed through the real SMTP server into a session.  None of those
sessions, nor the coordinator's own, ever sees the marker written in a pair channel."""

from __future__ import annotations

import json
import re

import aiohttp

from server.api import goals as goals_api
from server.api import programme as admin_api
from server.api import tasks as tasks_api
from server.pages.admin import goals as admin_goal_pages
from server.pages.admin import importing as admin_import_pages
from server.pages.admin import programme as admin_pages
from server.pages.admin import task_schedules as admin_schedule_pages
from server.pages.admin import tasks as admin_task_pages

from .support import email

COORDINATOR_TABLES = (
    admin_api.routes,
    admin_pages.routes,
    admin_import_pages.routes,
    admin_task_pages.routes,
    admin_schedule_pages.routes,
    tasks_api.routes,
    admin_goal_pages.routes,
    goals_api.routes,
)
# Routes in those tables that are for the people of a pair, not coordinators.
NOT_COORDINATORS = (
    "/api/v1/messages/",
    "/api/v1/channels/",
    "/api/v1/goals",
    "/api/v1/milestones",
    "/api/v1/me/",
)
ROUTES = {
    (route.method, route.path)
    for table in COORDINATOR_TABLES
    for route in table
    if not route.path.startswith(NOT_COORDINATORS) and not route.path.endswith("/answer")
}
MARKER = "MARKER-only-the-pair-may-read-this"
OWN = "coord.example"  # every address here is the coordinator's
PASSWORD = "the coordinator's own password"


class Walk:
    """The coordinator's requests, remembering which routes were used and every answer."""

    def __init__(self, coordinator) -> None:
        self.client = coordinator
        self.called: set[tuple[str, str]] = set()
        self.answers: list[str] = []
        self._csrf: str | None = None

    async def api(self, method: str, route: str, body=None, *, csv: str | None = None, **ids):
        self.called.add((method, route))
        path = route.format(**ids)
        if csv is not None:
            response = await self.client.http.request(
                method, path, data=csv.encode(), headers={"Content-Type": "text/csv"}
            )
        else:
            response = await self.client.http.request(method, path, json=body)
        text = await response.text()
        self.answers.append(text)
        return response.status, text

    async def form(
        self, route: str, fields: dict | None = None, *, upload: str | None = None, **ids
    ):
        if self._csrf is None:
            page = await (await self.client.get("/admin/users")).text()
            self._csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        self.called.add(("POST", route))
        data = aiohttp.FormData()
        for key, value in {"csrf_token": self._csrf, **(fields or {})}.items():
            data.add_field(key, str(value))
        if upload is not None:
            data.add_field("file", upload.encode(), filename="people.csv", content_type="text/csv")
        response = await self.client.http.post(route.format(**ids), data=data)
        text = await response.text()
        self.answers.append(text)
        return response.status, text

    async def page(self, route: str, **ids):
        return await self.api("GET", route, **ids)


async def _schedules(walk: Walk, task: int) -> list[dict]:
    status, text = await walk.api("GET", "/api/v1/tasks/{task_id}", task_id=task)
    assert status == 200, text
    return json.loads(text)["task"]["schedules"]


async def _mail_sessions(server, smtp, followed: set[str]) -> list:
    """Follow every unfollowed link mailed to an address the coordinator controls."""
    sessions = []
    for mail in list(smtp.mails):
        if not any(r.endswith("@" + OWN) for r in mail.recipients) or "/password/" not in mail.text:
            continue
        token = mail.token()
        if token in followed:
            continue
        followed.add(token)
        client = await server.client()
        response = await client.post("/api/v1/password", {"token": token, "password": PASSWORD})
        if response.status == 200:
            sessions.append(client)
    return sessions


async def _everything_readable(server, client, pair: int, marker_id: int) -> list[str]:
    """What a session gets when it tries every way to read the pair channel."""
    texts = []
    for path in (
        f"/api/v1/channels/{pair}/messages",
        f"/api/v1/channels/{pair}/changes?since_seq=0",
        f"/api/v1/messages/{marker_id}/thread",
        f"/channels/{pair}",
        f"/channels/{pair}/threads/{marker_id}",
        "/api/v1/channels",
        "/",
    ):
        texts.append(await (await client.get(path)).text())
    if (await client.get("/api/v1/me")).status != 200:
        return texts  # ended since (a later reset link of the same account ends it)
    sock = await client.socket()
    for event, payload in (
        ("channel:subscribe", {"channel_id": pair}),
        ("channel:history", {"channel_id": pair}),
        ("channel:sync", {"channel_id": pair, "since_seq": 0}),
        ("thread:load", {"message_id": marker_id}),
    ):
        texts.append(repr(await sock.call(event, payload)))
    return texts


async def test_no_sequence_of_coordinator_actions_reads_a_pair_channel(mail_server, smtp):
    store = mail_server.store
    pair = await mail_server.pair_channel_id(1)
    pair_id = (await store.load_pair_by_channel(pair)).id
    mentor = await (await mail_server.client("mentor1")).socket()
    marker = await mentor.send(pair, MARKER)
    await mentor.send(pair, MARKER + " in a thread", thread_id=marker["id"])
    mentee1 = await store.load_user_by_email(email("mentee1"))
    mentor1 = await store.load_user_by_email(email("mentor1"))

    coordinator = await mail_server.client("coordinator")
    coordinator_socket = await coordinator.socket()
    walk = Walk(coordinator)
    api, form = walk.api, walk.form
    for person in (mentee1, mentor1):
        for route in (
            "/admin",
            "/admin/users",
            "/admin/import",
            "/admin/pairs",
            "/admin/communities",
            "/admin/announce",
            "/admin/audit",
            "/admin/mail",
            "/admin/tasks",
            "/api/v1/users",
            "/api/v1/pairs",
            "/api/v1/audit",
            "/api/v1/mail",
            "/api/v1/tasks",
        ):
            await walk.page(route)
        await walk.page("/api/v1/users/{user_id}", user_id=person.id)
        await walk.page("/api/v1/users/{user_id}/mentor-suggestions", user_id=person.id)
        # Take the address: refused, by the API and the page, alone or with other changes.
        for body in (
            {"email": f"{person.id}@{OWN}"},
            {"email": f"x{person.id}@{OWN}", "name": "X"},
        ):
            status, _ = await api("PATCH", "/api/v1/users/{user_id}", body, user_id=person.id)
            assert status == 403
        status, _ = await form(
            "/admin/users/{user_id}",
            {"action": "email", "email": f"f{person.id}@{OWN}"},
            user_id=person.id,
        )
        assert status == 403
        assert (await store.load_user(person.id)).email == person.email
        # A new invitation or a reset goes to the person's own address only.
        assert (await api("POST", "/api/v1/users/{user_id}/invitation", user_id=person.id))[
            0
        ] == 409
        await form("/admin/users/{user_id}", {"action": "invite"}, user_id=person.id)
        await (await mail_server.client()).post("/api/v1/password-reset", {"email": person.email})
        # Disable and enable, by both ways; role changes (refused while paired).
        await api("PATCH", "/api/v1/users/{user_id}", {"disabled": True}, user_id=person.id)
        await api("PATCH", "/api/v1/users/{user_id}", {"disabled": False}, user_id=person.id)
        await form("/admin/users/{user_id}", {"action": "disable"}, user_id=person.id)
        await form("/admin/users/{user_id}", {"action": "enable"}, user_id=person.id)
        await api("PATCH", "/api/v1/users/{user_id}", {"role": "coordinator"}, user_id=person.id)
        await form(
            "/admin/users/{user_id}", {"action": "role", "role": "coordinator"}, user_id=person.id
        )
        assert (
            await api(
                "PATCH", "/api/v1/users/{user_id}", {"email": f"late@{OWN}"}, user_id=person.id
            )
        )[0] == 403

    # Accounts the coordinator controls, by every way there is.
    await api(
        "POST", "/api/v1/users", {"email": f"mentor@{OWN}", "name": "Own Mentor", "role": "mentor"}
    )
    await form("/admin/users", {"email": f"mentee@{OWN}", "name": "Own Mentee", "role": "mentee"})
    repeat = f"email,name,role,expertise\n{email('mentee1')},Someone Else,coordinator,Takeover\n"
    before = await store.load_user(mentee1.id)
    await api("POST", "/api/v1/users/import", csv=repeat + f"imported@{OWN},Own Import,mentor,\n")
    await form("/admin/import", upload=repeat)
    _, preview = await form("/admin/import", upload=repeat + f"form@{OWN},Own Form,mentee,\n")
    seal = re.search(r'name="seal" value="([^"]+)"', preview).group(1)
    await form("/admin/import/confirm", {"seal": seal})
    assert await store.load_user(mentee1.id) == before  # the repeated row changed nothing
    own_mentor = await store.load_user_by_email(f"mentor@{OWN}")
    # Correcting the address of someone not yet activated is allowed: it is the coordinator's.
    assert (
        await api(
            "PATCH", "/api/v1/users/{user_id}", {"email": f"mentor2@{OWN}"}, user_id=own_mentor.id
        )
    )[0] == 200

    # Pairing and ending: an own mentor for mentee1 (refused while paired), end, pair, end.
    assert (
        await api("POST", "/api/v1/pairs", {"mentor_id": own_mentor.id, "mentee_id": mentee1.id})
    )[0] == 409
    await form("/admin/pairs", {"mentor_id": own_mentor.id, "mentee_id": mentee1.id})
    assert (await api("DELETE", "/api/v1/pairs/{pair_id}", pair_id=pair_id))[0] == 200
    status, _ = await form("/admin/pairs", {"mentor_id": own_mentor.id, "mentee_id": mentee1.id})
    assert status == 200
    new_pair = next(
        p for p in await store.list_pairs(active_only=True) if p.mentee_id == mentee1.id
    )
    await form("/admin/pairs/{pair_id}/end", {"confirmed": "yes"}, pair_id=new_pair.id)
    for person in (mentee1, mentor1):  # out of any active pair now: roles may change
        await api("PATCH", "/api/v1/users/{user_id}", {"role": "coordinator"}, user_id=person.id)
        await form(
            "/admin/users/{user_id}", {"action": "role", "role": person.role}, user_id=person.id
        )
        assert (
            await api(
                "PATCH", "/api/v1/users/{user_id}", {"email": f"then@{OWN}"}, user_id=person.id
            )
        )[0] == 403
    # Reopen the ended pair (its own two people again), and end it once more.
    await form("/admin/pairs/{pair_id}/reopen", pair_id=new_pair.id)
    await form("/admin/pairs/{pair_id}/end", {"confirmed": "yes"}, pair_id=new_pair.id)

    # Everything else a coordinator can do.
    status, text = await api("POST", "/api/v1/communities", {"name": "Finance"})
    community = json.loads(text)["community"]["id"]
    await api("PATCH", "/api/v1/communities/{channel_id}", {"archived": True}, channel_id=community)
    await form("/admin/communities", {"name": "Nursing"})
    await form("/admin/communities/{channel_id}", {"action": "reopen"}, channel_id=community)
    await walk.page("/api/v1/menus/{role}", role="mentee")
    await api(
        "PUT",
        "/api/v1/menus/{role}",
        {"items": [{"item": "home"}, {"item": "pair"}]},
        role="mentee",
    )
    await walk.page("/admin/menu/{role}", role="mentor")
    await form("/admin/menu/{role}", {"item_0": "home", "visible_0": "1"}, role="mentor")
    await api("POST", "/api/v1/announcements", {"body": "Hello all", "email": True})
    await form("/admin/announce", {"body": "Hello again", "email": "1", "client_id": "a-1"})
    await api("GET", "/api/v1/audit?format=csv")
    walk.called.add(("GET", "/api/v1/audit"))
    status, text = await api(
        "POST", "/api/v1/tasks", {"title": "Share", "body": "b", "due_days": 1}
    )
    task = json.loads(text)["task"]["id"]
    await walk.page("/api/v1/tasks/{task_id}", task_id=task)
    await api("PATCH", "/api/v1/tasks/{task_id}", {"title": "Share it"}, task_id=task)
    status, text = await api(
        "POST",
        "/api/v1/tasks/{task_id}/schedules",
        {"pair_day": 3, "time": "10:00", "all": True},
        task_id=task,
    )
    schedule = json.loads(text)["schedule"]["id"]
    await api("PATCH", "/api/v1/schedules/{schedule_id}", {"paused": True}, schedule_id=schedule)
    await api("DELETE", "/api/v1/schedules/{schedule_id}", schedule_id=schedule)
    await api("POST", "/api/v1/tasks/{task_id}/post-now", {"all": True}, task_id=task)
    await walk.page("/api/v1/tasks/{task_id}/progress", task_id=task)
    await walk.page("/api/v1/pairs/{pair_id}/tasks", pair_id=pair_id)
    await form(
        "/admin/tasks", {"title": "Form task", "body": "b", "due_days": "", "action": "save"}
    )
    await walk.page("/admin/tasks/{task_id}", task_id=task)
    await form("/admin/tasks/{task_id}/post-now", {"confirmed": "yes"}, task_id=task)
    when = {"when": "at", "who": "all", "at": "2099-01-01T10:00"}
    await form("/admin/tasks/{task_id}/schedules", when, task_id=task)
    (scheduled, *_) = [s["id"] for s in await _schedules(walk, task) if s["state"] == "active"]
    await walk.page("/admin/schedules/{schedule_id}", schedule_id=scheduled)
    await form("/admin/schedules/{schedule_id}", when, schedule_id=scheduled)
    await form("/admin/schedules/{schedule_id}/pause", {"paused": "yes"}, schedule_id=scheduled)
    await form("/admin/schedules/{schedule_id}/cancel", {"confirmed": "yes"}, schedule_id=scheduled)
    await form("/admin/tasks/{task_id}", {"title": "Form task", "body": "c"}, task_id=task)
    await api("DELETE", "/api/v1/tasks/{task_id}", task_id=task)
    status, text = await api("POST", "/api/v1/tasks", {"title": "Old", "body": "", "due_days": 1})
    old = json.loads(text)["task"]["id"]
    await form("/admin/tasks/{task_id}/delete", {"confirmed": "yes"}, task_id=old)
    # Goals and satisfaction: the counts, asking an active pair, the answers, closing.
    for route in ("/api/v1/pairs/goals", "/api/v1/satisfaction", "/api/v1/satisfaction/scores"):
        await walk.page(route)
    other = next(p for p in await store.list_pairs(active_only=True) if p.mentee_id != mentee1.id)
    status, text = await api("POST", "/api/v1/pairs/{pair_id}/satisfaction", pair_id=other.id)
    asked = json.loads(text)["request"]["id"]
    await api("POST", "/api/v1/satisfaction/{request_id}/close", request_id=asked)
    await form("/admin/pairs/{pair_id}/satisfaction", pair_id=other.id)
    (latest, *_) = await store.list_satisfaction_requests()
    await form("/admin/satisfaction/{request_id}/close", request_id=latest.id)
    await walk.page("/admin/satisfaction")
    assert ROUTES <= walk.called, sorted(ROUTES - walk.called)

    # Every address the coordinator controls: invitations followed, then resets asked and followed.
    followed: set[str] = set()
    own = [u for u in await store.list_users() if u.email.endswith("@" + OWN)]
    for person in own:
        await smtp.wait_for(person.email)
    sessions = await _mail_sessions(mail_server, smtp, followed)
    assert len(own) == 4 and len(sessions) == 4
    for person in own:
        count = len(smtp.to(person.email))
        await (await mail_server.client()).post("/api/v1/password-reset", {"email": person.email})
        await smtp.wait_for(person.email, count=count + 1)
    sessions += await _mail_sessions(mail_server, smtp, followed)
    for address in (mentee1.email, mentor1.email):  # their mail never reached the coordinator
        assert all(not r.endswith("@" + OWN) for m in smtp.to(address) for r in m.recipients)

    seen = list(walk.answers)
    for session in [coordinator, *sessions]:
        seen += await _everything_readable(mail_server, session, pair, marker["id"])
    prober = await (await mail_server.client("mentor2")).socket()
    probe = await prober.send(await mail_server.channel_id("mentor_lounge"), "probe")
    await coordinator_socket.wait_for("message", lambda m: m["id"] == probe["id"])
    seen += [repr(event) for event in coordinator_socket.events]
    assert not [text for text in seen if MARKER in text]
    # The marker is really there, for the pair.
    mentee = await (await mail_server.client("mentee1")).get(f"/api/v1/channels/{pair}/messages")
    assert MARKER in await mentee.text()
