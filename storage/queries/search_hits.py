"""A search hit's text, as FTS5's `highlight()` hands it back (the whole message, its matches
between two random markers), made into what search shows and how it ranks: a snippet around
the matches, and a BM25 score from the person's own hits alone.

One auxiliary function per hit, in the one pass of the index a search makes
(storage/queries/search.py), which reads up to 501 hits to know its order: FTS5's `snippet()`
costs several times `highlight()` a hit, and its `bm25()` reads statistics of the whole index
(see `ranked`).  Ranking only counts matches and words in the text as it comes; only the hits
on the page are cut into snippets.  Words are runs of letters and digits here, near enough to
the index's tokenizer to rank by and to cut a snippet at: which words matched is the index's
say, never this module's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..records import SNIPPET_END, SNIPPET_START

BM25_K1, BM25_B = 1.2, 0.75  # the usual BM25 parameters (FTS5's own too)
ELLIPSIS = "…"
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Marked:
    """A message's text and where the index found the matches in it (character ranges)."""

    text: str
    matches: list[tuple[int, int]]

    @classmethod
    def parse(cls, highlighted: str | None, start: str, end: str) -> Marked:
        """From `highlight()`'s output with markers `start` and `end`.  SNIPPET_START and
        SNIPPET_END characters the message holds itself are dropped: only the index marks."""
        text = highlighted or ""
        pieces: list[str] = []
        matches = []
        size = at = 0
        while True:
            opened = text.find(start, at)
            closed = text.find(end, opened + len(start)) if opened >= 0 else -1
            if closed < 0:
                pieces.append(_clean(text[at:]))
                break
            before = _clean(text[at:opened])
            inside = _clean(text[opened + len(start) : closed])
            pieces += [before, inside]
            matches.append((size + len(before), size + len(before) + len(inside)))
            size += len(before) + len(inside)
            at = closed + len(end)
        return cls("".join(pieces), matches)

    def words(self) -> list[tuple[int, int]]:
        return [word.span() for word in _WORD.finditer(self.text)]

    def _hit_words(self, words: list[tuple[int, int]]) -> list[int]:
        """1 for each word inside a match, else 0 (both lists are in text order)."""
        hit, next_match = [], 0
        for word_start, word_end in words:
            while next_match < len(self.matches) and self.matches[next_match][1] <= word_start:
                next_match += 1
            inside = next_match < len(self.matches) and self.matches[next_match][0] < word_end
            hit.append(int(inside))
        return hit

    def snippet(self, tokens: int) -> str:
        """About `tokens` words around the most matches (centred on them), the matches between
        SNIPPET_START and SNIPPET_END, an ellipsis where the text was cut: as FTS5's snippet()."""
        words = self.words()
        first, count = 0, len(words)
        if count > tokens:
            hit = self._hit_words(words)
            in_window = sum(hit[:tokens])
            best, best_at = in_window, 0
            for at in range(1, count - tokens + 1):
                in_window += hit[at + tokens - 1] - hit[at - 1]
                if in_window > best:
                    best, best_at = in_window, at
            hits = [i for i in range(best_at, best_at + tokens) if hit[i]]
            first = best_at
            if hits:
                spread = hits[-1] - hits[0] + 1
                first = max(0, min(count - tokens, hits[0] - (tokens - spread) // 2))
        last = min(count, first + tokens) - 1
        cut_start = 0 if first == 0 else words[first][0]
        cut_end = len(self.text) if last == count - 1 else words[last][1]
        out, at = [], cut_start
        for a, b in self.matches:
            a, b = max(a, cut_start), min(b, cut_end)
            if a >= b:
                continue
            out += [self.text[at:a], SNIPPET_START, self.text[a:b], SNIPPET_END]
            at = b
        out.append(self.text[at:cut_end])
        head = ELLIPSIS if cut_start > 0 else ""
        tail = ELLIPSIS if cut_end < len(self.text) and last < count - 1 else ""
        return head + "".join(out) + tail


def _clean(text: str) -> str:
    return text.replace(SNIPPET_START, "").replace(SNIPPET_END, "")


def ranked(hits: list[tuple[int, str | None]], start: str, end: str) -> list[tuple[float, int]]:
    """(score, message id) for each hit (its text from `highlight()` with markers `start` and
    `end`), best (lowest) score first, newest first among equals.

    BM25's weighing of how often the words are in a message against how long it is, with the
    statistics of these hits alone: every hit holds every term, so among them no term is rarer
    than another (BM25's IDF weighs them alike), and the average length is theirs.  So nothing
    about messages the person may not read goes into the order (FTS5's bm25() counts, for each
    term, every message in the index that holds it, which also costs more than the rest of a
    search when the term is a phrase of common words: it is checked in every message holding
    them).  Scores are below zero, never 0.0 (which says "newest first" in a cursor)."""
    if not hits:
        return []
    sizes = [
        (
            message_id,
            (highlighted or "").count(start),
            len(_WORD.findall((highlighted or "").replace(start, " ").replace(end, " "))),
        )
        for message_id, highlighted in hits
    ]
    average = sum(max(1, length) for *_, length in sizes) / len(sizes)
    scored = []
    for message_id, matches, length in sizes:
        frequency = max(1, matches)
        norm = 1 - BM25_B + BM25_B * max(1, length) / average
        scored.append((-frequency * (BM25_K1 + 1) / (frequency + BM25_K1 * norm), message_id))
    return sorted(scored, key=lambda hit: (hit[0], -hit[1]))
