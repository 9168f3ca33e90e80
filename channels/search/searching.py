"""Search: what a person may find, checked now, and how a hit is shown.

Search looks only in the channels the person may read at this moment, by the policy's table
(`directory.readable_channel_ids`): a pair channel for its two people alone, never for
coordinators; lounges by role; a community while one is a member (leaving takes its messages
out of the very next search); announcements for everyone.  A channel filter naming a channel
the person cannot read answers exactly as one that does not exist.  Search is never a way
around the policy: the storage call is handed the readable channels and finds nothing else.

The first page also lists the files sent in those channels whose names match, and the library
resources the person's role may see whose title or description match (by the same words, see
`query.matches`).  Message results have a snippet whose text is escaped before the matches are marked, so no markup
anyone wrote ever reaches a page.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from channels.chat.directory import readable_channel_ids
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Invalid
from channels.input import check_count, check_id, check_moment, check_object
from channels.languages import N_
from channels.library.folders import load_library
from channels.notify.mentions import unlink_mentions
from channels.policy import Action, check_allowed
from channels.research.usage import record_use
from channels.search.query import decode_cursor, encode_cursor, matches, parse_query, sieve
from storage import Store
from storage.records import (
    SNIPPET_END,
    SNIPPET_START,
    FileHit,
    MessageHit,
    Resource,
    SearchPosition,
    SearchTerm,
    StoredFile,
    User,
)

PAGE = 20
MAX_PAGE = 50
OTHER_HITS = 10  # files and library resources found by name: the first page shows so many
FILE_SIEVE = 200
NOTHING_TO_FIND = N_("Type a word to search for.")


@dataclass(frozen=True)
class Result:
    """One hit: `kind` says which fields it has (a message hit: `message`)."""

    kind: str
    message: MessageHit
    snippet_html: str


@dataclass(frozen=True)
class Results:
    query: str
    results: list[Result]
    next_cursor: str | None  # ask again with it for the next page; None on the last one
    files: list[FileHit] = field(default_factory=list)  # by name; on the first page only
    resources: list[Resource] = field(default_factory=list)  # the library's, likewise
    library_files: dict[str, StoredFile] = field(default_factory=dict)  # of those resources


@dataclass(frozen=True)
class Filters:
    """A search checked: its terms and the filters, times as stored (ISO UTC)."""

    query: str
    channel_id: int | None
    author_id: int | None
    after: str | None
    before: str | None
    cursor: SearchPosition | None
    limit: int


def check_search(payload: Any, zone: ZoneInfo, secret: bytes) -> Filters:
    """`payload`: {q, channel_id?, author_id?, after?, before?, cursor?, limit?}; after and
    before are dates (their first instant in the programme's zone `zone`) or ISO date-times:
    on or after `after`, before `before`."""
    payload = check_object(payload)
    query = payload.get("q")
    if query is None:
        query = ""
    if not isinstance(query, str):
        raise Invalid(N_("'q' must be text."))
    moments = {}
    for key in ("after", "before"):
        value = payload.get(key)
        moments[key] = None if value in (None, "") else iso(check_moment(value, f"'{key}'", zone))
    if moments["after"] and moments["before"] and moments["after"] >= moments["before"]:
        raise Invalid(N_("'after' must be earlier than 'before'."))
    cursor = payload.get("cursor")
    return Filters(
        query=query.strip(),
        channel_id=check_id(payload, "channel_id", optional=True),
        author_id=check_id(payload, "author_id", optional=True),
        after=moments["after"],
        before=moments["before"],
        cursor=None if cursor in (None, "") else decode_cursor(cursor, secret),
        limit=check_count(payload, "limit", default=PAGE, low=1, high=MAX_PAGE),
    )


async def search(
    store: Store,
    user: User,
    payload: Any,
    *,
    zone: ZoneInfo,
    secret: bytes,
    clock: Clock = SYSTEM_CLOCK,
) -> Results:
    """The person's hits for a query, best first, a page at a time.  `secret` seals the
    cursor (see channels/search/query.py).  A search's first page counts in the usage record
    (that a search happened: never what was asked)."""
    filters = check_search(payload, zone, secret)
    terms = parse_query(filters.query)
    if not terms:
        raise Invalid(NOTHING_TO_FIND)
    if filters.channel_id is not None:
        await check_allowed(store, user, filters.channel_id, Action.READ)
    if filters.cursor is None:
        await record_use(store, user, "search", clock=clock)
    readable = await readable_channel_ids(store, user)
    if filters.channel_id is not None:
        readable = [i for i in readable if i == filters.channel_id]
    hits = await store.search_messages(
        terms,
        channel_ids=readable,
        author_id=filters.author_id,
        after=filters.after,
        before=filters.before,
        cursor=filters.cursor,
        limit=filters.limit + 1,  # one more: is there a next page?
    )
    page = hits[: filters.limit]
    next_cursor = None
    if len(hits) > filters.limit:
        last = SearchPosition(page[-1].score, page[-1].message_id)
        next_cursor = encode_cursor(last, secret)
    results = [Result("message", hit, snippet_html(hit.snippet)) for hit in page]
    if filters.cursor is not None:
        return Results(filters.query, results, next_cursor)
    files = await _find_files(store, terms, readable, filters)
    if filters.channel_id is not None or filters.author_id is not None:
        return Results(filters.query, results, next_cursor, files)
    library = await load_library(store, user)
    resources = [
        resource
        for resource in library.resources()
        if matches(terms, f"{resource.title} {resource.description}")
        and (filters.after is None or resource.created_at >= filters.after)
        and (filters.before is None or resource.created_at < filters.before)
    ][:OTHER_HITS]
    return Results(filters.query, results, next_cursor, files, resources, library.files)


async def _find_files(
    store: Store, terms: list[SearchTerm], readable: list[int], filters: Filters
) -> list[FileHit]:
    """Files sent in the channels the person may read now, by name (the uploader for an
    author): the storage sieves, the words decide."""
    found = await store.list_channel_files(
        channel_ids=readable,
        name_contains=sieve(terms),
        uploader_id=filters.author_id,
        after=filters.after,
        before=filters.before,
        limit=FILE_SIEVE,
    )
    return [hit for hit in found if matches(terms, hit.file.name)][:OTHER_HITS]


_MARKERS = re.compile(f"([{SNIPPET_START}{SNIPPET_END}])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def snippet_html(snippet: str) -> str:
    """The snippet as HTML: every piece of text escaped, then the matches in <mark>, always
    balanced (a stray marker a message happened to hold cannot open or close one); a mention
    reads as its name, as in the message."""
    parts, marked = [], False
    for piece in _MARKERS.split(unlink_mentions(snippet)):
        if piece == SNIPPET_START:
            if not marked:
                parts.append("<mark>")
            marked = True
        elif piece == SNIPPET_END:
            if marked:
                parts.append("</mark>")
            marked = False
        else:
            parts.append(html.escape(_CONTROL.sub("", piece), quote=True))
    if marked:
        parts.append("</mark>")
    return "".join(parts)
