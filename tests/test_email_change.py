"""A person changes their own e-mail address: current password, a single-use link mailed to the
new address (through a real SMTP server), a notice to the old one, every other session ended
and its sockets cut.  Coordinators may set an address only before the account is activated."""

from __future__ import annotations

import asyncio
import re

from .support import email

NEW = "sara.nielsen@example.org"
PASSWORD = "mentorspace-demo"


async def _ask(client, new: str = NEW, current: str = PASSWORD):
    return await client.post("/api/v1/me/email", {"email": new, "current": current})


async def _status_of(client) -> int:
    return (await client.get("/api/v1/me")).status


async def test_the_address_changes_only_when_the_link_is_opened(mail_server, smtp, clock):
    laptop = await mail_server.client("mentee1")
    phone = await mail_server.client("mentee1")
    phone_socket = await phone.socket()

    wrong = await _ask(laptop, current="not my password")
    assert wrong.status == 400 and (await wrong.json())["error"]["code"] == "invalid"
    same = await _ask(laptop, new=email("mentee1"))
    assert same.status == 400
    asked = await _ask(laptop, new="Sara.Nielsen@Example.org ")
    assert asked.status == 202, await asked.text()
    assert (await asked.json())["email"] == NEW

    link_mail = await smtp.wait_for(NEW)
    assert link_mail.message["Subject"] == "Confirm your new e-mail address for Mentorspace"
    token = link_mail.token()
    # Nothing changed yet: the old address still logs in, the sessions still work.
    assert (await (await laptop.get("/api/v1/me")).json())["user"]["email"] == email("mentee1")
    assert await _status_of(phone) == 200
    page = await (await (await mail_server.client()).get(f"/password/{token}")).text()
    assert NEW in page and 'action="/email-confirmation"' in page and token in page
    info = await (await mail_server.client()).get(f"/api/v1/password-links/{token}")
    assert (await info.json())["purpose"] == "email"
    assert (await info.json())["new_email"] == NEW
    # The link cannot choose a password.
    stranger = await mail_server.client()
    hijack = await stranger.post("/api/v1/password", {"token": token, "password": "x" * 12})
    assert hijack.status == 404

    confirmed = await laptop.post("/api/v1/email-confirmation", {"token": token})
    assert confirmed.status == 200, await confirmed.text()
    assert (await confirmed.json())["user"]["email"] == NEW

    notice = await smtp.wait_for(email("mentee1"))
    assert notice.message["Subject"] == "Your e-mail address for Mentorspace was changed"
    assert NEW in notice.text and "/password/" not in notice.text
    # The confirming session stays; every other one ends and its socket is hung up.
    assert await _status_of(laptop) == 200
    assert await _status_of(phone) == 401
    await asyncio.wait_for(phone_socket.sio.wait(), 5)
    assert not phone_socket.sio.connected

    again = await (await mail_server.client()).post("/api/v1/email-confirmation", {"token": token})
    assert again.status == 400 and "already been used" in (await again.json())["error"]["message"]
    old = await (await mail_server.client()).post(
        "/api/v1/session", {"email": email("mentee1"), "password": PASSWORD}
    )
    assert old.status == 401
    new = await (await mail_server.client()).post(
        "/api/v1/session", {"email": NEW, "password": PASSWORD}
    )
    assert new.status == 200
    audit = await (await (await mail_server.client("coordinator")).get("/api/v1/audit")).json()
    assert audit["entries"][0]["action"] == "user.email_changed"


async def test_confirming_without_a_session_ends_every_session_and_old_links(
    mail_server, smtp, clock
):
    mentee = await mail_server.client("mentee1")
    reset = await (await mail_server.client()).post(
        "/api/v1/password-reset", {"email": email("mentee1")}
    )
    assert reset.status == 202
    reset_token = (await smtp.wait_for(email("mentee1"))).token()
    assert (await _ask(mentee)).status == 202
    token = (await smtp.wait_for(NEW)).token()

    anonymous = await mail_server.client()
    # A reset link is no e-mail confirmation.
    wrong_kind = await anonymous.post("/api/v1/email-confirmation", {"token": reset_token})
    assert wrong_kind.status == 404
    assert (await anonymous.post("/api/v1/email-confirmation", {"token": token})).status == 200
    assert await _status_of(mentee) == 401
    # The reset link went to the old address: it stops working.
    late = await anonymous.post("/api/v1/password", {"token": reset_token, "password": "z" * 12})
    assert late.status == 400


async def test_a_link_expires_and_a_newer_one_replaces_it(mail_server, smtp, clock):
    mentee = await mail_server.client("mentee1")
    assert (await _ask(mentee)).status == 202
    first = (await smtp.wait_for(NEW)).token()
    assert (await _ask(mentee)).status == 202
    second = (await smtp.wait_for(NEW, count=2)).token()
    anyone = await mail_server.client()
    replaced = await anyone.post("/api/v1/email-confirmation", {"token": first})
    assert replaced.status == 400
    clock.advance(hours=24, seconds=1)
    expired = await anyone.post("/api/v1/email-confirmation", {"token": second})
    assert expired.status == 400 and "expired" in (await expired.json())["error"]["message"]
    assert (await (await mentee.get("/api/v1/me")).json())["user"]["email"] == email("mentee1")


async def test_an_address_taken_meanwhile_is_refused_and_requests_are_limited(mail_server, smtp):
    mentee = await mail_server.client("mentee1")
    coordinator = await mail_server.client("coordinator")
    # Asking for an address another account has answers the same (it tells nothing) ...
    assert (await _ask(mentee, new=email("mentor2"))).status == 202
    token = (await smtp.wait_for(email("mentor2"))).token()
    taken = await (await mail_server.client()).post("/api/v1/email-confirmation", {"token": token})
    assert taken.status == 409  # ... and the link cannot take it
    users = await (await coordinator.get("/api/v1/users")).json()
    assert sorted(u["email"] for u in users["users"]).count(email("mentor2")) == 1

    for _ in range(3):
        assert (await _ask(mentee, current="a wrong guess")).status == 400
    assert (await _ask(mentee)).status == 202
    limited = await _ask(mentee)
    assert limited.status == 429 and limited.headers["Retry-After"] == "900"


async def test_the_profile_page_asks_and_the_link_page_confirms(mail_server, smtp):
    mentee = await mail_server.client("mentee1")
    other = await mail_server.client("mentee1")
    profile = await (await mentee.get("/profile")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', profile).group(1)
    assert 'action="/profile/email"' in profile

    wrong = await mentee.http.post(
        "/profile/email",
        data={"csrf_token": csrf, "email": NEW, "current_password": "nope nope nope"},
    )
    assert wrong.status == 400 and "current password is not right" in await wrong.text()
    sent = await mentee.http.post(
        "/profile/email",
        data={"csrf_token": csrf, "email": NEW, "current_password": PASSWORD},
        allow_redirects=False,
    )
    assert sent.status == 303 and sent.headers["Location"] == "/profile?saved=email"
    token = (await smtp.wait_for(NEW)).token()

    page = await (await mentee.get(f"/password/{token}")).text()
    page_csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    done = await mentee.http.post(
        "/email-confirmation", data={"csrf_token": page_csrf, "token": token}
    )
    assert done.status == 200 and f"your e-mail address is now {NEW}" in await done.text()
    assert await _status_of(mentee) == 200
    assert await _status_of(other) == 401
    used = await mentee.http.post(
        "/email-confirmation", data={"csrf_token": page_csrf, "token": token}
    )
    assert used.status == 400 and "already been used" in await used.text()


async def test_coordinators_set_an_address_only_before_the_account_is_activated(mail_server, smtp):
    coordinator = await mail_server.client("coordinator")
    store = mail_server.store
    mentee = await store.load_user_by_email(email("mentee1"))
    refused = await coordinator.patch(
        f"/api/v1/users/{mentee.id}", {"email": "mine@coordinator.example", "name": "Renamed"}
    )
    assert refused.status == 403
    assert (await refused.json())["error"]["code"] == "forbidden"
    assert await store.load_user(mentee.id) == mentee  # nothing changed, not even the name

    created = await coordinator.post(
        "/api/v1/users", {"email": "nora@exmple.org", "name": "Nora Holm", "role": "mentee"}
    )
    nora = (await created.json())["user"]
    typo_link = (await smtp.wait_for("nora@exmple.org")).token()
    fixed = await coordinator.patch(f"/api/v1/users/{nora['id']}", {"email": "nora@example.org"})
    assert fixed.status == 200 and (await fixed.json())["user"]["email"] == "nora@example.org"
    link = (await smtp.wait_for("nora@example.org")).token()
    stale = await (await mail_server.client()).post(
        "/api/v1/password", {"token": typo_link, "password": "a good long password"}
    )
    assert stale.status == 400  # the invitation to the wrong address stopped working
    accepted = await (await mail_server.client()).post(
        "/api/v1/password", {"token": link, "password": "a good long password"}
    )
    assert accepted.status == 200
    after = await coordinator.patch(f"/api/v1/users/{nora['id']}", {"email": "x@example.org"})
    assert after.status == 403

    page = await (await coordinator.get("/admin/users")).text()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    form = await coordinator.http.post(
        f"/admin/users/{mentee.id}",
        data={"csrf_token": csrf, "action": "email", "email": "mine@coordinator.example"},
    )
    assert form.status == 403 and "only they can change" in await form.text()
    assert await store.load_user(mentee.id) == mentee
