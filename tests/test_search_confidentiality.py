"""Search is never a way around the policy.  A unique word written in a pair channel (a message
and a thread reply) is found by the two people of that pair and by nobody else: not the other
pairs, not the mentors or mentees of the lounges, never a coordinator, over the API and the
/search page, with or without filters, before and after the pair ends.  A community's words are
found only by its members (and coordinators), and leaving one takes its words out of the very
next search."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from channels.programme.communities import create_community
from channels.search.searching import search
from storage.queries import search as search_queries

ZONE = ZoneInfo("UTC")
MARKER = "zyxwvutmarker"  # a word nobody else writes
OUTSIDERS = ["mentor2", "mentee2", "mentor3", "mentee3", "coordinator"]


async def post(client, channel_id: int, body: str, **extra) -> dict:
    response = await client.post(f"/api/v1/channels/{channel_id}/messages", {"body": body, **extra})
    assert response.status == 201, await response.text()
    return (await response.json())["message"]


async def api_hits(client, q: str, **params) -> list[int]:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    body = await response.json()
    if response.status != 200:
        return []
    return [hit["message_id"] for hit in body["results"]]


async def assert_finds_nothing(client, word: str, channel_id: int) -> None:
    """Every way of asking: the word, its prefix, a phrase, the channel filter, the author
    filter, the page; nothing found and the channel itself 'does not exist'."""
    for q in (word, word[:6], f'"{word}"', f"{word[:5]}*", word.upper()):
        assert await api_hits(client, q) == [], (client.user["email"], q)
        page = await client.get("/search", params={"q": q})
        text = await page.text()
        assert page.status == 200 and "Nothing found for" in text, (client.user["email"], q)
        assert "search-result card" not in text and "<mark>" not in text
    filtered = await client.get("/api/v1/search", params={"q": word, "channel_id": channel_id})
    assert filtered.status == 404
    assert (await filtered.json())["error"] == {
        "code": "not_found",
        "message": "That channel does not exist.",
    }
    page = await client.get("/search", params={"q": word, "channel_id": str(channel_id)})
    text = await page.text()
    assert page.status == 404 and "That channel does not exist." in text
    assert "search-result card" not in text and "<mark>" not in text


async def test_a_pair_word_is_found_by_the_pair_alone(server):
    pair = await server.pair_channel_id(1)
    mentee = await server.client("mentee1")
    mentor = await server.client("mentor1")
    root = await post(mentee, pair, f"My secret plan: {MARKER} before Friday")
    reply = await post(mentor, pair, f"Agreed, {MARKER}", thread_id=root["id"])
    both = {root["id"], reply["id"]}

    for insider in (mentee, mentor):
        assert set(await api_hits(insider, MARKER)) == both
        assert set(await api_hits(insider, MARKER, channel_id=pair)) == both
        page = await (await insider.get("/search", params={"q": MARKER})).text()
        assert f"<mark>{MARKER}</mark>" in page

    for handle in OUTSIDERS:
        outsider = await server.client(handle)
        await assert_finds_nothing(outsider, MARKER, pair)
        author = str(mentee.user["id"])
        assert await api_hits(outsider, MARKER, author_id=author) == []

    # The coordinator ends the pair: the two can still find it, and still nobody else.
    coordinator = await server.client("coordinator")
    pair_id = next(p.id for p in await server.store.list_pairs() if p.channel_id == pair)
    assert (await coordinator.delete(f"/api/v1/pairs/{pair_id}")).status == 200
    for insider in (mentee, mentor):
        assert set(await api_hits(insider, MARKER)) == both
    await assert_finds_nothing(coordinator, MARKER, pair)
    await assert_finds_nothing(await server.client("mentee2"), MARKER, pair)


async def test_a_community_is_searched_only_by_its_members_and_leaving_ends_it_at_once(server):
    coordinator = await server.user("coordinator")
    knitting = await create_community(server.store, coordinator, {"name": "Knitting"})
    member = await server.client("mentee2")
    assert (await member.post(f"/api/v1/communities/{knitting.id}/membership")).status == 200
    written = await post(member, knitting.id, f"cable stitch {MARKER}")

    assert await api_hits(member, MARKER) == [written["id"]]
    assert await api_hits(await server.client("coordinator"), MARKER) == [written["id"]]
    for handle in ("mentee1", "mentor1"):
        await assert_finds_nothing(await server.client(handle), MARKER, knitting.id)

    # Someone who joins finds it; once they leave, the next search no longer does.
    joiner = await server.client("mentor1")
    assert (await joiner.post(f"/api/v1/communities/{knitting.id}/membership")).status == 200
    assert await api_hits(joiner, MARKER) == [written["id"]]
    assert (await joiner.delete(f"/api/v1/communities/{knitting.id}/membership")).status == 200
    await assert_finds_nothing(joiner, MARKER, knitting.id)


async def test_a_lounge_is_searched_by_its_role_only(server):
    mentor = await server.client("mentor2")
    lounge = await server.channel_id("mentor_lounge")
    written = await post(mentor, lounge, f"mentor talk {MARKER}")
    assert await api_hits(await server.client("mentor3"), MARKER) == [written["id"]]
    assert await api_hits(await server.client("coordinator"), MARKER) == [written["id"]]
    for handle in ("mentee1", "mentee2"):
        await assert_finds_nothing(await server.client(handle), MARKER, lounge)


async def test_a_disabled_account_finds_nothing(server):
    """Its sessions end at once; the domain call refuses it all the same."""
    pair = await server.pair_channel_id(1)
    await post(await server.client("mentee1"), pair, f"hello {MARKER}")
    mentor = await server.user("mentor1")
    found = await search(server.store, mentor, {"q": MARKER}, zone=ZONE, secret=b"s")
    assert len(found.results) == 1
    await server.store.write(lambda tx: tx.set_user_disabled(mentor.id, True))
    disabled = await server.user("mentor1")
    found = await search(server.store, disabled, {"q": MARKER}, zone=ZONE, secret=b"s")
    assert found.results == []


async def test_how_hits_are_ordered_depends_only_on_what_one_may_read(server, monkeypatch):
    """Past RANK_AT_MOST hits, a search comes newest first.  Those hits are counted in the
    person's own channels: a pair's words cannot flip another person's search from ranked to
    newest first (which would tell that the pair wrote them)."""
    monkeypatch.setattr(search_queries, "RANK_AT_MOST", 5)
    pair = await server.pair_channel_id(1)
    mentee1 = await server.client("mentee1")
    for n in range(10):
        await post(mentee1, pair, f"{MARKER} {n}")
    outsider = await server.client("mentee2")
    lounge = await server.channel_id("mentee_lounge")
    best = await post(outsider, lounge, f"{MARKER} {MARKER} {MARKER}")
    newer = await post(outsider, lounge, f"{MARKER} and a much longer message around it")
    assert await api_hits(outsider, MARKER) == [best["id"], newer["id"]]  # ranked
    for n in range(4):  # her own hits past the limit: newest first
        await post(outsider, lounge, f"{MARKER} again {n}")
    hits = await api_hits(outsider, MARKER)
    assert hits[-2:] == [newer["id"], best["id"]] and len(hits) == 6
