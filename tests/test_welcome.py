"""The first-login welcome (issue 13): mentors and mentees read what their pair channel is,
the lounge, and where help is, once; then the research question."""

from __future__ import annotations

import html
import sqlite3

import storage

from .goal_support import form
from .migration_support import seed_on_older_schema
from .questionnaire_support import rows

WELCOME = "Welcome! Three things to know"
QUESTION = "may the research count your use?"


async def test_the_welcome_explains_the_pair_channel_once_then_the_research_is_asked(server):
    sara, carla = await server.client("mentee1"), await server.client("coordinator")
    pair, lounge = await server.pair_channel_id(1), await server.channel_id("mentee_lounge")
    home = html.unescape(await (await sara.get("/")).text())
    assert WELCOME in home and QUESTION not in home  # one card at a time
    assert f'<a href="/channels/{pair}">Your conversation with Maria Jensen</a>' in home
    assert "Only the two of you can read it: not the coordinators" in home
    assert f'<a href="/channels/{lounge}">The mentee lounge</a>' in home
    assert '<a href="/coordinators">Help</a>' in home
    assert WELCOME not in await (await carla.get("/")).text()  # coordinators set it all up

    # Without the page's token: refused, and the welcome stays.
    forged = await sara.http.post("/welcome", data={}, allow_redirects=False)
    assert forged.status == 403
    assert WELCOME in await (await sara.get("/")).text()

    got_it = await form(sara, "/welcome", {})
    assert got_it.status == 303 and got_it.headers["Location"] == "/"
    home = await (await sara.get("/")).text()
    assert WELCOME not in home and QUESTION in home
    again = await form(sara, "/welcome", {})  # a second "Got it" (another tab) changes nothing
    assert again.status == 303
    assert rows(server, "SELECT count(*) FROM welcomes") == [(1,)]
    # Only hers: her mentor is still welcomed.
    maria = await server.client("mentor1")
    assert WELCOME in await (await maria.get("/")).text()


async def test_people_who_had_written_before_the_welcome_existed_are_not_welcomed(
    tmp_path, monkeypatch
):
    # Before 0018, with the later ones today's seeding code needs (0021: a notice's key beside
    # its words) and that do not touch welcomes; the runner applies any version not recorded.
    data_dir = await seed_on_older_schema(
        tmp_path, monkeypatch, lambda name: name < "0018" or name >= "0021"
    )
    store = await storage.open_store(data_dir)  # applies 0018
    await store.close()
    conn = sqlite3.connect(data_dir / storage.DATABASE_FILE)
    try:
        wrote = {row[0] for row in conn.execute("SELECT author_id FROM messages")} - {None}
        everyone = {row[0] for row in conn.execute("SELECT id FROM users")}
        welcomed = {row[0] for row in conn.execute("SELECT user_id FROM welcomes")}
    finally:
        conn.close()
    assert wrote and wrote < everyone  # some demo people have written, some not yet
    assert welcomed == wrote
