"""Full-text search over messages: SQLite FTS5 (the `message_search` index of migrations 0007
and 0011, kept in step with `messages` by triggers).

The caller says which channels to look in (those the person may read, worked out by the
domain from the policy); nothing outside them is ever returned, whatever the words.  The index
holds each message's channel as a token (`c42`) beside its words, so a search names the
person's channels to FTS5 (`channel_scope`) and the index finds, counts and ranks only hits
that person may read; every hit's channel is still checked in `messages`, so what is found
never rests on the index alone.  Search terms arrive as plain words (`SearchTerm`): this module
alone writes FTS5 query syntax, and it quotes every word inside `body : (…)`, so what people
type can never be an operator, a column filter (the channel column among them) or a syntax
error.  Ranking is FTS5's bm25 over the words (lower scores rank first), newest first among
equals, unless the search has more than RANK_AT_MOST hits (in those channels: what is counted
is only ever what the person may read): then newest first, every score 0.  A page ends at a
`SearchPosition` and the next one starts after it (keyset, so no hit is skipped or repeated
while the index stands still; the cursor's score says which order it continues).
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterable

from ..records import (
    SNIPPET_END,
    SNIPPET_START,
    FileHit,
    MessageHit,
    SearchPosition,
    SearchTerm,
    StoredFile,
)
from .base import QueryBase, json_list, record

# Ranking costs per hit (bm25 reads every hit's positions), and among thousands of hits of a
# word in most messages it says next to nothing: past this many hits they come newest first
# instead (score 0), which the index answers by reading only as many hits as the page needs.
RANK_AT_MOST = 500
SNIPPET_TOKENS = 16  # words of context around the matches (FTS5 allows at most 64)
# Up to this many channels, a search names them to the index (one OR'd token each), which then
# walks only the hits in them.  Past it (a coordinator reads every lounge and community) the
# OR costs more than it saves: FTS5 steps every channel's token at each hit, while most hits
# are in the person's channels anyway, so the words are looked for everywhere and each hit's
# channel checked in `messages`.  Both give the same hits; see README, "Speed".
CHANNEL_SCOPE_AT_MOST = 100


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


def channel_scope(channel_ids: Iterable[int]) -> str:
    """The FTS5 expression for "in one of these channels": their tokens in the channel column
    (migration 0011 writes `c` and the id)."""
    tokens = " OR ".join(_quoted(f"c{int(channel_id)}") for channel_id in channel_ids)
    return f"channel : ({tokens})"


def _marked(snippet: str | None, start: str, end: str) -> str:
    clean = (snippet or "").replace(SNIPPET_START, "").replace(SNIPPET_END, "")
    return clean.replace(start, SNIPPET_START).replace(end, SNIPPET_END)


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
        filters = """
                   AND m.channel_id IN (SELECT value FROM json_each(:channels))
                   AND m.deleted_at IS NULL
                   AND (:author IS NULL OR m.author_id = :author)
                   AND (:after IS NULL OR m.created_at >= :after)
                   AND (:before IS NULL OR m.created_at < :before)"""
        # CROSS JOIN: the index drives (never a search per message of those channels).  The
        # channel is checked in `messages` even when the index was told the channels.
        params = {
            "match": match,
            "channels": json_list(channels),
            "author": author_id,
            "after": after,
            "before": before,
        }
        if cursor is None:
            many = await self._value(
                f"""
                SELECT count(*) FROM (
                    SELECT 1 FROM message_search CROSS JOIN messages m ON m.id = message_search.rowid
                     WHERE message_search MATCH :match {filters} LIMIT :most)
                """,
                {**params, "most": RANK_AT_MOST + 1},
            )
            newest_first = many > RANK_AT_MOST
        else:
            newest_first = cursor.score == 0.0
        nonce = secrets.token_hex(8)
        start, end = f"[{nonce}[", f"]{nonce}]"
        if newest_first:
            # In index order, so the snippets are made for this page's rows only, right here.
            page = f"""
                SELECT m.id, 0.0 AS score,
                       snippet(message_search, 0, :start, :end, '…', :tokens) AS snippet
                  FROM message_search CROSS JOIN messages m ON m.id = message_search.rowid
                 WHERE message_search MATCH :match AND message_search.rowid < :last_id {filters}
                 ORDER BY message_search.rowid DESC LIMIT :limit"""
        else:
            page = f"""
                WITH hits AS MATERIALIZED (
                    SELECT m.id, bm25(message_search, 1.0, 0.0) AS score
                      FROM message_search CROSS JOIN messages m ON m.id = message_search.rowid
                     WHERE message_search MATCH :match {filters}
                )
                SELECT id, score, NULL AS snippet FROM hits
                 WHERE :score IS NULL OR score > :score OR (score = :score AND id < :last_id)
                 ORDER BY score, id DESC LIMIT :limit"""
        rows = await self._all(
            f"""
            WITH page AS MATERIALIZED ({page})
            SELECT p.id, p.score, p.snippet, m.channel_id, c.name AS channel_name, c.kind AS channel_kind,
                   m.thread_id, m.author_id, u.name AS author_name, m.kind, m.created_at, m.seq
              FROM page p JOIN messages m ON m.id = p.id JOIN channels c ON c.id = m.channel_id
              LEFT JOIN users u ON u.id = m.author_id
             ORDER BY p.score, p.id DESC
            """,
            {
                **params,
                "score": None if cursor is None else cursor.score,
                "last_id": 2**62 if cursor is None else cursor.message_id,
                "limit": limit,
                "start": start,
                "end": end,
                "tokens": SNIPPET_TOKENS,
            },
        )
        if not rows:
            return []
        if newest_first:
            snippets = {row["id"]: _marked(row["snippet"], start, end) for row in rows}
        else:
            snippets = await self._snippets(match, [row["id"] for row in rows], start, end)
        return [
            MessageHit(
                message_id=row["id"],
                channel_id=row["channel_id"],
                channel_name=row["channel_name"],
                channel_kind=row["channel_kind"],
                thread_id=row["thread_id"],
                author_id=row["author_id"],
                author_name=row["author_name"],
                kind=row["kind"],
                created_at=row["created_at"],
                seq=row["seq"],
                snippet=snippets.get(row["id"], ""),
                score=row["score"],
            )
            for row in rows
        ]

    async def _snippets(
        self, match: str, message_ids: list[int], start: str, end: str
    ) -> dict[int, str]:
        """Snippets for one page of hits (the costly part of a hit), in one pass over the hits
        between the page's lowest and highest id (`+rowid`: not a new search per id, which
        would expand a prefix again each time).  The matches are marked with random text first,
        so that marker characters a message holds itself are dropped, never taken for one."""
        rows = await self._all(
            "SELECT rowid, snippet(message_search, 0, :start, :end, '…', :tokens)"
            "  FROM message_search WHERE message_search MATCH :match"
            "   AND rowid BETWEEN :low AND :high AND +rowid IN (SELECT value FROM json_each(:ids))",
            {
                "match": match,
                "low": min(message_ids),
                "high": max(message_ids),
                "start": start,
                "end": end,
                "tokens": SNIPPET_TOKENS,
                "ids": json.dumps(message_ids),
            },
        )
        return {row[0]: _marked(row[1], start, end) for row in rows}

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
