"""The coordinator area and the password pages in the browser: plain forms with the CSRF
token, refused for other roles and for forms without the token."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from server import keys
from server.pages.admin import programme as admin_pages

from .mail_support import SmtpServer, running_server
from .notify_support import marker, start_clean
from .support import DAYS_AWAKE, email, eventually
from .task_support import create_task, pair_id, post_now, scheduler, task_messages

PAGES = [
    "/admin/users",
    "/admin/import",
    "/admin/pairs",
    "/admin/communities",
    "/admin/menu/mentee",
    "/admin/announce",
    "/admin/audit",
    "/admin/mail",
]


async def _csrf(client, path: str = "/admin/users") -> str:
    html = await (await client.get(path)).text()
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)


async def test_every_coordinator_page_shows(server):
    coordinator = await server.client("coordinator")
    for path in PAGES:
        response = await coordinator.get(path)
        assert response.status == 200, path
        html = await response.text()
        assert 'name="csrf_token"' in html or path in ("/admin/audit", "/admin/mail"), path
    pairs = await (await coordinator.get("/admin/pairs")).text()
    assert "Maria Jensen" in pairs and "Sara Nielsen" in pairs


@pytest.mark.parametrize("handle", ["mentor1", "mentee1"])
async def test_other_roles_are_refused_every_coordinator_page_and_form(server, handle):
    client = await server.client(handle)
    token = await _csrf(client, "/forgot-password")  # a valid token of this very session
    before = len(await server.store.list_users())
    audit_before = await server.store.list_audit()
    for route in admin_pages.routes:
        path = re.sub(r"\{\w+\}", "1", route.path).replace("/menu/1", "/menu/mentee")
        if route.method == "GET":
            response = await client.get(path, allow_redirects=False)
        else:
            response = await client.http.post(
                path,
                data={
                    "csrf_token": token,
                    "email": "z@example.org",
                    "name": "Z",
                    "role": "mentor",
                    "action": "disable",
                    "mentor_id": "2",
                    "mentee_id": "5",
                    "body": "x",
                },
            )
        assert response.status == 403, (route.method, path)
        assert "Not allowed" in await response.text()
    assert len(await server.store.list_users()) == before
    assert await server.store.list_audit() == audit_before


async def test_forms_without_the_csrf_token_or_from_other_sites_are_refused(server):
    coordinator = await server.client("coordinator")
    fields = {"email": "z@example.org", "name": "Z", "role": "mentor"}
    missing = await coordinator.http.post("/admin/users", data=fields)
    assert missing.status == 403 and "form has expired" in await missing.text()
    wrong = await coordinator.http.post("/admin/users", data={**fields, "csrf_token": "0" * 64})
    assert wrong.status == 403
    token = await _csrf(coordinator)
    foreign = await coordinator.http.post(
        "/admin/users",
        data={**fields, "csrf_token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403
    assert await server.store.load_user_by_email("z@example.org") is None


async def test_a_coordinator_runs_the_programme_with_forms(mail_server, smtp):
    server = mail_server
    coordinator = await server.client("coordinator")
    token = await _csrf(coordinator)

    created = await coordinator.http.post(
        "/admin/users",
        allow_redirects=False,
        data={
            "csrf_token": token,
            "email": "ida@example.org",
            "name": "Ida Lund",
            "role": "mentee",
            "expertise": "Human resources",
        },
    )
    assert (
        created.status == 303
        and created.headers["Location"] == "/admin/users?notice=created-mentee"
    )
    page = await (await coordinator.get(created.headers["Location"])).text()
    assert "The mentee account was created and the invitation is on its way" in page
    assert "Ida Lund" in page
    ida = await server.store.load_user_by_email("ida@example.org")

    bad = await coordinator.http.post(
        "/admin/users", data={"csrf_token": token, "email": "nope", "name": "X", "role": "mentee"}
    )
    assert bad.status == 400 and "valid e-mail address" in await bad.text()

    suggestions = await (await coordinator.get(f"/admin/pairs?mentee_id={ida.id}")).text()
    assert "Same field of expertise (Human resources)" in suggestions
    grete = await server.store.load_user_by_email(email("mentor2"))
    paired = await coordinator.http.post(
        "/admin/pairs",
        allow_redirects=False,
        data={"csrf_token": token, "mentor_id": str(grete.id), "mentee_id": str(ida.id)},
    )
    assert paired.status == 303
    pair = await server.store.load_active_pair_of_mentee(ida.id)
    asked = await coordinator.http.post(f"/admin/pairs/{pair.id}/end", data={"csrf_token": token})
    assert asked.status == 200 and "End the pair of Grete Holm and Ida Lund?" in await asked.text()
    assert not (await server.store.load_channel(pair.channel_id)).archived  # asked, not ended
    ended = await coordinator.http.post(
        f"/admin/pairs/{pair.id}/end",
        data={"csrf_token": token, "confirmed": "yes"},
        allow_redirects=False,
    )
    assert ended.status == 303
    assert (await server.store.load_channel(pair.channel_id)).archived

    saved = await coordinator.http.post(
        "/admin/menu/mentor",
        allow_redirects=False,
        data={
            "csrf_token": token,
            "item_0": "home",
            "label_0": "Start",
            "visible_0": "1",
            "position_0": "2",
            "item_1": "pair",
            "label_1": "My mentee",
            "visible_1": "1",
            "position_1": "1",
            "item_2": "link",
            "label_2": "Video call",
            "url_2": "https://meet.example.org/x",
            "visible_2": "1",
            "position_2": "3",
        },
    )
    assert saved.status == 303
    mentor = await server.client("mentor1")
    labels = [i["label"] for i in (await (await mentor.get("/api/v1/menu")).json())["items"]]
    assert labels == ["My mentee", "Start", "Video call"]

    audit = await (await coordinator.get("/admin/audit")).text()
    for line in [
        "Created mentee Ida Lund",
        "Paired mentor Grete Holm with mentee Ida Lund",
        "Ended the pair of Grete Holm and Ida Lund",
        "Changed the menu for mentors to: My mentee, Start, Video call.",
    ]:
        assert line in audit


async def test_the_invitation_link_page_sets_the_password_and_logs_in(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    await coordinator.post(
        "/api/v1/users", {"email": "ole@example.org", "name": "Ole Sand", "role": "mentor"}
    )
    mail = await smtp.wait_for("ole@example.org")
    ole = await mail_server.client()
    page = await ole.get(mail.link().replace(mail_server.url, ""))
    html = await page.text()
    assert page.status == 200 and "Welcome, Ole" in html and "ole@example.org" in html
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html).group(1)
    path = f"/password/{mail.token()}"

    mismatch = await ole.http.post(
        path, data={"csrf_token": token, "password": "one long password", "password_again": "x"}
    )
    assert mismatch.status == 400 and "not the same" in (again := await mismatch.text())
    assert "Your password is not saved yet." in again and "Welcome, Ole" in again
    done = await ole.http.post(
        path,
        allow_redirects=False,
        data={
            "csrf_token": token,
            "password": "one long password",
            "password_again": "one long password",
        },
    )
    assert done.status == 303
    assert (await (await ole.get("/api/v1/me")).json())["user"]["name"] == "Ole Sand"
    used = await (await mail_server.client()).get(path)
    assert used.status == 400 and "already been used" in await used.text()


async def test_the_forgot_password_page_answers_the_same_for_everyone(mail_server, smtp):
    answers = []
    for address in [email("mentor1"), "nobody@example.org"]:
        client = await mail_server.client()
        token = await _csrf(client, "/forgot-password")
        response = await client.http.post(
            "/forgot-password", data={"csrf_token": token, "email": address}
        )
        assert response.status == 200
        answers.append(re.sub(r'value="[0-9a-f]+"', "", await response.text()))
    assert answers[0] == answers[1]
    await smtp.wait_for(email("mentor1"))


async def test_no_role_is_chosen_for_a_new_person_and_a_coordinator_is_confirmed_first(server):
    coordinator = await server.client("coordinator")
    token = await _csrf(coordinator)
    person = {"csrf_token": token, "email": "new@example.org", "name": "Nina Holm"}

    form = await (await coordinator.get("/admin/users")).text()
    assert '<option value="" disabled selected>Choose a role</option>' in form
    unchosen = await coordinator.http.post("/admin/users", data=person)
    assert unchosen.status == 400 and "Choose a role for them" in await unchosen.text()
    assert await server.store.load_user_by_email("new@example.org") is None

    # A coordinator: first a page that says what a coordinator can do; nothing is made yet.
    asked = await coordinator.http.post("/admin/users", data={**person, "role": "coordinator"})
    page = await asked.text()
    assert asked.status == 200 and "Make Nina Holm a coordinator?" in page
    assert "never reads what a pair writes" in page
    assert await server.store.load_user_by_email("new@example.org") is None
    confirmed = await coordinator.http.post(
        "/admin/users",
        data={**person, "role": "coordinator", "confirmed": "yes"},
        allow_redirects=False,
    )
    assert confirmed.headers["Location"] == "/admin/users?notice=created-coordinator"
    assert (await server.store.load_user_by_email("new@example.org")).role == "coordinator"

    # A role change to coordinator is asked the same way.
    ida = await server.store.load_user_by_email(email("mentee3"))
    change = {"csrf_token": token, "action": "role", "role": "coordinator"}
    asked = await coordinator.http.post(f"/admin/users/{ida.id}", data=change)
    assert asked.status == 200 and f"Make {ida.name} a coordinator?" in await asked.text()
    assert (await server.store.load_user(ida.id)).role == "mentee"


async def test_an_ended_pair_can_be_reopened_for_a_week(mail_server, clock):
    server = mail_server
    coordinator = await server.client("coordinator")
    token = await _csrf(coordinator)
    channel = await server.pair_channel_id(1)
    pair = await server.store.load_pair_by_channel(channel)
    mentee = await server.client("mentee1")
    watching = await mentee.socket()

    async def reopen():
        return await coordinator.http.post(
            f"/admin/pairs/{pair.id}/reopen", data={"csrf_token": token}, allow_redirects=False
        )

    assert (await reopen()).status == 409  # not ended
    assert (await coordinator.delete(f"/api/v1/pairs/{pair.id}")).status == 200
    assert (
        f'action="/admin/pairs/{pair.id}/reopen"'
        in await (await coordinator.get("/admin/pairs")).text()
    )
    clock.advance(days=6)
    reopened = await reopen()
    assert reopened.headers["Location"] == "/admin/pairs?notice=reopened"
    assert not (await server.store.load_channel(channel)).archived
    assert (await server.store.load_pair(pair.id)).ended_at is None
    told = await watching.wait_for("message", lambda m: "open again" in m["body"])
    assert told["kind"] == "system"
    sent = await mentee.post(f"/api/v1/channels/{channel}/messages", {"body": "We are back"})
    assert sent.status == 201
    assert (await server.store.list_audit(action="pair.reopened"))[0].target_id == pair.id

    # Ended again, and more than a week ago: pair them again instead.
    assert (await coordinator.delete(f"/api/v1/pairs/{pair.id}")).status == 200
    clock.advance(days=8)
    assert (
        f'action="/admin/pairs/{pair.id}/reopen"'
        not in await (await coordinator.get("/admin/pairs")).text()
    )
    late = await reopen()
    assert late.status == 409 and "within 7 days" in await late.text()
    assert (await server.store.load_channel(channel)).archived


async def _glance(coordinator) -> dict[str, tuple[str, int]]:
    """The home page's figures: label -> (where it links, the number)."""
    html = await (await coordinator.get("/admin")).text()
    found = re.findall(
        r'<a href="([^"]+)"><span class="glance-figure">(\d+)</span>'
        r' <span class="glance-label">([^<]+)</span></a>',
        html,
    )
    return {label: (href.replace("&amp;", "&"), int(n)) for href, n, label in found}


async def test_the_home_page_shows_the_programme_at_a_glance_and_follows_it(mail_server, clock):
    server, store = mail_server, mail_server.store
    coordinator = await server.client("coordinator")
    figures = await _glance(coordinator)
    assert figures["mentors"] == ("/admin/users?role=mentor", 3)
    assert figures["mentees"] == ("/admin/users?role=mentee", 3)
    assert figures["coordinator"] == ("/admin/users?role=coordinator", 1)
    assert figures["active pairs"] == ("/admin/pairs", 3)
    assert figures["pairs quiet for two weeks"] == ("/admin/pairs?show=quiet", 0)
    assert figures["posted tasks overdue"] == ("/admin/tasks", 0)
    assert figures["posted tasks due within 7 days"] == ("/admin/tasks", 0)
    assert figures["e-mails could not be sent"] == ("/admin/mail?show=failed", 0)

    # People: a new mentee counts (as invited); a disabled mentor no longer does.
    new = {"email": "nina@example.org", "name": "Nina Holm", "role": "mentee"}
    assert (await coordinator.post("/api/v1/users", new)).status == 201
    mentor3 = await server.user("mentor3")
    disabled = await coordinator.patch(f"/api/v1/users/{mentor3.id}", {"disabled": True})
    assert disabled.status == 200
    figures = await _glance(coordinator)
    assert figures["mentees"][1] == 4 and figures["mentors"][1] == 2
    assert "1 of them invited, no password yet" in await (await coordinator.get("/admin")).text()

    # Tasks: posted to every pair, due in three days; then overdue; one done, one pair ended.
    task = await create_task(coordinator, due_days=3)
    await post_now(coordinator, task, {"all": True})
    figures = await _glance(coordinator)
    assert (
        figures["posted tasks due within 7 days"][1] == 3
        and figures["posted tasks overdue"][1] == 0
    )
    clock.advance(days=4)
    figures = await _glance(coordinator)
    assert (
        figures["posted tasks due within 7 days"][1] == 0
        and figures["posted tasks overdue"][1] == 3
    )
    mentee1 = await server.client("mentee1")
    [card] = await task_messages(mentee1, await server.pair_channel_id(1))
    done = await (await mentee1.socket()).call(
        "task:complete", {"message_id": card["id"], "done": True}
    )
    assert done["ok"]
    assert (await coordinator.delete(f"/api/v1/pairs/{await pair_id(server, 3)}")).status == 200
    figures = await _glance(coordinator)
    assert figures["posted task overdue"] == ("/admin/tasks", 1) and figures["active pairs"][1] == 2

    # Quiet pairs: two weeks with nobody writing, then one of them writes.
    assert figures["pairs quiet for two weeks"][1] == 0
    clock.advance(days=15)
    figures = await _glance(coordinator)
    assert figures["pairs quiet for two weeks"] == ("/admin/pairs?show=quiet", 2)
    quiet = await (await coordinator.get("/admin/pairs?show=quiet")).text()
    assert "Maria Jensen" in quiet and "Grete Holm" in quiet
    mentor1 = await server.client("mentor1")
    sent = await mentor1.post(
        f"/api/v1/channels/{await server.pair_channel_id(1)}/messages", {"body": "How are you?"}
    )
    assert sent.status == 201
    figures = await _glance(coordinator)
    assert figures["pair quiet for two weeks"] == ("/admin/pairs?show=quiet", 1)
    quiet = await (await coordinator.get("/admin/pairs?show=quiet")).text()
    assert "Maria Jensen" not in quiet.split("<h2")[0] and "Grete Holm" in quiet

    # Mail: a mail given up on counts as a failure.
    async def give_up(tx):
        await tx.enqueue_mail([("gone@example.org", "Hello", "Hi")], now="2026-01-01T00:00:00")
        [mail] = await tx.list_mail(limit=1)
        await tx.mark_mail_failed(mail.id, error="550 no user", now="2026-01-01", retry_at=None)

    await store.write(give_up)
    figures = await _glance(coordinator)
    assert figures["e-mail could not be sent"] == ("/admin/mail?show=failed", 1)


async def test_the_tasks_figures_count_posted_tasks_as_their_label_says(mail_server, clock):
    """'Posted tasks overdue / due within 7 days': one per pair's copy, not done, in pairs
    still going; a task scheduled for later is not counted until it is posted."""
    server = mail_server
    coordinator = await server.client("coordinator")
    task = await create_task(coordinator, due_days=2)
    tomorrow = (clock.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    schedule = await coordinator.post(
        f"/api/v1/tasks/{task}/schedules", {"at": tomorrow, "all": True}
    )
    assert schedule.status == 201, await schedule.text()
    figures = await _glance(coordinator)
    assert figures["posted tasks due within 7 days"] == ("/admin/tasks", 0)
    assert figures["posted tasks overdue"] == ("/admin/tasks", 0)
    home = await (await coordinator.get("/admin")).text()
    assert "Posted tasks not done yet" in home
    assert "a task posted to three pairs counts three times" in home
    assert "Scheduled tasks count once they are posted." in home

    clock.advance(days=1, minutes=5)
    await scheduler(server).run_once()
    assert (
        len(await task_messages(await server.client("mentee1"), await server.pair_channel_id(1)))
        == 1
    )
    figures = await _glance(coordinator)
    assert figures["posted tasks due within 7 days"] == ("/admin/tasks", 3)  # one per pair
    clock.advance(days=3)
    figures = await _glance(coordinator)
    assert figures["posted tasks overdue"][1] == 3
    assert figures["posted tasks due within 7 days"][1] == 0


async def test_the_mail_failures_figure_opens_the_mail_page_showing_only_them(data_dir, clock):
    """The home page's 'e-mails could not be sent' links to the outbox filtered to the mail
    given up on.  Neither list shows a word of the pair message an away mail was about."""
    smtp = await SmtpServer(refused={email("mentee1")}).start()
    config = {**smtp.config(), **DAYS_AWAKE}
    try:
        async with running_server(data_dir, clock=clock, config_changes=config) as server:
            store = server.store
            coordinator = await server.client("coordinator")
            # Nothing given up on yet: the filtered page says so and links back to all mail.
            empty = await (await coordinator.get("/admin/mail?show=failed")).text()
            assert "none was given up" in empty and 'href="/admin/mail">Show all mail' in empty

            maria, sara = await server.client("mentor1"), await server.client("mentee1")
            await start_clean(sara)
            secret = marker()
            await (await maria.socket()).send(
                await server.pair_channel_id(1), f"{secret} Thursday?"
            )
            clock.advance(minutes=11)
            assert await server.app[keys.AWAY_MAILER].run_once() == 1  # to Sara, refused (550)
            nina = {"email": "nina@example.org", "name": "Nina Holm", "role": "mentee"}
            assert (await coordinator.post("/api/v1/users", nina)).status == 201
            await smtp.wait_for("nina@example.org")

            async def given_up() -> bool:
                return (await store.count_mail())["failed"] == 1

            await eventually(given_up)
            assert (await _glance(coordinator))["e-mail could not be sent"] == (
                "/admin/mail?show=failed",
                1,
            )
            everything = await (await coordinator.get("/admin/mail")).text()
            failed = await (await coordinator.get("/admin/mail?show=failed")).text()
            assert "nina@example.org" in everything and email("mentee1") in everything
            assert email("mentee1") in failed and "nina@example.org" not in failed
            assert "<h1>Mail that could not be sent</h1>" in failed and "550" in failed
            assert 'href="/admin/mail?show=failed" aria-current="page"' in failed
            for page in (everything, failed, await (await coordinator.get("/admin")).text()):
                assert secret not in page

            wrong = await coordinator.get("/admin/mail?show=everything")
            assert wrong.status == 400 and "show=failed" in await wrong.text()
    finally:
        await smtp.stop()
