"""Members join and leave communities of practice from the browser's pages (plain HTTP here;
tests/browser has the same in Chromium)."""

from __future__ import annotations

import re

from channels.programme.communities import create_community


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)[1]


async def test_a_mentee_joins_posts_and_leaves_a_community(server):
    nursing = await create_community(
        server.store,
        await server.user("coordinator"),
        {"name": "Nursing", "topic": "Care work and careers"},
    )
    client = await server.client("mentee1")
    sock = await client.socket()

    page = await (await client.get("/communities")).text()
    assert "Nursing" in page and "Care work and careers" in page and "0 members" in page
    assert "Join Nursing" in page

    joined = await client.http.post(
        f"/communities/{nursing.id}/join", data={"csrf_token": csrf_of(page)}, allow_redirects=False
    )
    assert joined.status == 303 and joined.headers["Location"] == f"/channels/{nursing.id}"
    await sock.wait_for("channel", lambda c: c["id"] == nursing.id and c["is_member"])
    assert (await client.get(f"/channels/{nursing.id}")).status == 200
    assert (await sock.send(nursing.id, "Hello, fellow nurses"))["body"] == "Hello, fellow nurses"

    page = await (await client.get("/communities")).text()
    assert "1 member" in page and "Leave Nursing" in page
    left = await client.http.post(
        f"/communities/{nursing.id}/leave",
        data={"csrf_token": csrf_of(page)},
        allow_redirects=False,
    )
    assert left.status == 303
    assert (await client.get(f"/channels/{nursing.id}")).status == 404
    ack = await sock.call("channel:history", {"channel_id": nursing.id})
    assert ack["error"]["code"] == "not_found"


async def test_joining_needs_the_form_token_and_an_open_community(server):
    client = await server.client("mentor1")
    page = await (await client.get("/communities")).text()
    assert "no communities yet" in page
    archived = await create_community(
        server.store, await server.user("coordinator"), {"name": "Old group"}
    )
    await server.store.write(lambda tx: tx.set_channel_archived(archived.id, True))
    lounge = await server.channel_id("mentor_lounge")
    token = csrf_of(page)

    no_token = await client.http.post(f"/communities/{archived.id}/join", data={})
    assert no_token.status == 403
    for target, status in [(archived.id, 403), (lounge, 404), (999999, 404)]:
        response = await client.http.post(
            f"/communities/{target}/join", data={"csrf_token": token}, allow_redirects=False
        )
        assert response.status == status, target
    assert not await server.store.is_member(archived.id, client.user["id"])
    assert "Old group" not in await (await client.get("/communities")).text()
