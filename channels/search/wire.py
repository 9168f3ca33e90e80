"""How search results look on the wire (JSON)."""

from __future__ import annotations

from typing import Any

from channels.search.searching import Result, Results


def result_json(result: Result) -> dict[str, Any]:
    """A hit.  `kind` says which one: "message" (a message or a thread reply; `thread_id` is
    its thread's root, null for a top-level message).  `snippet` is HTML: escaped text with the
    matches in <mark>."""
    hit = result.message
    return {
        "kind": result.kind,
        "channel": {"id": hit.channel_id, "name": hit.channel_name, "kind": hit.channel_kind},
        "message_id": hit.message_id,
        "thread_id": hit.thread_id,
        "author": None
        if hit.author_id is None
        else {"id": hit.author_id, "name": hit.author_name or ""},
        "created_at": hit.created_at,
        "seq": hit.seq,
        "snippet": result.snippet_html,
    }


def results_json(results: Results) -> dict[str, Any]:
    return {
        "query": results.query,
        "results": [result_json(result) for result in results.results],
        "next_cursor": results.next_cursor,
    }
