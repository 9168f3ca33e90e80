"""The search query parser, the cursor, the snippet and the ranking of a page of hits, without
a server; and, against an in-memory FTS5 table with the index's own definition, that no text
anyone types can become an FTS5 syntax error, or reach the channel column."""

from __future__ import annotations

import base64
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from channels.errors import Invalid
from channels.search.query import (
    MAX_QUERY,
    decode_cursor,
    encode_cursor,
    parse_query,
    words_of,
)
from channels.search.searching import snippet_html
from storage.queries.search import channel_scope, fts5_expression
from storage.queries.search_hits import ELLIPSIS, Marked, ranked
from storage.records import SNIPPET_END, SNIPPET_START, SearchPosition, SearchTerm


def T(*words: str, prefix: bool = False) -> SearchTerm:
    return SearchTerm(tuple(words), prefix)


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("budget", [T("budget", prefix=True)]),
        ("budget ", [T("budget")]),
        ("first meeting", [T("first"), T("meeting", prefix=True)]),
        ('"first meeting"', [T("first", "meeting")]),
        ('"first meeting"*', [T("first", "meeting", prefix=True)]),
        ("meet* first ", [T("meet", prefix=True), T("first")]),
        ("a", [T("a")]),  # one letter is never a prefix
        ("ab*", [T("ab", prefix=True)]),
        ('"unbalanced phrase', [T("unbalanced", "phrase")]),
        ('a "b c', [T("a"), T("b", "c")]),
        ("e-mail", [T("e", "mail")]),
        ("body:secret", [T("body", "secret")]),
        ("channel_id:4", [T("channel", "id", "4")]),
        ("NEAR(a b, 2)", [T("NEAR", "a"), T("b", prefix=False), T("2")]),
        ("hello OR world", [T("hello"), T("OR"), T("world", prefix=True)]),
        ("-x", [T("x")]),
        ("Café résumé", [T("Café"), T("résumé", prefix=True)]),
        ("", []),
        ("   ", []),
        ('" * : - ( ) ^ +', []),
        ("😀 ✓", []),
    ],
)
def test_parse(text, terms):
    assert parse_query(text) == terms


def test_words_are_runs_of_letters_digits_and_marks():
    assert words_of("naïve cafe\u0301 2026-11-02 O'Brien") == (
        "naïve",
        "cafe\u0301",
        "2026",
        "11",
        "02",
        "O",
        "Brien",
    )


def test_too_long_or_too_many_words_is_invalid():
    with pytest.raises(Invalid, match="at most 200 characters"):
        parse_query("x" * (MAX_QUERY + 1))
    with pytest.raises(Invalid, match="at most 12"):
        parse_query(" ".join("abcdefghijklm"))
    with pytest.raises(Invalid, match="at most 12"):
        parse_query('"' + " ".join(["w"] * 25) + '"')


def test_the_expression_quotes_every_word_inside_the_body_column():
    terms = [T('say "hi"'), T("plan", prefix=True), T("a", "b")]
    assert fts5_expression(terms) == 'body : ("say ""hi""" "plan" * "a b")'
    assert fts5_expression([]) == "" and fts5_expression([T(" ")]) == ""


def test_the_cursor_round_trips_sealed_and_refuses_anything_else():
    secret = b"a server secret"
    for position in (SearchPosition(-3.25e-7, 17), SearchPosition(0.0, 2**53 - 1)):
        assert decode_cursor(encode_cursor(position, secret), secret) == position
    score = -1.8283202054375902
    sealed = encode_cursor(SearchPosition(score, 5), secret)
    assert decode_cursor(sealed, secret).score == score  # exactly
    # Opaque for real: the same position never reads the same, and nothing of it is in clear.
    assert sealed != encode_cursor(SearchPosition(score, 5), secret)
    assert "1.82" not in base64.urlsafe_b64decode(sealed + "==").decode("latin-1")
    tampered = sealed[:-3] + ("A" if sealed[-3] != "A" else "B") + sealed[-2:]
    for bad in (None, 5, "", "!!!", "x" * 300, "WzEsMF0", "W10=", tampered):
        with pytest.raises(Invalid):
            decode_cursor(bad, secret)
    with pytest.raises(Invalid):
        decode_cursor(sealed, b"another server's secret")


def test_snippets_escape_first_and_keep_marks_balanced():
    s, e = SNIPPET_START, SNIPPET_END
    assert (
        snippet_html(f"<b>{s}x{e}</b> & 'y'")
        == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; &amp; &#x27;y&#x27;"
    )
    assert snippet_html(f"{s}open") == "<mark>open</mark>"
    assert snippet_html(f"{e}closed{e}{s}{s}a{e}") == "closed<mark>a</mark>"
    assert snippet_html("bell\x07 and\nline") == "bell and\nline"
    # a mention reads as the name, as in the message
    assert snippet_html(f"ask @[{s}Sara{e} Nielsen](user:5) & [x](user:6)") == (
        "ask @<mark>Sara</mark> Nielsen &amp; [x](user:6)"
    )


# Every text, parsed and quoted, is a valid FTS5 query on the real index definition.

_DB = sqlite3.connect(":memory:")
_DB.execute(
    "CREATE VIRTUAL TABLE message_search"
    " USING fts5(body, channel, tokenize = 'unicode61 remove_diacritics 2')"
)
_DB.execute("INSERT INTO message_search (rowid, body, channel) VALUES (1, 'hello world', 'c7')")

FTS_TEXT = st.text(
    alphabet=st.sampled_from(list("abcAB7 \"*:-^+(){}.,NEARORNOTAND_'\\\x00é\u0301😀\n"))
    | st.characters(),
    max_size=80,
)


@given(FTS_TEXT)
@settings(max_examples=400, deadline=None)
def test_no_text_makes_an_fts5_error(text):
    try:
        terms = parse_query(text)
    except Invalid:
        return
    expression = fts5_expression(terms)
    if not expression:
        assert not terms
        return
    for match in (expression, f"{channel_scope([7, 8])} AND {expression}"):
        _DB.execute("SELECT rowid FROM message_search WHERE message_search MATCH ?", (match,))


def test_the_channel_scope_names_each_channel_token():
    assert channel_scope([3, 41]) == 'channel : ("c3" OR "c41")'
    scoped = f"{channel_scope([7])} AND {fts5_expression(parse_query('c7'))}"
    for match in (fts5_expression(parse_query("c7")), scoped):  # typed, it is only a word
        assert (
            _DB.execute(
                "SELECT rowid FROM message_search WHERE message_search MATCH ?", (match,)
            ).fetchall()
            == []
        )
    assert _DB.execute(
        "SELECT rowid FROM message_search WHERE message_search MATCH ?",
        (f"{channel_scope([7])} AND {fts5_expression(parse_query('hello'))}",),
    ).fetchall() == [(1,)]


S, E = "[n[", "]n]"  # what highlight() is given to mark the matches


def marked(text: str) -> Marked:
    return Marked.parse(text.replace("<", S).replace(">", E), S, E)


def test_a_highlighted_text_is_read_with_its_matches():
    hit = marked("The <interview> is on <Thursday>")
    assert hit.text == "The interview is on Thursday"
    assert [hit.text[a:b] for a, b in hit.matches] == ["interview", "Thursday"]
    # Marker characters the message holds itself are dropped; text without matches is whole.
    sly = Marked.parse(f"a {SNIPPET_START}b{SNIPPET_END} {S}c{E}", S, E)
    assert sly.text == "a b c" and [sly.text[a:b] for a, b in sly.matches] == ["c"]
    assert Marked.parse(None, S, E) == Marked("", [])
    assert Marked.parse("a [n[ open", S, E) == Marked("a [n[ open", [])


def test_a_short_text_is_its_own_snippet():
    s, e = SNIPPET_START, SNIPPET_END
    assert marked("So, the <plan>: <plan> it!").snippet(16) == f"So, the {s}plan{e}: {s}plan{e} it!"


def test_a_long_text_is_cut_around_the_most_matches_with_ellipses():
    s, e = SNIPPET_START, SNIPPET_END
    words = [f"w{n}" for n in range(40)]
    words[30] = "<key>"
    words[33] = "<key>"
    words[2] = "<key>"
    snippet = marked(" ".join(words) + ".").snippet(8)
    assert snippet == f"{ELLIPSIS}w28 w29 {s}key{e} w31 w32 {s}key{e} w34 w35{ELLIPSIS}"
    # At either end, no ellipsis there; the text's own punctuation stays.
    assert marked("<first> " + " ".join(words[3:20]) + "!").snippet(4) == (
        f"{s}first{e} w3 w4 w5{ELLIPSIS}"
    )
    plain = [f"w{n}" for n in range(20)]
    assert marked(" ".join(plain) + " <last>!").snippet(4) == (f"{ELLIPSIS}w17 w18 w19 {s}last{e}!")


def test_ranking_weighs_how_often_against_how_long_among_the_hits():
    hits = [
        (1, "<net> one two three four five six seven eight nine ten"),
        (2, "<net> <net> <net>"),
        (3, "<net> events and mentoring"),
        (4, f"<net> events and {SNIPPET_START}mentoring"),
    ]
    order = ranked([(i, text.replace("<", S).replace(">", E)) for i, text in hits], S, E)
    assert [message_id for _, message_id in order] == [2, 4, 3, 1]  # equals: newest first
    assert all(score < 0 for score, _ in order)
    assert order[1][0] == order[2][0]
    assert ranked([], S, E) == []
