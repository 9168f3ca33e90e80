"""Markdown to safe HTML, once, on write."""

from __future__ import annotations

import html as html_escape
import re
from collections.abc import Mapping

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

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


def escape_markdown(text: str) -> str:
    """Text (a title, a name) that renders as itself inside markdown, whatever it contains."""
    return "".join("\\" + ch if ch in "\\`*_{}[]()#+-.!<>|~" else ch for ch in text)


def render_markdown(source: str, mentions: Mapping[int, str] | None = None) -> str:
    """Render with raw HTML off, then sanitise: only plain formatting and http(s)/mailto links,
    which open in a new tab without leaking the opener.  `mentions` (user id -> current name)
    turns each `@[label](user:ID)` of those ids into a chip showing the name."""
    plain = _plain_paragraphs(source)
    if plain is not None:
        return "\n".join("<p>" + "<br>\n".join(lines) + "</p>" for lines in plain)
    return render_with_parser(source, mentions)


MENTION_HREF = re.compile(r"user:([1-9][0-9]{0,15})")


def _chip_mentions(tokens: list[Token], mentions: Mapping[int, str]) -> None:
    """`@` + a link to `user:ID` (ID in `mentions`) becomes one span: the name is the stored
    one, never the label typed, so a rename shows everywhere once re-rendered."""
    for block in tokens:
        children = block.children
        if block.type != "inline" or not children:
            continue
        out: list[Token] = []
        i = 0
        while i < len(children):
            token = children[i]
            found = token.type == "link_open" and MENTION_HREF.fullmatch(
                str(token.attrGet("href") or "")
            )
            close = i + 2 if i + 2 < len(children) else -1
            if (
                found
                and int(found.group(1)) in mentions
                and out
                and out[-1].type == "text"
                and out[-1].content.endswith("@")
                and close > 0
                and children[close].type == "link_close"
            ):
                user_id = int(found.group(1))
                out[-1].content = out[-1].content[:-1]
                chip = Token("html_inline", "", 0)
                chip.content = (
                    f'<span class="mention" data-user-id="{user_id}">'
                    f"@{html_escape.escape(mentions[user_id])}</span>"
                )
                out.append(chip)
                i = close + 1
                continue
            out.append(token)
            i += 1
        block.children = out


def plain_text(source: str) -> str:
    """What a reader sees of `source`, without its markup: a line per paragraph, heading or
    list item ('**Summer** [meeting](https://x.org)' -> 'Summer meeting'), for a mail subject."""
    lines = []
    for block in _markdown.parse(source):
        if block.type == "inline":
            words = [
                " " if token.type in ("softbreak", "hardbreak") else token.content
                for token in block.children or ()
                if token.type in ("text", "code_inline", "softbreak", "hardbreak")
            ]
            lines.append(" ".join("".join(words).split()))
        elif block.type in ("fence", "code_block"):
            lines.append(" ".join(block.content.split()))
    return "\n".join(line for line in lines if line)


def render_with_parser(source: str, mentions: Mapping[int, str] | None = None) -> str:
    if mentions:
        tokens = _markdown.parse(source)
        _chip_mentions(tokens, mentions)
        html = _markdown.renderer.render(tokens, _markdown.options, {})
    else:
        html = _markdown.render(source)
    return nh3.clean(
        html,
        tags=_TAGS | {"span"},
        attributes={
            "a": {"href", "title"},
            "th": {"align"},
            "td": {"align"},
            "span": {"class", "data-user-id"},
        },
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        set_tag_attribute_values={"a": {"target": "_blank"}},
    ).strip()
