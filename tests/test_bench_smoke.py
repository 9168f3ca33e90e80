"""The benchmark script runs end to end with tiny numbers.  It asserts shape and loss, never
timing: speed is measured by running scripts/bench.py by hand (see the README)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest

from . import databases
from .conftest import require_service
from .test_scale_out import _redis_reachable

BENCH = Path(__file__).resolve().parent.parent / "scripts" / "bench.py"
INDEX_WRITES = BENCH.with_name("index_write_bench.py")
IDLE_SOCKETS = BENCH.with_name("idle_sockets.py")
FANOUT = BENCH.with_name("fanout_bench.py")


@pytest.mark.long
def test_bench_prints_one_json_line_and_loses_nothing():
    done = subprocess.run(
        [
            *(sys.executable, str(BENCH), "--clients", "3", "--senders", "2"),
            *("--messages", "30", "--warmup", "2", "--procs", "1", "--timeout", "30"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    result = json.loads(lines[0])
    for key in ("send_ack_ms", "delivery_ms"):
        assert set(result[key]) == {"p50", "p95", "p99"}
    assert result["persisted_per_s"] > 0
    assert result["server_peak_rss_mb"] > 0
    assert (result["sent"], result["acked"], result["errors"]) == (30, 30, 0)
    assert result["lost"] == 0
    assert result["duplicates"] == 0
    assert result["deliveries"] == 3 * 30  # every client gets every message
    assert result["server_cpu_us_per_delivery"] >= 0  # CPU ticks are 10 ms: may read 0 here
    assert result["python_loop_ms"] > 0


def test_fanout_bench_gives_each_variant_its_cost_once_every_socket_has_every_event():
    variants = ["library/asyncio", "fanout/uvloop"]
    done = subprocess.run(
        [
            *(sys.executable, str(FANOUT), "--sockets", "3", "--events", "20"),
            *("--rate", "200", "--rounds", "1", "--variants", *variants),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    *runs, summary = [json.loads(line) for line in done.stdout.splitlines()]
    assert [run["variant"] for run in runs] == variants
    assert all(run["server_cpu_us_per_delivery"] >= 0 for run in runs)  # 10 ms CPU ticks
    assert set(summary["median_server_cpu_us_per_delivery"]) == set(variants)


@pytest.mark.long
def test_bench_flood_compares_the_normal_load_with_and_without_an_abusive_client():
    done = subprocess.run(
        [
            *(sys.executable, str(BENCH), "--flood", "--clients", "3", "--senders", "2"),
            *("--messages", "12", "--rate", "6", "--warmup", "2", "--procs", "1"),
            *("--timeout", "30"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    result = json.loads(lines[0])
    assert set(result["delivery_p99_ms"]) == {"without_flood", "with_flood"}
    for run in (result["without_flood"], result["with_flood"]):
        assert (run["sent"], run["acked"], run["errors"], run["lost"]) == (12, 12, 0, 0)
    flooder = result["flooder"]
    assert flooder["refused"] > 0 and flooder["accepted"] < flooder["sent"]
    assert flooder["other_errors"] == 0


def test_bench_flood_refuses_a_normal_load_over_the_limits():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--flood", "--clients", "2", "--rate", "50"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0 and "per-person limit" in done.stderr


def test_bench_search_fills_a_database_and_times_searches():
    done = subprocess.run(
        [
            *(sys.executable, str(BENCH), "--search", "--search-messages", "600"),
            *("--search-channels", "40", "--queries", "3"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 1, done.stdout
    result = json.loads(lines[0])
    assert (result["messages"], result["channels"], result["reader_channels"]) == (600, 40, 2)
    assert result["queries"] == 18 and result["search_ms"]["n"] == 18
    assert set(result["by_kind_ms"]) == {
        "common_word",
        "medium_word",
        "rare_word",
        "two_words",
        "phrase",
        "prefix",
    }
    assert result["search_ms"]["p99"] >= result["search_ms"]["p50"] > 0
    assert result["search_cpu_ms"]["n"] == 18 and result["search_cpu_ms"]["p99"] > 0
    assert result["queries_with_hits"] > 0  # the words searched for are there to be found
    assert result["wide_reader"]["reader_channels"] == 8


def test_index_write_bench_writes_with_and_without_the_index():
    done = subprocess.run(
        [sys.executable, str(INDEX_WRITES), "--messages", "40", "--writers", "2", "--rounds", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert result["messages"] == 40 and result["writers"] == 2
    for runs in result["cpu_ms_per_message"].values():
        assert len(runs) == 1 and runs[0] > 0
    assert {"index_ms_per_message", "other_cpu_s"} <= set(result)


def test_idle_sockets_all_connect_and_all_get_the_probe():
    done = subprocess.run(
        [sys.executable, str(IDLE_SOCKETS), "--sockets", "5", "--procs", "1", "--hold", "0"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    [line] = done.stdout.splitlines()
    result = json.loads(line)
    assert (result["connected"], result["probe_received"], result["dropped"]) == (5, 5, 0)
    assert result["server_rss_after_idle_mb"] > 0 and result["kb_per_socket"] is not None


@pytest.mark.long
async def test_bench_runs_two_nodes_on_postgresql_and_redis_and_loses_nothing():
    require_service("PostgreSQL", await asyncio.to_thread(databases.postgres_reachable))
    require_service("Redis on 127.0.0.1:6379", await _redis_reachable())
    done = await asyncio.to_thread(
        subprocess.run,
        [
            *(sys.executable, str(BENCH), "--database-url", databases.ADMIN_URL, "--nodes", "2"),
            *("--clients", "4", "--senders", "2", "--messages", "20", "--warmup", "2"),
            *("--procs", "1", "--timeout", "30"),
        ],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert (result["nodes"], result["database"]) == (2, "postgresql")
    assert (result["sent"], result["acked"], result["lost"], result["duplicates"]) == (20, 20, 0, 0)
    assert result["deliveries"] == 4 * 20  # clients on both nodes got every message
