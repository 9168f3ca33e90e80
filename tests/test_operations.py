"""Operations: health checks for load balancers, Prometheus metrics behind a setting, JSON log
lines, and none of them ever carrying what a pair wrote."""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import time
import uuid
from pathlib import Path

import aiohttp
import pytest
import socketio
from bench import ServerProcess
from prometheus_client.parser import text_string_to_metric_families

from channels.demo import DEMO_PASSWORD
from server import keys
from server.auth import cookie_name
from server.runners.loop import Runner

from . import databases
from .conftest import require_service
from .support import CONNECT_WAIT, Server, email, eventually, free_port
from .test_cli import run

TOKEN = "metrics-" + "x" * 24
WITH_TOKEN = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """(sample name, sorted labels) -> value, from Prometheus's text format."""
    found = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


async def scrape(server: Server, headers: dict[str, str] = WITH_TOKEN) -> dict:
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/metrics", headers=headers) as response:
            assert response.status == 200, await response.text()
            assert response.headers["Content-Type"].startswith("text/plain")
            return samples(await response.text())


async def started(data_dir: Path, **config) -> Server:
    return await Server(data_dir, config_changes=config).start()


# Health checks


async def test_healthz_and_readyz_answer_without_a_session_and_say_nothing_else(server):
    client = await server.client()
    health = await client.get("/healthz")
    assert health.status == 200 and await health.json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert await ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "files": "ok"},
    }
    assert ready.headers["Cache-Control"] == "no-store"


class TcpRelay:
    """A relay to a TCP service that the test can cut, as when that service goes down."""

    def __init__(self, port: int) -> None:
        self.target_port = port
        self.port = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []

    async def start(self) -> TcpRelay:
        self._server = await asyncio.start_server(self._relay, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target_port)
        self._writers += [writer, up_writer]

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            try:
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

    async def cut(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()


async def test_readyz_says_redis_failed_when_it_goes_away(data_dir: Path):
    from .test_scale_out import _redis_reachable

    require_service("Redis on 127.0.0.1:6379", await _redis_reachable())
    relay = await TcpRelay(6379).start()
    running = await started(
        data_dir,
        redis_url=f"redis://127.0.0.1:{relay.port}/0",
        redis_channel=f"test-{uuid.uuid4()}",
    )
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{running.url}/readyz") as response:
                assert response.status == 200
                assert (await response.json())["checks"] == {
                    "database": "ok",
                    "files": "ok",
                    "redis": "ok",
                }
            await relay.cut()
            async with http.get(f"{running.url}/readyz") as response:
                assert response.status == 503
                assert await response.json() == {
                    "status": "unavailable",
                    "checks": {"database": "ok", "files": "ok", "redis": "failed"},
                }
            async with http.get(f"{running.url}/healthz") as response:
                assert response.status == 200  # the process itself still answers
    finally:
        await running.stop()


async def test_readyz_says_the_database_failed_when_it_does_not_answer(server):
    client = await server.client()
    await server.store.close()  # what a lost database or a dead writer thread leaves too
    response = await client.get("/readyz")
    assert response.status == 503
    assert await response.json() == {
        "status": "unavailable",
        "checks": {"database": "failed", "files": "ok"},
    }


# Who may read /metrics


async def test_metrics_are_off_by_default(server):
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{server.url}/metrics", headers=WITH_TOKEN) as response:
            assert response.status == 404
            assert "MENTORSPACE_METRICS_TOKEN" in await response.text()


async def test_metrics_token_is_required_when_set(data_dir: Path):
    running = await started(data_dir, metrics_token=TOKEN)
    try:
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": TOKEN}):
                async with http.get(f"{running.url}/metrics", headers=headers) as response:
                    assert response.status == 401
                    assert response.headers["WWW-Authenticate"].startswith("Bearer")
                    assert "mentorspace_" not in await response.text()
        assert await scrape(running)
    finally:
        await running.stop()


async def test_metrics_address_list_and_token_both_apply(data_dir: Path):
    import ipaddress

    elsewhere = (ipaddress.ip_network("10.0.0.0/8"),)
    here = (ipaddress.ip_network("127.0.0.0/8"),)
    running = await started(data_dir, metrics_allow=elsewhere)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{running.url}/metrics", headers=WITH_TOKEN) as response:
                assert response.status == 403
    finally:
        await running.stop()
    running = await started(data_dir, metrics_allow=here, metrics_token=TOKEN)
    try:
        assert await scrape(running)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{running.url}/metrics") as response:
                assert response.status == 401  # the right address is not enough
    finally:
        await running.stop()


@pytest.mark.long
def test_bad_metrics_and_log_settings_are_refused_clearly():
    short = run("serve", "--metrics-token", "short")
    assert short.returncode != 0 and "--metrics-token must be at least 16" in short.stderr
    network = run("serve", "--metrics-allow", "everyone")
    assert network.returncode != 0 and "--metrics-allow must be networks" in network.stderr
    log_format = run("serve", "--log-format", "xml")
    assert log_format.returncode != 0 and "--log-format must be text or json" in log_format.stderr


def test_a_files_url_is_an_s3_bucket_or_refused_clearly():
    from server.config import Config, config_from_args

    def files_url(value: str) -> str:
        return config_from_args(argparse.Namespace(files_url=value)).files_url

    assert files_url("") == "" and Config().files_url == ""  # DATA_DIR/files
    assert files_url(" s3://mentorspace-files/programme ") == "s3://mentorspace-files/programme"
    for wrong in (
        "/srv/files",
        "https://s3.example.org/bucket",
        "s3://",
        "s3://bucket/p?x=1",
        "s3://key:secret@bucket",
    ):
        with pytest.raises(SystemExit, match="--files-url: a files URL is s3://bucket"):
            files_url(wrong)


# What /metrics says


async def test_metrics_count_sockets_events_and_commits(data_dir: Path):
    running = await started(data_dir, metrics_token=TOKEN)
    try:
        before = await scrape(running)
        assert before[("mentorspace_sockets_connected", ())] == 0
        ok_sends = (
            "mentorspace_socket_events_total",
            (("event", "message:send"), ("outcome", "ok")),
        )
        refused = (
            "mentorspace_socket_events_total",
            (("event", "message:send"), ("outcome", "refused")),
        )
        assert before[ok_sends] == 0 and before[refused] == 0

        mentee = await running.client("mentee1")
        sock = await mentee.socket()
        pair = await running.pair_channel_id(1)
        for n in range(3):
            await sock.send(pair, f"hello {n}")
        bad = await sock.call("message:send", {"channel_id": pair, "body": ""})
        assert bad["error"]["code"] == "invalid"

        after = await scrape(running)
        assert after[("mentorspace_sockets_connected", ())] == 1
        assert after[ok_sends] == 3 and after[refused] == 1
        commits = after[("mentorspace_write_commit_seconds_count", ())]
        batches = after[("mentorspace_write_batch_blocks_count", ())]
        assert commits >= before[("mentorspace_write_commit_seconds_count", ())] + 3
        assert batches == commits
        assert after[("mentorspace_write_batch_blocks_sum", ())] >= batches
        assert after[("process_resident_memory_bytes", ())] > 10 * 1024 * 1024
        assert after[("mentorspace_scheduler_lag_seconds", ())] >= 0
        await mentee.close()
        await eventually(
            lambda: running.app[keys.PRESENCE].socket_count() == 0
        )  # the hang-up is seen
        assert (await scrape(running))[("mentorspace_sockets_connected", ())] == 0
    finally:
        await running.stop()


async def test_each_app_has_its_own_registry(sqlite_demo_data: Path, tmp_path: Path):
    # two programmes in one process: two SQLite copies, on either engine's run
    first_dir, second_dir = tmp_path / "one", tmp_path / "two"
    shutil.copytree(sqlite_demo_data, first_dir)
    shutil.copytree(sqlite_demo_data, second_dir)
    first = await started(first_dir, metrics_token=TOKEN)
    second = await started(second_dir, metrics_token=TOKEN)
    try:
        assert first.app[keys.METRICS].registry is not second.app[keys.METRICS].registry
        mentee = await first.client("mentee1")
        sock = await mentee.socket()
        await sock.send(await first.pair_channel_id(1), "only on the first")
        name = ("mentorspace_socket_events_total", (("event", "message:send"), ("outcome", "ok")))
        assert (await scrape(first))[name] == 1
        assert (await scrape(second))[name] == 0
        await mentee.close()
    finally:
        await first.stop()
        await second.stop()


async def test_mail_outbox_depth_and_failures(data_dir: Path):
    dead_smtp = {"smtp_host": "127.0.0.1", "smtp_port": free_port(), "smtp_security": "none"}
    running = await started(data_dir, metrics_token=TOKEN, smtp_max_attempts=1, **dead_smtp)
    try:
        await running.store.write(
            lambda tx: tx.enqueue_mail(
                [("someone@example.org", "Hello", "Subject: Hello\r\n\r\nbody text")],
                "2000-01-01T00:00:00Z",
            )
        )
        running.app[keys.MAILER].poke()
        await eventually(lambda: running.app[keys.MAILER].given_up == 1)
        measured = await scrape(running)
        assert measured[("mentorspace_mail_outbox", (("state", "failed"),))] == 1
        assert measured[("mentorspace_mail_outbox", (("state", "pending"),))] == 0
        given_up = ("mentorspace_mail_failures_total", (("outcome", "given_up"),))
        assert measured[given_up] == 1
        text = json.dumps([list(key) for key in measured])
        assert "someone@example.org" not in text and "body text" not in text
    finally:
        await running.stop()


async def test_scheduler_lag_is_how_late_a_timed_pass_started():
    class Sleepy(Runner):
        passes = 0
        delay = 0.05

        async def run_pass(self) -> float:
            self.passes += 1
            return self.delay

    runner = Sleepy()
    runner.start()
    try:
        await eventually(lambda: runner.passes >= 1)
        blocked = runner.passes
        time.sleep(0.4)  # noqa: ASYNC251 (blocks the loop: the next pass cannot start on time)
        await eventually(lambda: runner.passes > blocked)
        assert runner.lag_seconds >= 0.3  # due 0.05 s after the pass, started 0.4 s after it
        runner.delay = 3600.0
        await eventually(lambda: runner.passes > blocked + 1)
        woken = runner.passes
        runner.wake()  # work made due on purpose: not late
        await eventually(lambda: runner.passes > woken)
        assert runner.lag_seconds == 0.0
    finally:
        await runner.stop()


# Nothing a pair writes reaches the operators' tools


async def test_a_pair_message_never_reaches_metrics_health_checks_or_json_logs(data_dir: Path):
    """The real `mentorspace serve`, logging JSON at debug level, while a mentee writes, edits
    and searches for a marker in her pair channel; a coordinator is logged in too."""
    marker = f"zqx{uuid.uuid4().hex[:10]}"
    process = ServerProcess(data_dir, free_port())
    flags = ["--log-level", "debug", "--log-format", "json", "--metrics-token", TOKEN]
    if url := databases.database_url(data_dir):  # the suite on PostgreSQL: the test's database
        flags += ["--database-url", url]
    await asyncio.to_thread(process.start, 30, flags)
    try:
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as mentee:
            login = {"email": email("mentee1"), "password": DEMO_PASSWORD}
            async with mentee.post(f"{process.url}/api/v1/session", json=login) as response:
                assert response.status == 200
            async with mentee.get(f"{process.url}/api/v1/channels") as response:
                channels = (await response.json())["channels"]
            pair = next(c["id"] for c in channels if c["kind"] == "pair")
            token = next(c.value for c in mentee.cookie_jar if c.key == cookie_name(False))
            sock = socketio.AsyncClient(reconnection=False)
            await sock.connect(
                process.url,
                headers={"Cookie": f"{cookie_name(False)}={token}"},
                transports=["websocket"],
                wait_timeout=CONNECT_WAIT,
            )
            sent = await sock.call(
                "message:send",
                {"channel_id": pair, "body": f"private {marker}", "client_id": str(uuid.uuid4())},
            )
            assert sent.get("ok"), sent
            edited = await sock.call(
                "message:edit",
                {"message_id": sent["message"]["id"], "body": f"still private {marker}"},
            )
            assert edited.get("ok"), edited
            async with mentee.get(f"{process.url}/search", params={"q": marker}) as response:
                assert response.status == 200
                assert marker in await response.text()  # she finds her own words
            async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as coord:
                login = {"email": email("coordinator"), "password": DEMO_PASSWORD}
                async with coord.post(f"{process.url}/api/v1/session", json=login) as response:
                    assert response.status == 200
                answers = {}
                for path, headers in (
                    ("/metrics", WITH_TOKEN),
                    ("/readyz", {}),
                    ("/healthz", {}),
                ):
                    async with coord.get(f"{process.url}{path}", headers=headers) as response:
                        assert response.status == 200
                        answers[path] = await response.text()
            await sock.disconnect()
        assert "mentorspace_socket_events_total" in answers["/metrics"]
        for path, text in answers.items():
            assert marker not in text, path
            assert "mentee1" not in text and "@" not in text, path
    finally:
        await asyncio.to_thread(process.stop)
    lines = [line for line in process.log_path.read_text().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in entries)
    access = [e for e in entries if e["logger"] == "aiohttp.access"]
    assert any("GET /metrics" in e.get("first_request_line", "") for e in access)
    assert any("/search?q=[redacted]" in e["message"] for e in access)
    assert marker not in process.log_path.read_text()


# The deployment guide


GUIDE = (Path(__file__).resolve().parent.parent / "docs" / "deploy.md").read_text()


def test_the_deployment_guide_lists_every_setting():
    from server.config import SETTINGS

    for _flag, env, _default, _help in SETTINGS:
        assert env in GUIDE, f"docs/deploy.md does not list {env}"


async def test_the_deployment_guide_names_every_metric(data_dir: Path):
    running = await started(data_dir, metrics_token=TOKEN)
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{running.url}/metrics", headers=WITH_TOKEN) as response:
                families = list(text_string_to_metric_families(await response.text()))
    finally:
        await running.stop()
    ours = [
        family.name
        for family in families  # (prometheus-client adds a `_created` time to each counter)
        if family.name.startswith("mentorspace_") and not family.name.endswith("_created")
    ]
    assert len(ours) == 8
    for name in ours:
        assert f"`{name}" in GUIDE, f"docs/deploy.md does not describe the metric {name}"
    assert "process_resident_memory_bytes" in GUIDE
