"""How search results look on the wire (JSON)."""

from __future__ import annotations

from typing import Any

from channels.files.wire import attachment_json
from channels.library.wire import resource_json
from channels.search.searching import Result, Results
from storage.records import FileHit


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


def file_hit_json(hit: FileHit) -> dict[str, Any]:
    """A file found by its name: the file (as an attachment is) and where it was sent."""
    return {
        **attachment_json(hit.file),
        "channel": {"id": hit.channel_id, "name": hit.channel_name, "kind": hit.channel_kind},
        "message_id": hit.file.message_id,
        "thread_id": hit.thread_id,
        "created_at": hit.file.created_at,
    }


def results_json(results: Results) -> dict[str, Any]:
    """`files` and `resources` (found by name or title) come with the first page only."""
    return {
        "query": results.query,
        "results": [result_json(result) for result in results.results],
        "next_cursor": results.next_cursor,
        "files": [file_hit_json(hit) for hit in results.files],
        "resources": [
            resource_json(r, file=results.library_files.get(r.file_id) if r.file_id else None)
            for r in results.resources
        ],
    }
