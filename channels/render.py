"""Markdown to safe HTML, once, on write."""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "breaks": True}).enable(
    ["strikethrough", "table"]
)

_TAGS = {
    "a",
    "p",
    "br",
    "strong",
    "em",
    "s",
    "del",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


# Plain text -- no character that can start markup anywhere, and no line that can start a
# block -- renders to paragraphs and line breaks; the fast path below writes those directly
# and leaves the parser for text that needs it.  A test checks both give the same HTML.
_INLINE_MARKUP = frozenset("\\`*_[]<>&~|")
_BLOCK_STARTS = frozenset("#>-+=0123456789")


def _plain_paragraphs(source: str) -> list[list[str]] | None:
    if _INLINE_MARKUP.intersection(source) or not source.replace("\n", "").isprintable():
        return None
    paragraphs: list[list[str]] = [[]]
    for line in source.split("\n"):
        text = line.strip(" ")
        if not text:
            if paragraphs[-1]:
                paragraphs.append([])
            continue
        indent = len(line) - len(line.lstrip(" "))
        if text[0] in _BLOCK_STARTS or (indent >= 4 and not paragraphs[-1]):
            return None
        paragraphs[-1].append(text)
    return [lines for lines in paragraphs if lines]


def render_markdown(source: str) -> str:
    """Render with raw HTML off, then sanitise: only plain formatting and http(s)/mailto links,
    which open in a new tab without leaking the opener."""
    plain = _plain_paragraphs(source)
    if plain is not None:
        return "\n".join("<p>" + "<br>\n".join(lines) + "</p>" for lines in plain)
    return render_with_parser(source)


def render_with_parser(source: str) -> str:
    html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    ).strip()
