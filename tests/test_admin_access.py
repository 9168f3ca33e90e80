"""Every coordinator route refuses mentors and mentees (403) and anonymous callers (401),
changing nothing; state-changing requests from other sites are refused (CSRF).

Routes are taken from the route tables themselves, so a new coordinator route is covered
the moment it is added.  (Coordinator operations have no socket events: they are HTTP only.)
"""

from __future__ import annotations

import re

import pytest

from server.api import programme as admin_api

ROUTES = [(r.method, r.path) for r in admin_api.routes]


def _concrete(path: str, ids: dict[str, int]) -> str:
    return re.sub(r"\{(\w+)\}", lambda m: str(ids[m.group(1)]), path)


async def _request(client, method: str, path: str):
    if path.endswith("/import"):
        return await client.http.request(
            method,
            path,
            data=b"email,name,role\nz@example.org,Z,mentee\n",
            headers={"Content-Type": "text/csv"},
        )
    body = {"email": "z@example.org", "name": "Z", "role": "mentee", "disabled": True}
    body |= {"mentor_id": 2, "mentee_id": 5, "items": [{"item": "home"}], "body": "x"}
    if method in ("GET", "DELETE"):
        return await client.http.request(method, path)
    return await client.http.request(method, path, json=body)


async def _snapshot(store) -> tuple:
    users = await store.list_users()
    return (
        [(u.id, u.role, u.disabled, u.name) for u in users],
        await store.list_pairs(),
        await store.list_audit(),
        await store.count_mail(),
        await store.list_channels_of_kind("community"),
    )


def test_the_coordinator_routes_are_all_here():
    assert len(ROUTES) >= 17
    for method, path in [
        ("GET", "/api/v1/users"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/users/import"),
        ("PATCH", "/api/v1/users/{user_id}"),
        ("POST", "/api/v1/pairs"),
        ("DELETE", "/api/v1/pairs/{pair_id}"),
        ("GET", "/api/v1/pairs"),
        ("GET", "/api/v1/users/{user_id}/mentor-suggestions"),
        ("GET", "/api/v1/audit"),
    ]:
        assert (method, path) in ROUTES


@pytest.mark.parametrize("handle", ["mentor1", "mentee1", None])
async def test_mentors_mentees_and_strangers_are_refused_everywhere(server, handle):
    store = server.store
    client = await server.client(handle)
    pair = (await store.list_pairs())[0]
    mentee = await store.load_user(pair.mentee_id)
    ids = {"user_id": mentee.id, "pair_id": pair.id, "channel_id": pair.channel_id}
    ids_role = {**ids, "role": "mentee"}
    before = await _snapshot(store)
    for method, path in ROUTES:
        url = _concrete(path, ids_role)
        response = await _request(client, method, url)
        expected = 401 if handle is None else 403
        assert response.status == expected, (method, url, await response.text())
        code = (await response.json())["error"]["code"]
        assert code == ("unauthenticated" if handle is None else "forbidden"), (method, url)
    assert await _snapshot(store) == before


async def test_cross_site_requests_are_refused(server):
    coordinator = await server.client("coordinator")
    before = await _snapshot(server.store)
    foreign = await coordinator.http.post(
        "/api/v1/users",
        json={"email": "z@example.org", "name": "Z", "role": "mentee"},
        headers={"Origin": "https://evil.example"},
    )
    assert foreign.status == 403
    form = await coordinator.http.post(
        "/api/v1/users", data={"email": "z@example.org", "name": "Z", "role": "mentee"}
    )
    assert form.status == 403
    plain = await coordinator.http.post(
        "/api/v1/users/import",
        data=b"email,name,role\nz@example.org,Z,mentee\n",
        headers={"Content-Type": "text/plain"},
    )
    assert plain.status == 403  # text/plain could come from any site's form
    assert await _snapshot(server.store) == before
