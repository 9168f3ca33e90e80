"""Login is cheap to refuse and costly to abuse: attempts are counted before the password is
checked, unknown addresses cost a dummy verification, oversize passwords are never hashed,
hashing waits its turn (one per core), 429 says when to try again, old hashes are upgraded,
and X-Forwarded-For counts only from a trusted proxy."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from ipaddress import ip_network

from argon2 import PasswordHasher, profiles

from channels.people.accounts import create_user
from channels.people.passwords import passwords_for

from .clocks import FakeClock
from .login_support import count_hashing
from .support import Server, email
from .test_pages import csrf_of

WRONG = {"email": email("mentor1"), "password": "not the password"}
RIGHT = {"email": email("mentor1"), "password": "mentorspace-demo"}


async def _failures(server) -> int:
    return await server.store._value("SELECT count(*) FROM login_failures")


async def test_parallel_guesses_get_at_most_the_limit_of_password_checks(data_dir):
    running = await Server(data_dir, clock=FakeClock()).start()
    try:
        hasher = count_hashing(running)
        client = await running.client()
        responses = await asyncio.gather(
            *(client.post("/api/v1/session", WRONG) for _ in range(40))
        )
        statuses = sorted(r.status for r in responses)
        assert statuses == [401] * 5 + [429] * 35
        assert len(hasher.verified) == 5  # only the reserved attempts reached argon2
        assert hasher.most_at_once <= (os.cpu_count() or 1)  # the rest waited their turn
        for response in responses:
            if response.status == 429:
                body = await response.json()
                assert body["error"]["code"] == "rate_limited"
                assert response.headers["Retry-After"] == "900"  # the clock has not moved
        await client.close()
    finally:
        await running.stop()


async def test_retry_after_counts_down_to_when_the_oldest_failure_leaves(data_dir):
    clock = FakeClock()
    running = await Server(data_dir, clock=clock).start()
    try:
        client = await running.client()
        for _ in range(5):
            assert (await client.post("/api/v1/session", WRONG)).status == 401
        clock.advance(minutes=5)
        refused = await client.post("/api/v1/session", RIGHT)
        assert refused.status == 429 and refused.headers["Retry-After"] == "600"
        assert "10 minutes" in (await refused.json())["error"]["message"]
        page = await (await client.get("/login")).text()
        form = await client.http.post(
            "/login", data={"csrf_token": csrf_of(page), **RIGHT, "next": "/"}
        )
        assert form.status == 429 and form.headers["Retry-After"] == "600"
        assert "10 minutes" in await form.text()
        clock.advance(minutes=10)
        assert (await client.post("/api/v1/session", RIGHT)).status == 200
        await client.close()
    finally:
        await running.stop()


async def test_an_unknown_address_costs_a_dummy_verification(server):
    hasher = count_hashing(server)
    invited = await create_user(
        server.store, email="invited@example.org", name="Ida", role="mentee"
    )
    assert invited.password_hash is None
    known = {u.password_hash for u in await server.store.list_users()}
    client = await server.client()
    for address in ("nobody@example.org", "invited@example.org"):
        response = await client.post(
            "/api/v1/session", {"email": address, "password": "mentorspace-demo"}
        )
        assert response.status == 401
    assert len(hasher.verified) == 2
    assert not known & set(hasher.verified)  # against the dummy hash, not anyone's


async def test_an_oversize_password_is_refused_without_hashing(server):
    hasher = count_hashing(server)
    client = await server.client()
    response = await client.post(
        "/api/v1/session", {"email": email("mentor1"), "password": "x" * 2000}
    )
    assert response.status == 413
    assert (await response.json())["error"]["code"] == "too_large"
    assert hasher.verified == [] and hasher.hashed == 0
    assert await _failures(server) == 0


async def test_an_old_hash_is_upgraded_at_login(server):
    old = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    mentor = await server.store.load_user_by_email(email("mentor1"))
    old_hash = old.hash("mentorspace-demo")
    await server.store.write(lambda tx: tx.set_password_hash(mentor.id, old_hash))
    passwords = passwords_for(server.store)
    assert passwords.needs_rehash(old_hash)

    client = await server.client()
    assert (await client.post("/api/v1/session", RIGHT)).status == 200
    upgraded = (await server.store.load_user(mentor.id)).password_hash
    assert upgraded != old_hash and not passwords.needs_rehash(upgraded)
    again = await server.client()
    assert (await again.post("/api/v1/session", RIGHT)).status == 200
    assert (await server.store.load_user(mentor.id)).password_hash == upgraded


async def test_every_hash_goes_through_the_servers_passwords(server):
    hasher = count_hashing(server)
    await create_user(
        server.store, email="new@example.org", name="New", role="mentee", password="long enough!"
    )
    assert hasher.hashed == 1
    client = await server.client("mentee1")
    changed = await client.post(
        "/api/v1/me/password", {"current": "mentorspace-demo", "new": "another long one"}
    )
    assert changed.status == 200
    assert hasher.hashed == 2 and len(hasher.verified) == 2  # the login's, then the change's


async def test_successful_logins_do_not_use_up_the_address_limit(server):
    count_hashing(server)
    for _ in range(25):
        client = await server.client()
        assert (await client.post("/api/v1/session", RIGHT)).status == 200
        await client.close()
    assert await _failures(server) == 0


async def _guess_from(client, forwarded_for: str, payload=WRONG) -> int:
    response = await client.post(
        "/api/v1/session", payload, headers={"X-Forwarded-For": forwarded_for}
    )
    return response.status


async def test_behind_a_trusted_proxy_each_client_has_its_own_limit(data_dir):
    running = await Server(
        data_dir, config_changes={"trusted_proxies": (ip_network("127.0.0.0/8"),)}
    ).start()
    try:
        client = await running.client()
        for _ in range(5):
            assert await _guess_from(client, "203.0.113.5") == 401
        assert await _guess_from(client, "203.0.113.5", RIGHT) == 429
        # Another client behind the same proxy is not locked out.
        assert await _guess_from(client, "203.0.113.6", RIGHT) == 200
        # What the client writes left of what the proxy appended proves nothing.
        assert await _guess_from(client, "203.0.113.6, 203.0.113.5", RIGHT) == 429
        # Trusted hops on the right are skipped: the proxy's own proxy is not the client.
        assert await _guess_from(client, "203.0.113.5, 127.0.0.9", RIGHT) == 429
        rows = await running.store._all("SELECT DISTINCT key FROM login_failures")
        assert {row[0] for row in rows} == {
            f"account:{email('mentor1')} address:203.0.113.5",
            "address:203.0.113.5",
        }
        await client.close()
    finally:
        await running.stop()


async def test_an_untrusted_peer_cannot_choose_its_address(server):
    client = await server.client()
    for n in range(5):
        assert await _guess_from(client, f"203.0.113.{n}") == 401
    assert await _guess_from(client, "198.51.100.7", RIGHT) == 429
    rows = await server.store._all("SELECT DISTINCT key FROM login_failures")
    assert "address:127.0.0.1" in {row[0] for row in rows}


async def test_reset_requests_are_limited_and_say_when_to_try_again(server):
    anyone = await server.client()
    answers = [
        await anyone.post("/api/v1/password-reset", {"email": "someone@example.org"})
        for _ in range(4)
    ]
    assert [a.status for a in answers] == [202, 202, 202, 429]
    assert answers[-1].headers["Retry-After"] == "900"


def test_outside_the_test_suite_passwords_use_argon2s_recommended_parameters():
    """The suite's own servers hash cheaply (tests/conftest.py); a real one must not."""
    probe = (
        "from channels.people.passwords import Passwords; h = Passwords().hasher;"
        " print(h.type.name, h.time_cost, h.memory_cost, h.parallelism, h.hash_len, h.salt_len)"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    recommended = profiles.RFC_9106_LOW_MEMORY
    assert shown == [
        "ID",
        str(recommended.time_cost),
        str(recommended.memory_cost),
        str(recommended.parallelism),
        str(recommended.hash_len),
        str(recommended.salt_len),
    ]
    assert recommended.memory_cost >= 64 * 1024 and recommended.time_cost >= 3
