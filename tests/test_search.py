"""Search over a real server: what each person finds, the query syntax, filters, pages,
ranking, sanitised snippets, hostile input, and a channel page opened at a hit.  The marker
tests (nobody outside a pair ever finds its words) are in test_search_confidentiality.py."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime

from channels.programme.communities import create_community
from storage.queries import search as search_queries
from tests.clocks import FakeClock
from tests.mail_support import running_server
from tests.support import DAYS_AWAKE

MISSING = 10**9


async def post(client, channel_id: int, body: str, **extra) -> dict:
    response = await client.post(f"/api/v1/channels/{channel_id}/messages", {"body": body, **extra})
    assert response.status == 201, await response.text()
    return (await response.json())["message"]


async def search(client, q: str | None = None, **params) -> tuple[int, dict]:
    query = {**({"q": q} if q is not None else {}), **params}
    response = await client.get("/api/v1/search", params={k: str(v) for k, v in query.items()})
    return response.status, await response.json()


async def found_ids(client, q: str, **params) -> list[int]:
    status, body = await search(client, q, **params)
    assert status == 200, body
    return [hit["message_id"] for hit in body["results"]]


async def test_a_person_finds_words_in_each_kind_of_channel_they_read(server):
    mentee = await server.client("mentee1")
    coordinator = await server.client("coordinator")
    pair = await server.pair_channel_id(1)
    lounge = await server.channel_id("mentee_lounge")
    news = await server.channel_id("announcements")
    gardening = await create_community(
        server.store, await server.user("coordinator"), {"name": "Gardening"}
    )
    joined = await mentee.post(f"/api/v1/communities/{gardening.id}/membership")
    assert joined.status == 200

    in_pair = await post(mentee, pair, "My interview is on Thursday, wish me luck")
    in_lounge = await post(mentee, lounge, "Does anyone have a good interview checklist?")
    in_news = await post(coordinator, news, "Interview workshop next week in the library")
    in_community = await post(mentee, gardening.id, "Tomatoes before the interview calm me")

    status, body = await search(mentee, "interview")
    assert status == 200
    by_id = {hit["message_id"]: hit for hit in body["results"]}
    assert set(by_id) == {in_pair["id"], in_lounge["id"], in_news["id"], in_community["id"]}
    assert {hit["channel"]["kind"] for hit in body["results"]} == {
        "pair",
        "mentee_lounge",
        "announcements",
        "community",
    }
    hit = by_id[in_pair["id"]]
    assert hit["kind"] == "message" and hit["thread_id"] is None
    assert hit["channel"]["id"] == pair
    assert hit["author"] == {"id": mentee.user["id"], "name": "Sara Nielsen"}
    assert hit["created_at"] == in_pair["created_at"] and hit["seq"] == in_pair["seq"]
    assert "<mark>interview</mark>" in hit["snippet"]
    assert body["query"] == "interview" and body["next_cursor"] is None

    # The mentor of the pair finds the pair's message; the mentee lounge is not hers.
    mentor = await server.client("mentor1")
    assert set(await found_ids(mentor, "interview")) == {in_pair["id"], in_news["id"]}


async def test_thread_replies_are_found_with_their_thread(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    root = await post(mentee, lounge, "Who is going to the fair?")
    reply = await post(mentee, lounge, "I will bring my portfolio", thread_id=root["id"])
    status, body = await search(mentee, "portfolio")
    assert status == 200
    [hit] = body["results"]
    assert hit["message_id"] == reply["id"] and hit["thread_id"] == root["id"]


async def test_phrases_prefixes_case_and_accents(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    first = await post(mentee, lounge, "Our first meeting went well")
    second = await post(mentee, lounge, "Meeting first thing tomorrow")
    other = await post(mentee, lounge, "The meetup was fun")
    accented = await post(mentee, lounge, "Mon CV et mon résumé, au Café")

    assert set(await found_ids(mentee, "first meeting")) == {first["id"], second["id"]}
    assert await found_ids(mentee, '"first meeting"') == [first["id"]]
    assert await found_ids(mentee, '"FIRST Meeting"') == [first["id"]]
    # The last word is a prefix by itself; an earlier one needs its star.
    assert set(await found_ids(mentee, "meet")) == {first["id"], second["id"], other["id"]}
    assert set(await found_ids(mentee, "meet* first")) == {first["id"], second["id"]}
    assert await found_ids(mentee, "meet first") == []
    assert await found_ids(mentee, '"meeting went"') == [first["id"]]
    assert await found_ids(mentee, "cafe resume") == [accented["id"]]
    assert await found_ids(mentee, "CAFÉ") == [accented["id"]]


async def test_words_joined_by_punctuation_are_found_as_they_are_typed(server):
    """A word is a run of letters and digits wherever it stands, as the search box splits what
    is typed: PostgreSQL's own parser read a hyphenated word, an address, a version or a path
    as one token, and '976e9a77c5e7' alone as a number in scientific notation ('976e9') and a
    word, so what was typed did not find what was written."""
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    code = await post(mentee, lounge, "The code is REF-976e9a77c5e7 for the room")
    mail = await post(mentee, lounge, "Write to anna.berg@example.org about v2.4.1")
    path = await post(mentee, lounge, "It is in /shared/cv-templates/final.docx now")

    for typed in ("976e9a77c5e7", "REF-976e9a77c5e7", "ref 976e9", '"code is REF-976e9a77c5e7"'):
        assert await found_ids(mentee, typed) == [code["id"]], typed
    for typed in ("anna.berg@example.org", "example", "berg", "v2.4.1", "4 1"):
        assert await found_ids(mentee, typed) == [mail["id"]], typed
    for typed in ("templates final", "cv-templates", "docx"):
        assert await found_ids(mentee, typed) == [path["id"]], typed


async def test_filters_by_channel_and_author(server):
    mentee1 = await server.client("mentee1")
    mentee2 = await server.client("mentee2")
    lounge = await server.channel_id("mentee_lounge")
    news = await server.channel_id("announcements")
    pair = await server.pair_channel_id(1)
    mine = await post(mentee1, lounge, "budget spreadsheet tips")
    hers = await post(mentee2, lounge, "my budget is tight")
    in_pair = await post(mentee1, pair, "budget for the course")
    reply = await post(mentee2, news, "what budget?", thread_id=(await _news(server))["id"])

    assert set(await found_ids(mentee1, "budget")) == {
        mine["id"],
        hers["id"],
        in_pair["id"],
        reply["id"],
    }
    assert set(await found_ids(mentee1, "budget", channel_id=lounge)) == {mine["id"], hers["id"]}
    assert await found_ids(mentee1, "budget", channel_id=news) == [reply["id"]]
    author = mentee2.user["id"]
    assert set(await found_ids(mentee1, "budget", author_id=author)) == {hers["id"], reply["id"]}
    assert await found_ids(mentee1, "budget", channel_id=lounge, author_id=author) == [hers["id"]]
    assert await found_ids(mentee1, "budget", author_id=MISSING) == []


async def _news(server) -> dict:
    coordinator = await server.client("coordinator")
    return await post(coordinator, await server.channel_id("announcements"), "Programme news")


async def test_a_channel_filter_one_may_not_read_answers_as_a_missing_one(server):
    mentee = await server.client("mentee2")
    pair1 = await server.pair_channel_id(1)
    mentor_lounge = await server.channel_id("mentor_lounge")
    missing = await search(mentee, "hello", channel_id=MISSING)
    assert missing[0] == 404 and missing[1]["error"]["code"] == "not_found"
    for unreadable in (pair1, mentor_lounge):
        assert await search(mentee, "hello", channel_id=unreadable) == missing


async def test_filters_by_date(data_dir):
    clock = FakeClock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))
    async with running_server(data_dir, clock=clock, config_changes=DAYS_AWAKE) as server:
        mentee = await server.client("mentee1")
        lounge = await server.channel_id("mentee_lounge")
        march2 = await post(mentee, lounge, "garden plans")
        clock.advance(days=1)
        march3 = await post(mentee, lounge, "garden party")
        clock.advance(days=1)
        march4 = await post(mentee, lounge, "garden tools")
        ids = {"2": march2["id"], "3": march3["id"], "4": march4["id"]}

        async def days(**params) -> set[str]:
            found = set(await found_ids(mentee, "garden", **params))
            return {day for day, message_id in ids.items() if message_id in found}

        assert await days() == {"2", "3", "4"}
        assert await days(after="2026-03-03") == {"3", "4"}
        assert await days(before="2026-03-03") == {"2"}
        assert await days(after="2026-03-03", before="2026-03-04") == {"3"}
        assert await days(after="2026-03-02T13:00:00+00:00") == {"3", "4"}
        assert await days(before="2026-03-04T12:00:00.000001+00:00") == {"2", "3", "4"}
        for bad in ({"after": "yesterday"}, {"before": "2026-13-01"}, {"after": "2026-02-30"}):
            status, body = await search(mentee, "garden", **bad)
            assert status == 400 and body["error"]["code"] == "invalid", bad
        status, body = await search(mentee, "garden", after="2026-03-04", before="2026-03-03")
        assert status == 400 and "earlier" in body["error"]["message"]


async def test_pages_follow_the_cursor_without_repeats_or_gaps(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    posted = set()
    for n in range(25):
        filler = " ".join(["and"] * (n % 4))  # different lengths, so different scores
        posted.add((await post(mentee, lounge, f"quokka number {n} {filler}"))["id"])

    seen: list[int] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 10, **({"cursor": cursor} if cursor else {})}
        status, body = await search(mentee, "quokka", **params)
        assert status == 200, body
        seen += [hit["message_id"] for hit in body["results"]]
        pages += 1
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 25 and set(seen) == posted
    whole = await found_ids(mentee, "quokka", limit=50)
    assert seen == whole  # the pages are the one ranking, cut in three

    for bad in ("nonsense", "W10=", "WzEsMF0", "x" * 500, "WyJhIiwxXQ"):
        status, body = await search(mentee, "quokka", cursor=bad)
        assert status == 400 and body["error"]["code"] == "invalid", bad


async def test_past_the_ranking_limit_hits_come_newest_first_and_page_the_same(server, monkeypatch):
    monkeypatch.setattr(search_queries, "RANK_AT_MOST", 5)
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    posted = [(await post(mentee, lounge, f"wallaby {n}"))["id"] for n in range(12)]
    seen: list[int] = []
    cursor = None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        status, body = await search(mentee, "wallaby", **params)
        assert status == 200, body
        assert all("<mark>wallaby</mark>" in hit["snippet"] for hit in body["results"])
        seen += [hit["message_id"] for hit in body["results"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == posted[::-1]
    # Few enough hits are ranked again.
    assert await found_ids(mentee, "wallaby 3") == [posted[3]]


async def test_ranking_puts_the_closer_match_first(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    long_one = await post(
        mentee,
        lounge,
        "Yesterday I went to the library, read about many things, cooked dinner, walked the "
        "dog for an hour, called my sister, and somewhere in there thought about networking.",
    )
    short_one = await post(mentee, lounge, "Networking, networking, networking!")
    both_words = await post(mentee, lounge, "Networking events for mentoring: a list")
    assert (await found_ids(mentee, "networking"))[0] == short_one["id"]
    ranked = await found_ids(mentee, "networking")
    assert ranked.index(short_one["id"]) < ranked.index(long_one["id"])
    assert await found_ids(mentee, "networking mentoring") == [both_words["id"]]


async def test_snippets_are_escaped_and_only_matches_are_marked(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    body = "<script>alert('x')</script> and <mark>fake</mark> \x02 <b>zanzibar</b> \x03 trip"
    await post(mentee, lounge, body)
    status, answer = await search(mentee, "zanzibar")
    assert status == 200
    snippet = answer["results"][0]["snippet"]
    assert "<script" not in snippet and "<b>" not in snippet
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in snippet
    assert "&lt;mark&gt;fake&lt;/mark&gt;" in snippet
    assert re.findall(r"</?mark>", snippet) == ["<mark>", "</mark>"]
    assert "<mark>zanzibar</mark>" in snippet
    assert "\x02" not in snippet and "\x03" not in snippet

    page = await (await mentee.get("/search", params={"q": "zanzibar"})).text()
    assert "<mark>zanzibar</mark>" in page
    assert "&lt;script&gt;" in page and "<script>alert" not in page
    assert "&lt;mark&gt;fake" in page


HOSTILE = [
    '"',
    '"unbalanced',
    'a "b',
    "NEAR(",
    "NEAR(a b, 2)",
    "*",
    "**",
    "a*b*",
    ":",
    "-",
    "-hello",
    "body:hello",
    "channel_id:1",
    "channel_id : 1",
    "{body channel_id}: x",
    "^hello",
    "hello OR world",
    "NOT hello",
    "AND",
    "(",
    ")",
    "a) OR (b",
    "'; DROP TABLE messages; --",
    "\x00",
    "\ufffd\u202e",
    "😀",
    "\\",
    "%",
    "x" * 200,
    "a b c d e f g h i j k l",
]


async def test_hostile_queries_never_fail(server):
    mentee = await server.client("mentee1")
    await post(mentee, await server.channel_id("mentee_lounge"), "hello world, body and NEAR")
    for q in HOSTILE:
        status, body = await search(mentee, q)
        if status == 200:
            assert isinstance(body["results"], list)
        else:
            assert (status, body["error"]["code"]) == (400, "invalid"), (q, body)
        page = await mentee.get("/search", params={"q": q})
        assert page.status in (200, 400), q
    # Operators are plain words: "hello OR world" needs the word "or" too (as an operator it
    # would find the message), and "NOT hello" needs "not".
    assert len(await found_ids(mentee, "hello world")) == 1
    assert await found_ids(mentee, "hello OR world") == []
    assert await found_ids(mentee, "NOT hello") == []
    assert len(await found_ids(mentee, "body:hello")) == 0  # the phrase "body hello"
    assert len(await found_ids(mentee, "body near")) == 1


async def test_empty_long_and_malformed_searches_are_refused_clearly(server):
    mentee = await server.client("mentee1")
    for params in ({}, {"q": ""}, {"q": "   "}, {"q": '" * : -'}):
        status, body = await search(mentee, **params)
        assert status == 400 and body["error"]["message"] == "Type a word to search for."
    status, body = await search(mentee, "x" * 201)
    assert status == 400 and "at most 200 characters" in body["error"]["message"]
    status, body = await search(mentee, " ".join(["word"] * 13))
    assert status == 400 and "at most 12" in body["error"]["message"]
    for params in ({"channel_id": "x"}, {"author_id": "-1"}, {"limit": "0"}, {"limit": "51"}):
        status, body = await search(mentee, "hello", **params)
        assert status == 400 and body["error"]["code"] == "invalid", params
    anonymous = await server.client()
    status, body = await search(anonymous, "hello")
    assert status == 401 and body["error"]["code"] == "unauthenticated"


async def test_an_edit_is_found_by_its_new_words_and_a_deleted_message_is_gone(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    message = await post(mentee, lounge, "I adore platypus facts")
    root = await post(mentee, lounge, "thread about wombats")
    reply = await post(mentee, lounge, "wombat reply kangaroo", thread_id=root["id"])
    assert await found_ids(mentee, "platypus") == [message["id"]]

    edited = await mentee.patch(f"/api/v1/messages/{message['id']}", {"body": "echidna facts"})
    assert edited.status == 200
    assert await found_ids(mentee, "platypus") == []
    assert await found_ids(mentee, "echidna") == [message["id"]]

    for gone in (message, reply):
        assert (await mentee.delete(f"/api/v1/messages/{gone['id']}")).status == 200
    assert await found_ids(mentee, "echidna") == []
    assert await found_ids(mentee, "kangaroo") == []
    assert await found_ids(mentee, "wombats") == [root["id"]]


async def test_the_search_page_lists_results_that_open_the_channel_at_them(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    root = await post(mentee, lounge, "an old note about marzipan")
    for n in range(60):  # push it off the channel's latest page
        await post(mentee, lounge, f"chatter {n}")
    reply = await post(mentee, lounge, "marzipan in a reply", thread_id=root["id"])

    page = await (await mentee.get("/search", params={"q": "marzipan"})).text()
    top_href = f"/channels/{lounge}?message={root['id']}#m-{root['id']}"
    reply_href = f"/channels/{lounge}/threads/{root['id']}?message={reply['id']}#t-{reply['id']}"
    assert html.escape(top_href) in page and html.escape(reply_href) in page
    assert "Mentee lounge · reply in a thread" in page
    assert 'name="q" value="marzipan"' in page  # the top bar keeps the words too

    channel = await (await mentee.get(f"/channels/{lounge}?message={root['id']}")).text()
    assert re.search(rf'<li class="msg[^"]*is-target[^"]*" id="m-{root["id"]}"', channel)
    assert f'"target_id": {root["id"]}' in channel
    assert "chatter 59" not in channel  # the page of history that ends with it
    assert "Go to the latest messages" in channel

    thread = await (
        await mentee.get(f"/channels/{lounge}/threads/{root['id']}?message={reply['id']}")
    ).text()
    assert re.search(rf'<li class="msg[^"]*is-target[^"]*" id="t-{reply["id"]}"', thread)
    # A reply asked for on the channel's own address opens its thread.
    plain = await (await mentee.get(f"/channels/{lounge}?message={reply['id']}")).text()
    assert f'id="t-{reply["id"]}"' in plain and 'id="thread-panel" aria-labelledby' in plain

    # A message of another channel (or none) is not a target: the page is as without it.
    pair = await server.pair_channel_id(1)
    elsewhere = await (await mentee.get(f"/channels/{pair}?message={root['id']}")).text()
    assert "is-target" not in elsewhere and '"target_id": null' in elsewhere


async def test_the_search_page_keeps_the_filters_and_pages_on(server):
    mentee = await server.client("mentee1")
    lounge = await server.channel_id("mentee_lounge")
    for n in range(23):
        await post(mentee, lounge, f"penguin {n}")
    page = await (
        await mentee.get("/search", params={"q": "penguin", "channel_id": str(lounge)})
    ).text()
    assert page.count('class="search-result card"') == 20
    more = re.search(r'href="(/search\?[^"]+)">More results', page)[1]
    assert f"channel_id={lounge}" in html.unescape(more)
    rest = await (await mentee.get(html.unescape(more))).text()
    assert rest.count('class="search-result card"') == 3 and "More results" not in rest

    refused = await mentee.get("/search", params={"q": "penguin", "after": "soon"})
    assert refused.status == 400 and "must be a date" in await refused.text()
    nothing = await (await mentee.get("/search", params={"q": "unfindableword"})).text()
    assert "Nothing found" in nothing
    empty = await mentee.get("/search")
    assert empty.status == 200 and "Nothing found" not in await empty.text()


async def test_every_page_has_the_search_box(server):
    mentee = await server.client("mentee1")
    for path in ("/", "/communities", "/profile", f"/channels/{await server.pair_channel_id(1)}"):
        page = await (await mentee.get(path)).text()
        assert 'action="/search"' in page and 'id="topbar-q"' in page, path


async def test_the_programmes_notices_are_never_found_in_any_language(data_dir):
    """A system message holds the programme's words, the same in every pair and said in each
    reader's language: search finds none, in the words stored or in those shown, while a
    person's message in the same channel saying the same is found."""
    danish = {**DAYS_AWAKE, "locale": "da_DK", "timezone": "Europe/Copenhagen"}
    async with running_server(data_dir, config_changes=danish) as server:
        sara = await server.client("mentee1")
        pair = await server.pair_channel_id(1)
        ended = await (await server.client("coordinator")).delete(
            f"/api/v1/pairs/{(await server.store.load_pair_by_channel(pair)).id}"
        )
        assert ended.status == 200
        for words in ("private pair channel", "jeres egen kanal", "afsluttet", "has ended"):
            assert await found_ids(sara, words) == [], words
        (welcome,) = [
            m
            for m in (await (await sara.get(f"/api/v1/channels/{pair}/messages")).json())[
                "messages"
            ]
            if m["kind"] == "system" and m["notice"]["key"] == "pair.welcome"
        ]
        assert "jeres egen kanal" in welcome["notice"]["html"]["da"]
        (lounge,) = await server.store.list_channels_of_kind("mentee_lounge")
        said = await post(sara, lounge.id, "Vores mentorkanal er jeres egen kanal, siger de")
        assert await found_ids(sara, "jeres egen kanal") == [said["id"]]
