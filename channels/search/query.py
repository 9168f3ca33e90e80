"""What people type into the search box, made safe: a few plain terms, and the opaque cursor
that carries a search on to its next page.

The syntax is small on purpose: words (all must appear), "a phrase in quotes", and `word*` for
words that start so; the last word typed is a prefix by itself, so a half-typed word finds.
Everything else is only text: AND, OR, NOT, NEAR, parentheses, `-`, `:`, `^`, `+` are never
operators, and a column name before a colon is one more word.  Terms hold words only (runs of
letters, digits and marks, as the index splits them), so the storage engine that quotes them
cannot be handed an empty or a hostile term.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
import struct
import unicodedata
from typing import Any

from channels.errors import Invalid
from channels.languages import N_
from storage.records import SearchPosition, SearchTerm

MAX_QUERY = 200  # characters
MAX_TERMS = 12
MAX_WORDS = 24  # in all terms together
MIN_PREFIX = 2  # a shorter prefix would match half the index: the word is then taken whole
MAX_CURSOR = 200
BAD_CURSOR = N_("That 'cursor' does not belong to a search: start the search again.")


def _is_word_character(ch: str) -> bool:
    """Letters, digits and marks (accents), as SQLite's unicode61 tokenizer keeps them."""
    return unicodedata.category(ch)[0] in "LNM" or unicodedata.category(ch) == "Co"


def words_of(text: str) -> tuple[str, ...]:
    """The words in `text`: runs of word characters; anything else only separates them."""
    words, current = [], []
    for ch in text:
        if _is_word_character(ch):
            current.append(ch)
        elif current:
            words.append("".join(current))
            current = []
    if current:
        words.append("".join(current))
    return tuple(words)


def _folded(word: str) -> str:
    """A word as the index compares it: without case or accents ("Café" finds "cafe")."""
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def matches(terms: list[SearchTerm], text: str) -> bool:
    """Whether `text` (a file's name, a resource's title) holds every term as the index would
    find it in a message: each term's words in a row, the last one perhaps only begun."""
    words = [_folded(word) for word in words_of(text)]
    for term in terms:
        wanted = [_folded(word) for word in term.words]
        if not any(
            all(
                words[start + i] == word
                or (term.prefix and i == len(wanted) - 1 and words[start + i].startswith(word))
                for i, word in enumerate(wanted)
            )
            for start in range(len(words) - len(wanted) + 1)
        ):
            return False
    return True


def sieve(terms: list[SearchTerm]) -> str:
    """A piece of text every match must contain, for a storage engine's first sieve: the
    longest word, when it is plain ASCII (whose case any engine folds); else nothing."""
    words = [word for term in terms for word in term.words if word.isascii()]
    return max(words, key=len, default="")


def _chunks(text: str) -> list[tuple[str, bool, bool]]:
    """Split the query into (text, quoted, starred) chunks: a quoted phrase (a quote left open
    runs to the end), or a run without spaces or quotes; starred when `*` follows it."""
    chunks: list[tuple[str, bool, bool]] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch == '"':
            end = text.find('"', i + 1)
            end = n if end < 0 else end
            chunk, quoted, i = text[i + 1 : end], True, end + 1
            starred = i < n and text[i] == "*"
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] != '"':
                i += 1
            chunk, quoted = text[start:i], False
            starred = chunk.rstrip().endswith("*")
        chunks.append((chunk, quoted, starred))
    return chunks


def parse_query(text: str) -> list[SearchTerm]:
    """The terms of a query; [] when it has no word at all.  Raises Invalid when it is too
    long or has too many words to be a search."""
    if len(text) > MAX_QUERY:
        raise Invalid(N_("A search is at most %(max_query)s characters."), max_query=MAX_QUERY)
    terms: list[SearchTerm] = []
    chunks = _chunks(text)
    for number, (chunk, quoted, starred) in enumerate(chunks):
        words = words_of(chunk)
        if not words:
            continue
        last_bare_word = number == len(chunks) - 1 and not quoted and len(words) == 1
        wants_prefix = starred or (last_bare_word and not text[-1:].isspace())
        terms.append(SearchTerm(words, prefix=wants_prefix and len(words[-1]) >= MIN_PREFIX))
    if len(terms) > MAX_TERMS or sum(len(term.words) for term in terms) > MAX_WORDS:
        raise Invalid(
            N_("A search can have at most %(max_terms)s words or phrases."), max_terms=MAX_TERMS
        )
    return terms


# The cursor: where the last page ended, for the next request.  It holds a hit's score.  Scores
# are computed from the person's own hits only (storage/queries/search_hits.py), yet the cursor
# stays sealed with the server's secret, encrypted (an HMAC-SHA256 keystream) and
# authenticated: opaque for real, it promises nothing about how ranking works, and it cannot be
# forged into a position the server never handed out.

_CURSOR = struct.Struct(">dQ")  # score, message id
_NONCE, _TAG = 12, 16


def _keystream(secret: bytes, nonce: bytes) -> bytes:
    return hmac.digest(secret, b"search-cursor/key/" + nonce, "sha256")[: _CURSOR.size]


def _tag(secret: bytes, sealed: bytes) -> bytes:
    return hmac.digest(secret, b"search-cursor/tag/" + sealed, "sha256")[:_TAG]


def encode_cursor(position: SearchPosition, secret: bytes) -> str:
    nonce = secrets.token_bytes(_NONCE)
    plain = _CURSOR.pack(position.score, position.message_id)
    sealed = nonce + bytes(a ^ b for a, b in zip(plain, _keystream(secret, nonce), strict=True))
    return base64.urlsafe_b64encode(sealed + _tag(secret, sealed)).decode().rstrip("=")


def decode_cursor(text: Any, secret: bytes) -> SearchPosition:
    """A cursor this server wrote, or Invalid: never anything the storage could trip on."""
    try:
        if not isinstance(text, str) or not 0 < len(text) <= MAX_CURSOR or not text.isascii():
            raise ValueError
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (ValueError, binascii.Error):
        raise Invalid(BAD_CURSOR) from None
    sealed, tag = raw[:-_TAG], raw[-_TAG:]
    if len(sealed) != _NONCE + _CURSOR.size or not hmac.compare_digest(tag, _tag(secret, sealed)):
        raise Invalid(BAD_CURSOR)
    nonce, cipher = sealed[:_NONCE], sealed[_NONCE:]
    plain = bytes(a ^ b for a, b in zip(cipher, _keystream(secret, nonce), strict=True))
    score, message_id = _CURSOR.unpack(plain)
    if not math.isfinite(score) or not 0 < message_id < 2**53:
        raise Invalid(BAD_CURSOR)
    return SearchPosition(score, message_id)
