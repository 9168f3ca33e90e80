"""Accounts: creating people with an invitation, the password links (single use, expiry,
wrong token) through a real SMTP server, forgot password, roles, disabling."""

from __future__ import annotations

import asyncio

from .support import email

NEW = {"email": "Nora@Example.org", "name": "Nora Holm", "role": "mentee", "expertise": "Finance"}
PASSWORD = "a long new password"


async def _create(coordinator, **changes):
    response = await coordinator.post("/api/v1/users", {**NEW, **changes})
    assert response.status == 201, await response.text()
    return (await response.json())["user"]


async def test_a_new_person_gets_a_single_use_link_to_choose_a_password(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    user = await _create(coordinator)
    assert user["email"] == "nora@example.org" and user["invited"] is True

    mail = await smtp.wait_for("nora@example.org")
    assert mail.message["Subject"] == "Your invitation to Mentorspace"
    assert mail.message["To"] == "Nora Holm <nora@example.org>"
    assert mail.link().startswith(mail_server.url + "/password/")
    assert mail.link() in mail.html  # both parts carry the link

    nora = await mail_server.client()
    check = await nora.get(f"/api/v1/password-links/{mail.token()}")
    assert (await check.json())["purpose"] == "invitation"
    response = await nora.post("/api/v1/password", {"token": mail.token(), "password": PASSWORD})
    assert response.status == 200, await response.text()
    me = await nora.get("/api/v1/me")
    assert (await me.json())["user"]["email"] == "nora@example.org"

    again = await (await mail_server.client()).post(
        "/api/v1/password", {"token": mail.token(), "password": "another password!"}
    )
    assert again.status == 400
    assert "already been used" in (await again.json())["error"]["message"]
    login = await (await mail_server.client()).post(
        "/api/v1/session", {"email": "nora@example.org", "password": PASSWORD}
    )
    assert login.status == 200


async def test_a_wrong_token_is_refused_and_a_short_password_spends_nothing(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    await _create(coordinator)
    mail = await smtp.wait_for("nora@example.org")
    anyone = await mail_server.client()

    for token in ["not-a-real-token", mail.token()[:-2] + "xx"]:
        response = await anyone.post("/api/v1/password", {"token": token, "password": PASSWORD})
        assert response.status == 404, token
        assert (await response.json())["error"]["code"] == "not_found"

    short = await anyone.post("/api/v1/password", {"token": mail.token(), "password": "short"})
    assert short.status == 400 and "at least 10" in (await short.json())["error"]["message"]
    ok = await anyone.post("/api/v1/password", {"token": mail.token(), "password": PASSWORD})
    assert ok.status == 200


async def test_an_invitation_expires_after_seven_days_and_can_be_resent(mail_server, smtp, clock):
    coordinator = await mail_server.client("coordinator")
    user = await _create(coordinator)
    first = await smtp.wait_for("nora@example.org")

    clock.advance(days=7, minutes=1)
    anyone = await mail_server.client()
    expired = await anyone.post("/api/v1/password", {"token": first.token(), "password": PASSWORD})
    assert expired.status == 400
    assert "expired" in (await expired.json())["error"]["message"]

    resent = await coordinator.post(f"/api/v1/users/{user['id']}/invitation")
    assert resent.status == 201
    second = await smtp.wait_for("nora@example.org", count=2)
    assert second.token() != first.token()
    ok = await anyone.post("/api/v1/password", {"token": second.token(), "password": PASSWORD})
    assert ok.status == 200

    # Once the password is chosen, there is nothing to resend.
    again = await coordinator.post(f"/api/v1/users/{user['id']}/invitation")
    assert again.status == 409


async def test_resending_an_invitation_retires_the_earlier_link(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    user = await _create(coordinator)
    first = await smtp.wait_for("nora@example.org")
    await coordinator.post(f"/api/v1/users/{user['id']}/invitation")
    second = await smtp.wait_for("nora@example.org", count=2)
    anyone = await mail_server.client()
    old = await anyone.post("/api/v1/password", {"token": first.token(), "password": PASSWORD})
    assert old.status == 400
    new = await anyone.post("/api/v1/password", {"token": second.token(), "password": PASSWORD})
    assert new.status == 200


async def test_forgot_password_never_tells_whether_an_address_has_an_account(mail_server, smtp):
    anyone = await mail_server.client()
    coordinator = await mail_server.client("coordinator")
    await coordinator.patch(
        f"/api/v1/users/{(await mail_server.store.load_user_by_email(email('mentee3'))).id}",
        {"disabled": True},
    )
    answers = []
    for address in [email("mentee1"), "nobody@example.org", email("mentee3")]:
        response = await anyone.post("/api/v1/password-reset", {"email": address})
        answers.append((response.status, await response.json()))
    assert answers[0] == answers[1] == answers[2]
    assert answers[0][0] == 202

    mail = await smtp.wait_for(email("mentee1"))
    assert "new password" in mail.message["Subject"]
    # Barrier: the outbox sends in order, so once a later probe arrives nothing else is coming.
    await anyone.post("/api/v1/password-reset", {"email": email("mentee2")})
    await smtp.wait_for(email("mentee2"))
    assert smtp.to("nobody@example.org") == [] and smtp.to(email("mentee3")) == []

    bad = await anyone.post("/api/v1/password-reset", {"email": "not an address"})
    assert bad.status == 400


async def test_a_reset_link_works_once_ends_old_sessions_and_expires(mail_server, smtp, clock):
    old_session = await mail_server.client("mentee1")
    sock = await old_session.socket()
    anyone = await mail_server.client()
    await anyone.post("/api/v1/password-reset", {"email": email("mentee1")})
    mail = await smtp.wait_for(email("mentee1"))

    response = await anyone.post("/api/v1/password", {"token": mail.token(), "password": PASSWORD})
    assert response.status == 200
    assert (await old_session.get("/api/v1/me")).status == 401
    await sock.wait_for("session:ended")
    again = await anyone.post("/api/v1/password", {"token": mail.token(), "password": PASSWORD})
    assert again.status == 400

    await anyone.post("/api/v1/password-reset", {"email": email("mentee1")})
    late = await smtp.wait_for(email("mentee1"), count=2)
    clock.advance(hours=2, seconds=1)
    expired = await anyone.post("/api/v1/password", {"token": late.token(), "password": PASSWORD})
    assert expired.status == 400 and "expired" in (await expired.json())["error"]["message"]


async def test_a_name_with_line_breaks_cannot_add_mail_headers(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    await _create(coordinator, name="Eve\r\nBcc: spy@evil.example\r\nX-Evil: yes")
    mail = await smtp.wait_for("nora@example.org")
    assert mail.recipients == ["nora@example.org"]
    assert mail.message["Bcc"] is None and mail.message["X-Evil"] is None
    assert mail.message["To"] == '"Eve Bcc: spy@evil.example X-Evil: yes" <nora@example.org>'


async def test_creating_refuses_bad_input_and_duplicates_changing_nothing(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    before = len(await mail_server.store.list_users())
    for payload, status in [
        ({**NEW, "email": "not-an-address"}, 400),
        ({**NEW, "role": "admin"}, 400),
        ({**NEW, "name": "  "}, 400),
        ({**NEW, "email": email("mentor1")}, 409),
    ]:
        response = await coordinator.post("/api/v1/users", payload)
        assert response.status == status, payload
    assert len(await mail_server.store.list_users()) == before
    assert (await mail_server.store.count_mail())["pending"] == 0
    assert smtp.mails == []


async def test_disabling_disconnects_within_a_second_and_the_cookie_stops_working(mail_server):
    coordinator = await mail_server.client("coordinator")
    mentee = await mail_server.client("mentee1")
    sock = await mentee.socket()
    user_id = mentee.user["id"]

    gone = asyncio.Event()
    sock.sio.on("disconnect", lambda *reason: gone.set())
    response = await coordinator.patch(f"/api/v1/users/{user_id}", {"disabled": True})
    assert response.status == 200 and (await response.json())["user"]["disabled"] is True
    await asyncio.wait_for(gone.wait(), 1.0)  # fails if still connected a second later
    assert not sock.sio.connected
    assert sock.received("session:ended")

    assert (await mentee.get("/api/v1/me")).status == 401
    assert (await mentee.get("/api/v1/channels")).status == 401
    relogin = await (await mail_server.client()).post(
        "/api/v1/session", {"email": email("mentee1"), "password": "mentorspace-demo"}
    )
    assert relogin.status == 401 and "disabled" in (await relogin.json())["error"]["message"]

    await coordinator.patch(f"/api/v1/users/{user_id}", {"disabled": False})
    back = await mail_server.client("mentee1")
    assert (await back.get("/api/v1/me")).status == 200


async def test_role_changes_are_checked(mail_server):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    me = coordinator.user["id"]
    mentor1 = (await store.load_user_by_email(email("mentor1"))).id

    refused = await coordinator.patch(f"/api/v1/users/{me}", {"disabled": True})
    assert refused.status == 400
    paired = await coordinator.patch(f"/api/v1/users/{mentor1}", {"role": "mentee"})
    assert paired.status == 409 and "active pair" in (await paired.json())["error"]["message"]
    unknown = await coordinator.patch(f"/api/v1/users/{mentor1}", {"password": "x"})
    assert unknown.status == 400
    assert (await store.load_user(mentor1)).role == "mentor"

    new = await _create(coordinator)
    changed = await coordinator.patch(
        f"/api/v1/users/{new['id']}", {"role": "mentor", "expertise": "Law"}
    )
    assert (await changed.json())["user"] | {"role": "mentor", "expertise": "Law"} == (
        await changed.json()
    )["user"]
    actions = [e.action for e in await store.list_audit()]
    assert actions[:3] == ["user.role_changed", "user.profile_changed", "user.created"]
