"""`scripts/bench.py --search`: how fast search answers in a big programme.

Fills a fresh database through the storage interface (a few big write blocks, each message
through `add_message`, so the search index is kept by its triggers exactly as in use): N
messages over C channels (four in five pair channels of two people, the rest communities),
words drawn from a made-up vocabulary with a natural (Zipf) spread, so a few words are in
almost every message and most are rare.  Then it times the domain's search call
(`channels.search.searching.search`: the readable channels worked out from the policy, the
query parsed, hits ranked, snippets made) for a person who reads 5 % of the channels, over
queries of several kinds, and prints one JSON line with p50/p99 overall and per kind.  A second
person, who reads 20 %, shows how it grows with what one may read.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import tempfile
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import storage
from channels.chat.directory import set_up_programme
from channels.chat.messages import add_message
from channels.clock import SYSTEM_CLOCK, iso
from channels.search.searching import search
from storage import Tx
from storage.records import User

VOCABULARY = 20_000
ZIPF = 1.07
BLOCK = 10_000  # messages per write block (one transaction)
SECRET = b"bench"
SYLLABLES = [c + v for c in "bcdfghjklmnprstvwz" for v in "aeiou"] + ["an", "en", "in", "or"]


def make_vocabulary(rng: random.Random) -> list[str]:
    words: list[str] = []
    seen: set[str] = set()
    while len(words) < VOCABULARY:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if word not in seen:
            seen.add(word)
            words.append(word)
    return words  # rank order: the first is the commonest


def percentiles(values_ms: list[float]) -> dict[str, float | None]:
    ordered = sorted(values_ms)
    if not ordered:
        return {"p50": None, "p99": None, "n": 0}

    def rank(p: float) -> float:
        index = max(0, min(len(ordered) - 1, -(-len(ordered) * p // 100) - 1))
        return round(ordered[int(index)], 2)

    return {"p50": rank(50), "p99": rank(99), "n": len(ordered)}


async def fill(store: Any, args: Any, rng: random.Random, words: list[str]) -> dict[str, Any]:
    """The programme: people, channels, members and messages; returns who reads what."""
    now = iso(SYSTEM_CLOCK.now())
    await set_up_programme(store)
    pairs = args.search_channels * 4 // 5
    communities = args.search_channels - pairs

    async def people_and_channels(tx: Tx) -> dict[str, Any]:
        def person(role: str, n: int) -> Any:
            return tx.insert_user(
                email=f"{role}{n}@bench.example",
                name=f"{role} {n}",
                role=role,
                password_hash=None,
                now=now,
            )

        narrow = await person("mentor", 0)
        wide = await person("mentor", 1)
        members: dict[int, list[int]] = {}
        channel_ids = []
        for n in range(pairs):
            mentor, mentee = await person("mentor", 10 + n), await person("mentee", n)
            channel = await tx.insert_channel(kind="pair", name=f"pair {n}", now=now)
            members[channel.id] = [mentor.id, mentee.id]
            channel_ids.append(channel.id)
        for n in range(communities):
            channel = await tx.insert_channel(kind="community", name=f"community {n}", now=now)
            members[channel.id] = []
            channel_ids.append(channel.id)
        authors = [await person("mentee", 10_000 + n) for n in range(50)]
        for channel_id in channel_ids:
            for user_id in members[channel_id]:
                await tx.add_member(channel_id, user_id, now)
            if not members[channel_id]:  # a community: a few regular writers
                members[channel_id] = [a.id for a in rng.sample(authors, 5)]
                for user_id in members[channel_id]:
                    await tx.add_member(channel_id, user_id, now)
        # The readers: members (as a pair's mentor would be, or a community member) of 5 %
        # and of 20 % of the channels.
        shuffled = rng.sample(channel_ids, len(channel_ids))
        narrow_ids = shuffled[: max(1, len(channel_ids) * args.search_share // 100)]
        wide_ids = shuffled[: max(1, len(channel_ids) * 20 // 100)]
        for channel_id in narrow_ids:
            await tx.add_member(channel_id, narrow.id, now)
        for channel_id in wide_ids:
            await tx.add_member(channel_id, wide.id, now)
        return {
            "narrow": narrow,
            "wide": wide,
            "members": members,
            "channel_ids": channel_ids,
            "narrow_ids": narrow_ids,
            "wide_ids": wide_ids,
        }

    made = await store.write(people_and_channels)
    weights = list(itertools.accumulate(1 / (rank + 1) ** ZIPF for rank in range(len(words))))
    channel_ids, members = made["channel_ids"], made["members"]
    total = args.search_messages
    samples: list[list[str]] = []  # a few messages' words, for phrase queries
    started = time.perf_counter()
    written = 0
    while written < total:
        count = min(BLOCK, total - written)
        batch = []
        for k in range(count):
            channel_id = channel_ids[(written + k) % len(channel_ids)]
            body_words = rng.choices(words, cum_weights=weights, k=rng.randint(3, 40))
            batch.append((channel_id, rng.choice(members[channel_id]), " ".join(body_words)))
            if channel_id in made["narrow_ids"] and len(samples) < 2000:
                samples.append(body_words)

        async def write(tx: Tx, batch=batch) -> None:
            for channel_id, author_id, body in batch:
                await add_message(
                    tx,
                    channel_id=channel_id,
                    author_id=author_id,
                    kind="text",
                    body=body,
                    html=f"<p>{body}</p>",
                    now=now,
                )

        await store.write(write)
        written += count
    made["fill_s"] = round(time.perf_counter() - started, 1)
    made["samples"] = samples
    return made


def make_queries(rng: random.Random, words: list[str], samples: list[list[str]], n: int):
    """(kind, query) pairs: single words by how common they are (the last word typed is also
    a prefix, as people type), two words, a phrase from a real message, an explicit prefix."""
    kinds = {
        "common_word": lambda: rng.choice(words[:100]),
        "medium_word": lambda: rng.choice(words[100:2000]),
        "rare_word": lambda: rng.choice(words[2000:]),
        "two_words": lambda: f"{rng.choice(words[:2000])} {rng.choice(words[:2000])}",
        "phrase": lambda: _phrase(rng, samples),
        "prefix": lambda: rng.choice([w for w in words[100:2000] if len(w) >= 4])[:3] + "*",
    }
    return [(kind, make()) for kind, make in kinds.items() for _ in range(n)]


def _phrase(rng: random.Random, samples: list[list[str]]) -> str:
    body = rng.choice(samples)
    start = rng.randrange(max(1, len(body) - 1))
    return '"' + " ".join(body[start : start + 2]) + '"'


async def measure(store: Any, reader: User, queries, zone: ZoneInfo) -> dict[str, Any]:
    for _, q in queries[:20]:  # warm the page cache
        await search(store, reader, {"q": q}, zone=zone, secret=SECRET)
    by_kind: dict[str, list[float]] = {}
    cpu: list[float] = []
    found = 0
    for kind, q in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        results = await search(store, reader, {"q": q}, zone=zone, secret=SECRET)
        by_kind.setdefault(kind, []).append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
        found += bool(results.results)
    every = [ms for values in by_kind.values() for ms in values]
    return {
        "search_ms": percentiles(every),
        # This process's CPU for each search (its SQLite threads included): what the search
        # itself costs, much less swayed than the time by other programs on a busy machine.
        "search_cpu_ms": percentiles(cpu),
        "by_kind_ms": {kind: percentiles(values) for kind, values in by_kind.items()},
        "queries_with_hits": found,
    }


def _size(directory: Path) -> int:
    return sum(path.stat().st_size for path in directory.iterdir())


async def run_search_bench(args: Any, busy_s) -> dict[str, Any]:
    rng = random.Random(args.seed)
    words = make_vocabulary(rng)
    with tempfile.TemporaryDirectory(prefix="mentorspace-search-bench-") as workdir:
        store = await storage.open_store(Path(workdir))
        try:
            made = await fill(store, args, rng, words)
            queries = make_queries(rng, words, made["samples"], args.queries)
            zone = ZoneInfo("UTC")
            machine_before = busy_s()
            cpu_before = time.process_time()
            started = time.perf_counter()
            narrow = await measure(store, made["narrow"], queries, zone)
            wide = await measure(store, made["wide"], queries, zone)
            elapsed = time.perf_counter() - started
            ours = time.process_time() - cpu_before
            other = max(0.0, (busy_s() - machine_before) - ours)
            size = await asyncio.to_thread(_size, Path(workdir))
        finally:
            await store.close()
    return {
        "messages": args.search_messages,
        "channels": args.search_channels,
        "fill_s": made["fill_s"],
        "database_mb": round(size / 2**20, 1),
        "reader_channels": len(made["narrow_ids"]),
        "queries": len(queries),
        **narrow,
        "wide_reader": {"reader_channels": len(made["wide_ids"]), **wide},
        "other_cpu_s": round(other, 1),
        "measured_s": round(elapsed, 1),
    }


def main(args: Any, busy_s) -> int:
    result = asyncio.run(run_search_bench(args, busy_s))
    print(json.dumps(result), flush=True)
    return 0
