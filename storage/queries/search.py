"""Full-text search over messages: SQLite FTS5 (the `message_search` index of migrations 0007
and 0011, kept in step with `messages` by triggers); on PostgreSQL its own full-text search
(the `messages.search` tsvector of migrations/postgres/0007, with a GIN index).  Only the one
pass of the index (`_walk`) differs between them: `fts5_expression` and `tsquery_sql` below
say how each engine is asked for the same words.

The caller says which channels to look in (those the person may read, worked out by the
domain from the policy); nothing outside them is ever returned, whatever the words.  The index
holds each message's channel as a token (`c42`) beside its words, so a search names the
person's channels to FTS5 (`channel_scope`) and the index walks only hits that person may
read; every hit's channel is still checked in `messages`, so what is found never rests on the
index alone.  Search terms arrive as plain words (`SearchTerm`): this module alone writes FTS5
query syntax, and it quotes every word inside `body : (…)`, so what people type can never be
an operator, a column filter (the channel column among them) or a syntax error.

A search is one pass of the index, newest hit first, reading at most RANK_AT_MOST + 1 hits
with their text (`highlight()`).  More than RANK_AT_MOST: the page is the newest, every score
0.  Else the hits are ranked by BM25 computed from these hits alone (storage/queries/
search_hits.py), lower scores first, newest first among equals.  So what is counted and what
ranks is only ever what the person may read.  A page ends at a `SearchPosition` and the next one
starts after it (keyset, so no hit is skipped or repeated while the index stands still; the
cursor's score says which order it continues).
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from typing import Any

from ..dialect import differs
from ..records import (
    FileHit,
    MessageHit,
    SearchPosition,
    SearchTerm,
    StoredFile,
)
from .base import QueryBase, json_list, record
from .search_hits import Marked, ranked

# Ranking costs per hit (its whole text is read), and among thousands of hits of a word in most
# messages it says next to nothing: past this many hits they come newest first instead (score
# 0), and the pass of the index stops there.
RANK_AT_MOST = 500
SNIPPET_TOKENS = 16  # words of context around the matches
# Up to this many channels, a search names them to the index (one OR'd token each), which then
# walks only the hits in them.  Each named channel costs a look-up in the index and a step at
# every hit, so past this many (a coordinator reads every lounge and community) the words are
# looked for everywhere and each hit's channel checked in `messages`: most hits are in the
# person's channels then.  Both plans find the same hits; measured on the search benchmark's
# 200,000 messages, naming the channels gave the lower p99 up to about 50 of them, and both
# p50 and p99 were lower looking everywhere at 100 (README, "Speed").
CHANNEL_SCOPE_AT_MOST = 50


def _quoted(text: str) -> str:
    """An FTS5 string: whatever it holds is words to match, never syntax."""
    return '"' + text.replace('"', '""') + '"'


def fts5_expression(terms: Iterable[SearchTerm]) -> str:
    """The MATCH expression: every term, in the body column (`""` when no term has a word)."""
    parts = []
    for term in terms:
        words = [word for word in term.words if word.strip()]
        if words:
            parts.append(_quoted(" ".join(words)) + (" *" if term.prefix else ""))
    if not parts:
        return ""
    return f"body : ({' '.join(parts)})"


def tsquery_sql(terms: Iterable[SearchTerm]) -> tuple[str, dict[str, str]]:
    """PostgreSQL's counterpart of `fts5_expression`: SQL for a tsquery that holds every term
    (a phrase of its words, the last one a prefix if the term says so), and its parameters.
    The words are only ever parameters, parsed as the messages were ('mentorspace_search': lower-cased,
    every word kept), so what people type can never be tsquery syntax."""
    parts, params = [], {}
    for n, term in enumerate(terms):
        words = [word for word in term.words if word.strip()]
        if not words:
            continue
        if term.prefix:
            head, last = words[:-1], words[-1]
            params[f"prefix{n}"] = last
            part = f"to_tsquery('mentorspace_search', quote_literal(:prefix{n}) || ':*')"
            if head:
                params[f"words{n}"] = " ".join(head)
                part = f"tsquery_phrase(phraseto_tsquery('mentorspace_search', :words{n}), {part})"
        else:
            params[f"words{n}"] = " ".join(words)
            part = f"phraseto_tsquery('mentorspace_search', :words{n})"
        parts.append(f"({part})")
    return " && ".join(parts), params


def channel_scope(channel_ids: Iterable[int]) -> str:
    """The FTS5 expression for "in one of these channels": their tokens in the channel column
    (migration 0011 writes `c` and the id)."""
    tokens = " OR ".join(_quoted(f"c{int(channel_id)}") for channel_id in channel_ids)
    return f"channel : ({tokens})"


class SearchQueries(QueryBase):
    async def search_messages(
        self,
        terms: list[SearchTerm],
        *,
        channel_ids: list[int],
        author_id: int | None = None,
        after: str | None = None,
        before: str | None = None,
        cursor: SearchPosition | None = None,
        limit: int,
    ) -> list[MessageHit]:
        """Up to `limit` messages in `channel_ids` whose text matches every term, best first,
        after `cursor`; by `author_id`, created at or after `after` and before `before` (ISO
        times) when given."""
        channels = sorted(set(channel_ids))
        match = fts5_expression(terms)
        if not match or not channels:
            return []
        if len(channels) <= CHANNEL_SCOPE_AT_MOST:
            match = f"{channel_scope(channels)} AND {match}"
        # Random markers: marker characters a message holds itself are never taken for one.
        nonce = secrets.token_hex(8)
        marks = (f"[{nonce}[", f"]{nonce}]")
        tsquery, tsquery_params = tsquery_sql(terms)
        walk = {
            **tsquery_params,
            "headline": f'StartSel="{marks[0]}", StopSel="{marks[1]}", HighlightAll=true',
            # ts_headline marks each word of a phrase; FTS5 marks the phrase, once.
            "joined": re.escape(marks[1]) + r"(\W*)" + re.escape(marks[0]),
            "match": match,
            "channels": json_list(channels),
            "author": author_id,
            "after": after,
            "before": before,
            "start": marks[0],
            "end": marks[1],
        }
        page: list[tuple[float, int]]
        if cursor is not None and cursor.score == 0.0:
            # Newest first, carried on: the page's hits only, older than the cursor's.
            hits = await self._walk(walk, tsquery, older_than=cursor.message_id, most=limit)
            page = [(0.0, message_id) for message_id in hits][:limit]
        else:
            # At most one more than can be ranked: reading them says which order this is.
            hits = await self._walk(walk, tsquery, older_than=2**62, most=RANK_AT_MOST + 1)
            if cursor is None and len(hits) > RANK_AT_MOST:
                page = [(0.0, message_id) for message_id in hits][:limit]
            else:
                page = [
                    (score, message_id)
                    for score, message_id in ranked(list(hits.items()), *marks)
                    if cursor is None
                    or score > cursor.score
                    or (score == cursor.score and message_id < cursor.message_id)
                ][:limit]
        if not page:
            return []
        found = {
            row["id"]: row
            for row in await self._all(
                "SELECT m.id, m.channel_id, c.name AS channel_name, c.kind AS channel_kind,"
                " m.thread_id, m.author_id, u.name AS author_name, m.kind, m.created_at, m.seq"
                " FROM messages m JOIN channels c ON c.id = m.channel_id"
                " LEFT JOIN users u ON u.id = m.author_id"
                " WHERE m.id IN (SELECT value FROM json_each(:ids))"
                # Checked again: a message deleted or moved away since the walk is not shown.
                " AND m.channel_id IN (SELECT value FROM json_each(:channels))"
                " AND m.deleted_at IS NULL",
                {
                    "ids": json_list(message_id for _, message_id in page),
                    "channels": walk["channels"],
                },
            )
        }
        return [
            MessageHit(
                message_id=message_id,
                channel_id=row["channel_id"],
                channel_name=row["channel_name"],
                channel_kind=row["channel_kind"],
                thread_id=row["thread_id"],
                author_id=row["author_id"],
                author_name=row["author_name"],
                kind=row["kind"],
                created_at=row["created_at"],
                seq=row["seq"],
                snippet=Marked.parse(hits[message_id], *marks).snippet(SNIPPET_TOKENS),
                score=score,
            )
            for score, message_id in page
            if (row := found.get(message_id)) is not None
        ]

    async def _walk(
        self, walk: dict[str, Any], tsquery: str, *, older_than: int, most: int
    ) -> dict[int, str | None]:
        """The hits older than `older_than`, newest first, at most `most`, each with its text and
        the matches between the walk's markers.  The one pass of the index a search makes
        (CROSS JOIN: the index drives, never a search per message of those channels); each
        hit's channel is checked in `messages` even when the index was told the channels.
        PostgreSQL: the GIN index of `messages.search` finds the hits, `ts_headline` marks the
        matches in the whole text (as `highlight()`)."""
        postgres = f"""
            SELECT m.id, regexp_replace(
                       ts_headline('mentorspace_search', m.body, q.query, :headline),
                       :joined, '\\1', 'g')
              FROM messages m, (SELECT {tsquery} AS query) AS q
             WHERE m.search @@ q.query AND m.id < :older_than
               AND m.channel_id IN (SELECT value FROM json_each(:channels))
               AND m.deleted_at IS NULL
               AND (:author IS NULL OR m.author_id = :author)
               AND (:after IS NULL OR m.created_at >= :after)
               AND (:before IS NULL OR m.created_at < :before)
             ORDER BY m.id DESC LIMIT :most
            """
        sqlite = """
            SELECT m.id, highlight(message_search, 0, :start, :end)
              FROM message_search CROSS JOIN messages m ON m.id = message_search.rowid
             WHERE message_search MATCH :match AND message_search.rowid < :older_than
               AND m.channel_id IN (SELECT value FROM json_each(:channels))
               AND m.deleted_at IS NULL
               AND (:author IS NULL OR m.author_id = :author)
               AND (:after IS NULL OR m.created_at >= :after)
               AND (:before IS NULL OR m.created_at < :before)
             ORDER BY message_search.rowid DESC LIMIT :most
            """
        rows = await self._all(
            differs(sqlite, postgres=postgres),
            {**walk, "older_than": older_than, "most": most},
        )
        return {row[0]: row[1] for row in rows}

    async def list_channel_files(
        self,
        *,
        channel_ids: list[int],
        name_contains: str = "",
        uploader_id: int | None = None,
        after: str | None = None,
        before: str | None = None,
        limit: int,
    ) -> list[FileHit]:
        """Files attached to messages (not deleted) in `channel_ids`, newest first, whose name
        holds `name_contains` (ASCII letters compared without case; the caller matches the
        words exactly): a first sieve for finding files by name."""
        pattern = (
            "%" + name_contains.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        )
        rows = await self._all(
            "SELECT f.*, m.channel_id, m.thread_id, c.name AS channel_name,"
            " c.kind AS channel_kind FROM files f"
            # files first (CROSS JOIN keeps that order): far fewer than the messages
            " CROSS JOIN messages m ON m.id = f.message_id"
            " JOIN channels c ON c.id = m.channel_id"
            " WHERE m.channel_id IN (SELECT value FROM json_each(:channels))"
            " AND m.deleted_at IS NULL AND f.message_id IS NOT NULL"
            " AND f.name LIKE :pattern ESCAPE '\\'"
            " AND (:uploader IS NULL OR f.uploader_id = :uploader)"
            " AND (:after IS NULL OR f.created_at >= :after)"
            " AND (:before IS NULL OR f.created_at < :before)"
            " ORDER BY f.id DESC LIMIT :limit",
            {
                "channels": json_list(channel_ids),
                "pattern": pattern,
                "uploader": uploader_id,
                "after": after,
                "before": before,
                "limit": limit,
            },
        )
        return [
            FileHit(
                record(StoredFile, row),
                row["channel_id"],
                row["channel_name"],
                row["channel_kind"],
                row["thread_id"],
            )
            for row in rows
        ]
