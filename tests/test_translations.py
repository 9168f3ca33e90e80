"""The interface in Danish and English (issue 13): the catalogue is complete and current, the
templates that are translated leave no word unmarked, and a Danish reader's pages show no
English word of the catalogue.  Each person chooses; the programme's locale is the default."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from server.pages.translations import catalogue_path

from .goal_support import form
from .mail_support import running_server

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "web" / "templates"
# Every template: each word of each goes through gettext (a new page is checked too).
TRANSLATED = sorted(
    str(path.relative_to(TEMPLATES))
    for path in TEMPLATES.rglob("*")
    if path.suffix in {".html", ".txt"}
)
BRAND = {"Mentorspace"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TAG = re.compile(r"</?(\w+)")


def _extracted(tmp_path: Path) -> set[str]:
    """Every word babel.cfg finds, as `make translations` gathers them."""
    pot = tmp_path / "messages.pot"
    pybabel = Path(sys.executable).parent / "pybabel"
    subprocess.run(
        [pybabel, "--quiet", "extract", "-F", "babel.cfg", "-k", "N_", "-o", pot, "."],
        cwd=ROOT,
        check=True,
    )
    with pot.open("rb") as source:
        return {message.id for message in read_po(source) if message.id}


def test_the_danish_catalogue_is_complete_and_current(tmp_path):
    with catalogue_path("da").open("rb") as source:
        danish = {m.id: m.string for m in read_po(source) if m.id}
    wanted = _extracted(tmp_path)
    assert wanted - danish.keys() == set(), "run `make translations` and translate these"
    assert danish.keys() - wanted == set(), "no longer used: `make translations` drops them"
    for english, translated in danish.items():
        # a plural (ngettext) is two forms in English and in Danish
        pairs = (
            zip(english, translated, strict=True)
            if isinstance(english, tuple)
            else [(english, translated)]
        )
        for source, words in pairs:
            assert words.strip(), f"not translated yet: {source!r}"
            assert sorted(PLACEHOLDER.findall(source)) == sorted(PLACEHOLDER.findall(words))
            assert sorted(TAG.findall(source)) == sorted(TAG.findall(words)), source


def _unmarked(source: str) -> list[str]:
    """Words a template writes as they are: outside {{ }}, {% %}, {# #} and markup, and in
    the attributes people read (aria-label, placeholder, title, alt)."""
    jinja = re.compile(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", flags=re.S)
    found = [
        value
        for value in re.findall(r'(?:aria-label|placeholder|title|alt)="([^"]*)"', source)
        if re.search(r"[A-Za-z]", jinja.sub("", value))
    ]
    # a page's CSS classes (its body_class block) and addresses are not words
    source = re.sub(r"\{% block \w+_class %\}.*?\{% endblock %\}|https?://[^\s)\"<]+", " ", source)
    text = jinja.sub(" ", source)
    text = re.sub(r"<script\b.*?</script>|<svg\b.*?</svg>|<[^>]*>", " ", text, flags=re.S)
    found += [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", html.unescape(text)) if w not in BRAND]
    return found


@pytest.mark.parametrize("name", TRANSLATED)
def test_every_word_of_a_translated_template_is_marked(name):
    assert _unmarked((TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_the_check_finds_an_unmarked_word():
    assert _unmarked('<p>{{ _("Marked") }} Forgotten</p><a aria-label="Loose">x</a>') == [
        "Loose",
        "Forgotten",
        "x",
    ]


def _english_left(page: str) -> list[str]:
    """English words of the catalogue (those Danish writes otherwise) still on the page."""
    with catalogue_path("da").open("rb") as source:
        pairs = [(m.id, m.string) for m in read_po(source) if isinstance(m.id, str) and m.id]
    text = html.unescape(re.sub(r"<script\b.*?</script>|<[^>]*>", " ", page, flags=re.S))
    text = " ".join(text.split())
    left = []
    for english, danish in pairs:
        if english == danish or PLACEHOLDER.search(english) or "<" in english:
            continue
        if len(english.split()) >= 3 and english.strip() in text:
            left.append(english)
    return left


async def test_a_danish_programme_reads_in_danish_and_a_person_may_choose_english(data_dir):
    settings = {"locale": "da_DK", "timezone": "Europe/Copenhagen"}
    async with running_server(data_dir, config_changes=settings) as server:
        visitor = await server.client()
        login = await (await visitor.get("/login")).text()
        assert '<html lang="da-DK"' in login and "Log ind i Mentorspace" in login
        assert _english_left(login) == []
        for path in ("/forgot-password", "/password/not-a-link"):
            assert _english_left(await (await visitor.get(path)).text()) == [], path

        sara = await server.client("mentee1")
        maria = await server.user("mentor1")
        pair = await server.pair_channel_id(1)
        for path in ("/", "/profile", f"/people/{maria.id}", f"/channels/{pair}"):
            page = await (await sara.get(path)).text()
            assert _english_left(page) == [], path
        home = html.unescape(await (await sara.get("/")).text())
        assert "Velkommen! Tre ting, du skal vide" in home and "Din samtale med Maria" in home
        assert "Min mentor" in home  # the programme menu's default labels too
        # A language named inside a phrase is in lower case, as Danish writes it; a
        # language standing alone as a choice keeps its capital.
        profile = html.unescape(await (await sara.get("/profile")).text())
        assert "Programmets sprog (dansk)</option>" in profile
        assert '<option value="da" lang="da">Dansk</option>' in profile
        assert '<option value="en" lang="en">English</option>' in profile
        # a lounge's name and topic as created, in her language, on the home card
        assert "Menteelounge" in home and "Mentees, der støtter hinanden." in home

        # She chooses English: her pages, and only hers, change.
        chosen = await form(sara, "/profile/language", {"language": "en"})
        assert chosen.status == 303
        saved = html.unescape(await (await sara.get("/profile?saved=language")).text())
        assert "Your language is saved." in saved and '<html lang="en-DK"' in saved
        assert "The programme's language (Danish)</option>" in saved
        assert "Welcome! Three things to know" in await (await sara.get("/")).text()
        lene = await server.client("mentee2")
        assert "Velkommen! Tre ting" in html.unescape(await (await lene.get("/")).text())

        # A language we do not have is refused, and nothing changes.
        refused = await form(sara, "/profile/language", {"language": "xx"})
        assert refused.status == 400
        api = await sara.patch("/api/v1/me", {"language": "klingon"})
        assert api.status == 400 and (await server.user("mentee1")).language == "en"
        back = await sara.patch("/api/v1/me", {"language": ""})
        assert (await back.json())["user"]["language"] == ""
        assert "Velkommen!" in html.unescape(await (await sara.get("/")).text())
