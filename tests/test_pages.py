"""The pages over plain HTTP: what works without JavaScript (reading, posting, logging in, the
profile), the CSRF and security headers, and the profile JSON API."""

from __future__ import annotations

import re
import uuid
from html.parser import HTMLParser

import pytest

from server.security import CONTENT_SECURITY_POLICY

from .support import email


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token in the form"
    return match.group(1)


class ScriptAudit(HTMLParser):
    """Collects what a CSP without 'unsafe-inline' would block: inline scripts and handlers."""

    def __init__(self) -> None:
        super().__init__()
        self.inline: list[str] = []
        self._in_inline_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        self.inline += [f"{tag} {name}" for name in names if name.startswith("on")]
        if tag == "script" and "src" not in names and names.get("type") != "application/json":
            self.inline.append("inline <script>")
        if any(name == "style" for name in names):
            self.inline.append(f"{tag} style attribute")
        if any((value or "").strip().lower().startswith("javascript:") for value in names.values()):
            self.inline.append(f"{tag} javascript: URL")


async def logged_in_form_client(server, handle: str):
    """A client that logs in through the login form, as a browser without JavaScript would."""
    client = await server.client()
    page = await (await client.get("/login")).text()
    response = await client.http.post(
        "/login",
        data={"email": email(handle), "password": "mentorspace-demo", "csrf_token": csrf_of(page)},
        allow_redirects=False,
    )
    assert response.status == 303 and response.headers["Location"] == "/"
    return client


async def test_login_form_refuses_a_missing_token_and_explains_a_wrong_password(server):
    client = await server.client()
    response = await client.http.post(
        "/login", data={"email": email("mentee1"), "password": "mentorspace-demo"}
    )
    assert response.status == 403
    assert "This form has expired" in await response.text()

    token = csrf_of(await (await client.get("/login")).text())
    response = await client.http.post(
        "/login", data={"email": email("mentee1"), "password": "wrong", "csrf_token": token}
    )
    assert response.status == 401
    page = await response.text()
    assert "That e-mail address and password do not match." in page
    assert 'value="mentee1@demo.mentorspace"' in page
    assert client.token is None


@pytest.mark.parametrize(
    ("asked", "landed"),
    [("/profile", "/profile"), ("//evil.example/", "/"), ("https://evil.example/", "/")],
)
async def test_login_returns_to_the_page_asked_for_but_never_to_another_site(server, asked, landed):
    client = await server.client()
    token = csrf_of(await (await client.get("/login")).text())
    response = await client.http.post(
        "/login",
        data={
            "email": email("mentee1"),
            "password": "mentorspace-demo",
            "csrf_token": token,
            "next": asked,
        },
        allow_redirects=False,
    )
    assert response.status == 303
    assert response.headers["Location"] == landed


async def test_logout_ends_the_session(server):
    client = await logged_in_form_client(server, "mentee1")
    home = await (await client.get("/")).text()
    response = await client.http.post(
        "/logout", data={"csrf_token": csrf_of(home)}, allow_redirects=False
    )
    assert response.status == 303 and response.headers["Location"] == "/login?bye"
    assert (await client.get("/api/v1/me")).status == 401


async def test_every_page_carries_the_policy_and_no_inline_script(server):
    pair = await server.pair_channel_id(1)
    client = await server.client("mentee1")
    await (await server.client("mentor1")).post(
        f"/api/v1/channels/{pair}/messages",
        {
            "body": "<script>alert(1)</script> <b onmouseover=alert(1)>hi</b> [x](javascript:alert(1))"
        },
    )
    for path in ["/login", "/", f"/channels/{pair}", "/profile", "/channels/999999"]:
        response = await client.get(path)
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, path
        assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Cache-Control"] == "no-store"
        audit = ScriptAudit()
        audit.feed(await response.text())
        assert audit.inline == [], path


async def test_a_channel_reads_and_posts_without_javascript(server):
    pair = await server.pair_channel_id(1)
    mentor = await server.client("mentor1")
    await mentor.post(f"/api/v1/channels/{pair}/messages", {"body": "Read this **without** JS"})
    mentee = await logged_in_form_client(server, "mentee1")

    page = await (await mentee.get(f"/channels/{pair}")).text()
    assert "Read this <strong>without</strong> JS" in page
    assert 'class="unread-divider"' in page
    client_id = str(uuid.uuid4())
    form = {"body": "And I reply with a form", "client_id": client_id, "csrf_token": csrf_of(page)}
    for _ in range(2):  # a double submit of the same form posts once
        response = await mentee.http.post(
            f"/channels/{pair}/messages", data=form, allow_redirects=False
        )
        assert response.status == 303
        assert response.headers["Location"].startswith(f"/channels/{pair}#m-")
    history = await (await mentor.get(f"/api/v1/channels/{pair}/messages")).json()
    assert [m["body"] for m in history["messages"]].count("And I reply with a form") == 1


async def test_a_form_post_reaches_the_channel_live_once(server):
    """The no-JS composer goes through the same apply-and-emit path as the socket and the API:
    the partner's open socket gets the message, and a double submit sends nothing more."""
    pair = await server.pair_channel_id(1)
    mentor = await (await server.client("mentor1")).socket()
    mentee = await logged_in_form_client(server, "mentee1")
    page = await (await mentee.get(f"/channels/{pair}")).text()
    form = {"body": "Posted by a form", "client_id": str(uuid.uuid4()), "csrf_token": csrf_of(page)}
    for _ in range(2):
        response = await mentee.http.post(
            f"/channels/{pair}/messages", data=form, allow_redirects=False
        )
        assert response.status == 303
    await mentor.barrier(pair)
    arrived = [m for m in mentor.received() if m["body"] == "Posted by a form"]
    assert len(arrived) == 1 and arrived[0]["author"]["name"] == "Sara Nielsen"


async def test_older_history_and_threads_have_plain_links(server):
    lounge = await server.channel_id("mentee_lounge")
    mentee = await server.client("mentee1")
    for n in range(55):
        await mentee.post(f"/api/v1/channels/{lounge}/messages", {"body": f"note {n}"})
    page = await (await mentee.get(f"/channels/{lounge}")).text()
    assert "note 54" in page and "note 4<" not in page
    older = re.search(r'href="(/channels/\d+\?before=\d+)"', page)
    assert older, "no link to older messages"
    page = await (await mentee.get(older.group(1))).text()
    assert "note 4<" in page and "note 54" not in page
    assert "Go to the latest messages" in page

    history = await (await mentee.get(f"/api/v1/channels/{lounge}/messages")).json()
    root = history["messages"][-1]["id"]
    await mentee.post(
        f"/api/v1/channels/{lounge}/messages", {"body": "a reply in a thread", "thread_id": root}
    )
    page = await (await mentee.get(f"/channels/{lounge}/threads/{root}")).text()
    assert "a reply in a thread" in page and "1 reply" in page
    assert (await mentee.get(f"/channels/{lounge}/threads/999999")).status == 404


async def test_a_mentee_gets_a_proper_not_found_page_for_the_mentor_lounge(server):
    lounge = await server.channel_id("mentor_lounge")
    mentee = await server.client("mentee1")
    response = await mentee.get(f"/channels/{lounge}")
    assert response.status == 404
    page = await response.text()
    assert "<h1" in page and "Not found" in page
    assert "How do you all prepare" not in page
    home = await (await mentee.get("/")).text()
    assert "Mentor lounge" not in home and "Mentee lounge" in home


async def test_pages_send_a_logged_out_visitor_to_the_login_form(server):
    client = await server.client()
    response = await client.get("/profile", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/login?next=/profile"


async def test_profile_form_saves_and_explains_mistakes(server):
    client = await logged_in_form_client(server, "mentee1")
    page = await (await client.get("/profile")).text()
    form = {
        "csrf_token": csrf_of(page),
        "name": "Sara  Nielsen-Berg",
        "expertise": "Accounting",
        "bio": "Ten years in a bank; now looking for a new start.",
    }
    response = await client.http.post("/profile", data=form, allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/profile?saved=profile"
    me = (await (await client.get("/api/v1/me")).json())["user"]
    assert (me["name"], me["expertise"]) == ("Sara Nielsen-Berg", "Accounting")
    assert "Your profile is saved." in await (await client.get("/profile?saved=profile")).text()

    response = await client.http.post("/profile", data={**form, "name": "  "})
    assert response.status == 400
    assert "Name cannot be empty." in await response.text()


async def test_changing_the_password_can_end_every_other_session(server):
    here = await logged_in_form_client(server, "mentee1")
    elsewhere = await server.client("mentee1")
    page = await (await here.get("/profile")).text()
    change = {
        "csrf_token": csrf_of(page),
        "current_password": "mentorspace-demo",
        "new_password": "a new long password",
        "confirm_password": "a new long passwort",
        "end_other_sessions": "yes",
    }
    response = await here.http.post("/profile/password", data=change)
    assert response.status == 400
    assert "The two new passwords are not the same." in await response.text()
    assert (await elsewhere.get("/api/v1/me")).status == 200

    change["confirm_password"] = "a new long password"
    response = await here.http.post("/profile/password", data=change, allow_redirects=False)
    assert response.headers["Location"] == "/profile?saved=password-ended"
    assert (await here.get("/api/v1/me")).status == 200
    assert (await elsewhere.get("/api/v1/me")).status == 401
    await server.client("mentee1", password="a new long password")


async def test_the_profile_over_the_json_api(server):
    client = await server.client("mentor1")
    response = await client.patch("/api/v1/me", {"bio": "CFO, mentoring since 2019"})
    assert response.status == 200
    user = (await response.json())["user"]
    assert (user["name"], user["bio"]) == ("Maria Jensen", "CFO, mentoring since 2019")
    response = await client.patch("/api/v1/me", {"expertise": "x" * 201})
    assert response.status == 413

    other = await server.client("mentor1")
    response = await client.post(
        "/api/v1/me/password", {"current": "wrong", "new": "another long password"}
    )
    assert response.status == 400
    response = await client.post(
        "/api/v1/me/password",
        {"current": "mentorspace-demo", "new": "another long password", "end_other_sessions": True},
    )
    assert response.status == 200
    assert (await other.get("/api/v1/me")).status == 401
    assert (await client.get("/api/v1/me")).status == 200


async def test_socket_io_client_is_served_from_npm_and_nothing_else_is(server):
    client = await server.client()
    response = await client.get("/static/vendor/socket.io.esm.min.js")
    assert response.status == 200
    assert "javascript" in response.headers["Content-Type"]
    assert "export" in await response.text()
    assert (await client.get("/static/vendor/package.json")).status == 404
    assert (await client.get("/static/vendor/..%2F..%2Fpackage.json")).status == 404
    response = await client.get("/static/js/channel.js")
    assert response.status == 200 and response.headers["Cache-Control"] == "no-cache"


async def test_the_api_document_lists_the_profile_routes(server):
    document = await (await (await server.client()).get("/api/v1/openapi.json")).json()
    assert "patch" in document["paths"]["/api/v1/me"]
    assert "post" in document["paths"]["/api/v1/me/password"]
    for route in server.app.router.routes():
        path = route.resource.canonical if route.resource else ""
        if path.startswith("/api/") and route.method != "HEAD":
            assert route.method.lower() in document["paths"].get(path, {}), (route.method, path)


async def test_the_new_messages_line_is_above_the_first_unread_past_a_page(server):
    """More unread than a page of history: the page loads back to the first of them, and the
    line (drawn without JavaScript too) sits right above it, with the tab's title counting."""
    pair = await server.pair_channel_id(1)
    mentor, mentee = await server.client("mentor1"), await server.client("mentee1")
    await mentor.post(f"/api/v1/channels/{pair}/messages", {"body": "Read already"})
    await mentee.post(f"/api/v1/channels/{pair}/read", {"seq": 10**9})
    for n in range(60):
        await mentor.post(f"/api/v1/channels/{pair}/messages", {"body": f"Unread {n}"})
    page = await (await mentee.get(f"/channels/{pair}")).text()
    assert "<title>(60) Maria Jensen · Mentorspace</title>" in page
    divider = page.index('id="unread-divider"')
    assert page.index("<p>Read already</p>") < divider < page.index("<p>Unread 0</p>")
    assert page.count('id="unread-divider"') == 1
