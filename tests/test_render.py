"""Markdown rendering: safe output, and the plain-text fast path gives what the parser gives."""

from __future__ import annotations

import random

import pytest

from channels.render import _plain_paragraphs, plain_text, render_markdown, render_with_parser

TRICKY = [*"ab  \n\n1-#>+=.)\"':!?é👍,", "\xa0", "\t", "    ", "http://x.org", "2.", "- "]


def test_the_fast_path_renders_exactly_what_the_parser_renders():
    pick = random.Random(20261128)
    taken = 0
    for _ in range(20_000):
        text = "".join(pick.choice(TRICKY) for _ in range(pick.randint(1, 25)))
        if _plain_paragraphs(text) is None:
            continue
        taken += 1
        assert render_markdown(text) == render_with_parser(text), repr(text)
    assert taken > 2_000  # the corpus really exercises the fast path


@pytest.mark.parametrize(
    "text",
    [
        "Hello!",
        'She said "yes", it\'s fine: 10:30 works.',
        "line one\nline two",
        "a\n\n\nb",
        "  leading and trailing  ",
        "Great news 🎉\nSee you",
        "x\n    indented continuation",
    ],
)
def test_everyday_messages_take_the_fast_path_and_match(text):
    assert _plain_paragraphs(text) is not None
    assert render_markdown(text) == render_with_parser(text)


@pytest.mark.parametrize(
    "text",
    [
        "**bold**",
        "# heading",
        "- item",
        "1. first",
        "> quote",
        "a <b>",
        "[x](y)",
        "`code`",
        "    code block",
        "Title\n===",
        "a & b",
        "tab\there",
        "nbsp\xa0here",
    ],
)
def test_anything_that_could_be_markup_goes_to_the_parser(text):
    assert _plain_paragraphs(text) is None


def test_user_html_and_script_links_are_inert():
    html = render_markdown("<img src=x onerror=alert(1)> [x](javascript:alert(1)) <script>")
    assert "<img" not in html and "<script" not in html and 'href="javascript' not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("**Summer meeting** on 12 June", "Summer meeting on 12 June"),
        ("# Welcome\n\nto [our guide](https://example.org/guide)", "Welcome\nto our guide"),
        ("- first\n- `second`", "first\nsecond"),
        ("line one\nline two", "line one line two"),
        ("<b>not html</b> ~~gone~~", "<b>not html</b> gone"),
        ("@[Maria](user:3) see you", "@Maria see you"),
        ("", ""),
    ],
)
def test_plain_text_is_what_a_reader_sees_without_the_markup(source: str, shown: str) -> None:
    assert plain_text(source) == shown
