"""`GET /metrics` in Prometheus's text format, through prometheus-client.

Each app has a registry of its own (never the library's global one), so several servers in
one process, as in the tests, keep apart.  What is measured:

- `mentorspace_sockets_connected`: open, logged-in sockets on this process;
- `mentorspace_socket_events_total{event, outcome}`: events received from clients, by the
  event's name (only the names the server handles) and ok, refused (an error ACK: bad input,
  not allowed, too fast) or failed (a bug; logged); `rate()` gives events per second;
- `mentorspace_write_batch_blocks` and `mentorspace_write_commit_seconds`: histograms of the
  write blocks that share one commit, and of the time from BEGIN IMMEDIATE to the end of
  COMMIT (the fsync included), per batch;
- `mentorspace_mail_outbox{state}`: mails waiting to be sent (pending) and given up (failed),
  read from the database at each scrape; `mentorspace_mail_failures_total{outcome}`: failed
  attempts on this process, retried or given up;
- `mentorspace_scheduler_lag_seconds`: how late the scheduler's last timed pass started;
- `process_*`: prometheus-client's process collector (resident memory, CPU, open files).

Labels only ever take values from fixed sets, so no message text, name or e-mail address can
reach a metric.  Reading them needs MENTORSPACE_METRICS_ALLOW and/or MENTORSPACE_METRICS_TOKEN;
with neither, /metrics answers 404.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import AsyncIterator, Iterable, Iterator

from aiohttp import web
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from channels.errors import Forbidden, MentorspaceError, NotFound, Unauthenticated
from channels.languages import N_
from server import keys
from server.auth import client_address

OUTCOMES = ("ok", "refused", "failed")
MAIL_STATES = ("pending", "failed")
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256)
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

routes = web.RouteTableDef()


class Metrics:
    """The app's registry and the instruments the rest of the server feeds."""

    def __init__(self, app: web.Application, event_names: Iterable[str]) -> None:
        self.registry = CollectorRegistry()
        self._event_names = frozenset(event_names)
        self.events = Counter(
            "mentorspace_socket_events",
            "Socket.io events received from clients, by event name and outcome.",
            ["event", "outcome"],
            registry=self.registry,
        )
        for name in sorted(self._event_names):  # every series exists from the start, at 0
            for outcome in OUTCOMES:
                self.events.labels(name, outcome)
        self.batch_blocks = Histogram(
            "mentorspace_write_batch_blocks",
            "Write blocks committed together in one transaction.",
            buckets=BATCH_BUCKETS,
            registry=self.registry,
        )
        self.commit_seconds = Histogram(
            "mentorspace_write_commit_seconds",
            "Seconds from BEGIN IMMEDIATE to the end of COMMIT, per write batch.",
            buckets=COMMIT_BUCKETS,
            registry=self.registry,
        )
        self.outbox = Gauge(
            "mentorspace_mail_outbox",
            "Mails in the outbox: pending (not sent yet) or failed (given up).",
            ["state"],
            registry=self.registry,
        )
        self.registry.register(_LiveState(app))
        ProcessCollector(registry=self.registry)

    def count_event(self, name: str, outcome: str) -> None:
        if name in self._event_names and outcome in OUTCOMES:
            self.events.labels(name, outcome).inc()

    def observe_commit(self, blocks: int, seconds: float) -> None:
        """A storage commit observer (runs on the writer thread; the instruments are locked)."""
        self.batch_blocks.observe(blocks)
        self.commit_seconds.observe(seconds)


RUNNERS = (
    keys.SCHEDULER,
    keys.QUESTIONNAIRES,
    keys.MAILER,
    keys.AWAY_MAILER,
    keys.DIGESTS,
    keys.UPLOAD_SWEEPER,
)


class _LiveState(Collector):
    """What is read off the running app at each scrape."""

    def __init__(self, app: web.Application) -> None:
        self._app = app

    def collect(self) -> Iterator[Metric]:
        app = self._app
        yield GaugeMetricFamily(
            "mentorspace_sockets_connected",
            "Open, logged-in socket.io connections on this process.",
            value=app[keys.PRESENCE].socket_count(),
        )
        failures = CounterMetricFamily(
            "mentorspace_mail_failures",
            "Failed attempts to send a mail on this process: retried later, or given up.",
            labels=["outcome"],
        )
        mailer = app.get(keys.MAILER)
        failures.add_metric(["retried"], mailer.retried if mailer else 0)
        failures.add_metric(["given_up"], mailer.given_up if mailer else 0)
        yield failures
        yield GaugeMetricFamily(
            "mentorspace_scheduler_lag_seconds",
            "How late the scheduler's last timed pass started, in seconds.",
            value=app[keys.SCHEDULER].lag_seconds,
        )
        passes = GaugeMetricFamily(
            "mentorspace_runner_last_pass_timestamp_seconds",
            "When the last finished pass of each background runner on this process began.",
            labels=["runner"],
        )
        for key in RUNNERS:
            runner = app.get(key)
            if runner is not None and runner.last_pass_at is not None:
                passes.add_metric([runner.name], runner.last_pass_at)
        yield passes


async def watch_store(app: web.Application) -> AsyncIterator[None]:
    """cleanup_ctx, after the store opens: measure its commits."""
    app[keys.STORE].observe_commits(app[keys.METRICS].observe_commit)
    yield


def check_metrics_access(request: web.Request) -> None:
    """Off unless configured; then only from an allowed network and/or with the token."""
    config = request.app[keys.CONFIG]
    if not config.metrics_allow and not config.metrics_token:
        raise NotFound(
            N_("Metrics are off: set MENTORSPACE_METRICS_ALLOW or MENTORSPACE_METRICS_TOKEN.")
        )
    if config.metrics_allow:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            address = None
        if address is None or not any(address in network for network in config.metrics_allow):
            raise Forbidden(N_("This address may not read the metrics."))
    if config.metrics_token:
        given = request.headers.get("Authorization", "").encode()
        expected = f"Bearer {config.metrics_token}".encode()
        if not hmac.compare_digest(given, expected):
            raise Unauthenticated(
                N_("The metrics need the bearer token (Authorization: Bearer …).")
            )


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Refusals are plain text for the scraper (the error pages would send it to /login)."""
    try:
        check_metrics_access(request)
    except MentorspaceError as error:
        asks = {"WWW-Authenticate": 'Bearer realm="metrics"'} if error.status == 401 else {}
        return web.Response(status=error.status, text=f"{error.message}\n", headers=asks)
    app = request.app
    measured = app[keys.METRICS]
    counts = await app[keys.STORE].count_mail()
    for state in MAIL_STATES:
        measured.outbox.labels(state).set(counts[state])
    return web.Response(
        body=generate_latest(measured.registry),
        headers={"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"},
    )
