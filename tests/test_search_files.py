"""Search finds files by name where one may read them now, and library resources one's role
may see; a file sent in a pair channel is found by the pair alone, never by a coordinator."""

from __future__ import annotations

from channels.search.query import matches, parse_query
from tests.file_support import share

MARKER = "qzvkfilemarker"
OUTSIDERS = ["mentor2", "mentee2", "coordinator"]


async def found(client, q: str, **params) -> dict:
    response = await client.get("/api/v1/search", params={"q": q, **params})
    assert response.status == 200, await response.text()
    return await response.json()


async def test_a_file_name_in_a_pair_is_found_by_the_pair_alone(server):
    mentee, mentor = await server.client("mentee1"), await server.client("mentor1")
    pair = await server.pair_channel_id(1)
    message, attachment = await share(
        mentee, f"My CV {MARKER}.txt".encode(), f"CV draft {MARKER}.txt", pair, body="here"
    )
    for client in (mentee, mentor):
        hits = (await found(client, MARKER[:8]))["files"]
        assert [h["id"] for h in hits] == [attachment["id"]]
        assert hits[0]["message_id"] == message["id"] and hits[0]["channel"]["id"] == pair
        page = await (await client.get("/search", params={"q": "cv draft"})).text()
        assert f"CV draft {MARKER}.txt" in page and "Show the message" in page
    for handle in OUTSIDERS:
        outsider = await server.client(handle)
        for q in (MARKER, f"cv {MARKER}", f'"draft {MARKER}"'):
            answer = await found(outsider, q)
            assert answer["files"] == [] and answer["results"] == [], (handle, q)
            page = await (await outsider.get("/search", params={"q": q})).text()
            assert f"{MARKER}.txt" not in page and attachment["id"] not in page, handle

    # Deleted with its message: gone from every search.
    sock = await mentee.socket()
    ack = await sock.call("message:delete", {"message_id": message["id"]})
    assert ack.get("ok"), ack
    assert (await found(mentor, MARKER))["files"] == []


async def test_library_resources_are_found_by_title_for_the_roles_that_may_see_them(server):
    coordinator = await server.client("coordinator")
    folder = await coordinator.post(
        "/api/v1/library/folders", {"name": "Search shelf", "audience": "mentors"}
    )
    folder_id = (await folder.json())["folder"]["id"]
    added = await coordinator.post(
        "/api/v1/library/resources",
        {
            "folder_id": folder_id,
            "title": "Négociation salariale",
            "description": "How to ask for a raise",
            "url": "https://example.org/raise",
        },
    )
    resource_id = (await added.json())["resource"]["id"]
    mentor, mentee = await server.client("mentor2"), await server.client("mentee2")
    for q in ("negociation", "raise", "salar"):
        assert [r["id"] for r in (await found(mentor, q))["resources"]] == [resource_id], q
        assert (await found(mentee, q))["resources"] == [], q
    page = await (await mentor.get("/search", params={"q": "raise"})).text()
    assert "In the library" in page and f"/resources/{resource_id}/open" in page
    # The demo library's files are found by their title too, for the roles that see them.
    assert [r["title"] for r in (await found(mentee, "cv checklist"))["resources"]] == [
        "CV checklist"
    ]
    assert (await found(mentor, "cv checklist"))["resources"] == []


def test_names_match_as_messages_do():
    def hit(q: str, text: str) -> bool:
        return matches(parse_query(q), text)

    assert hit("cv", "My CV draft.pdf")
    assert hit("cafe", "Café notes.txt")
    assert hit("dra", "My CV draft.pdf")  # the last word typed may be begun
    assert hit('"cv draft"', "My CV draft.pdf")
    assert not hit('"draft cv"', "My CV draft.pdf")
    assert not hit("dra ", "My CV draft.pdf")  # a finished word is whole
    assert not hit("cv letter", "My CV draft.pdf")  # every word
    assert not hit("rv", "My CV draft.pdf")
