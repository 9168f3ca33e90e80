"""The domain's error sentences in each reader's language (issue 13): a form shown again with
its reason, the error page, the JSON API and the socket ACKs say the error in the language of
the person reading it, English stays exactly as it was, and every sentence raised in
channels/ and server/ is in the catalogue."""

from __future__ import annotations

import ast
import html
import importlib
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from channels.chat.messages import MAX_BODY
from channels.dates import Calendar
from channels.errors import Conflict, Invalid, TooLarge
from channels.languages import N_
from channels.people.passwords import MIN_PASSWORD
from channels.readers import Time
from channels.words import Clause, Count, Words, words_json, words_of
from server.pages.translations import catalogue, catalogue_path

from .goal_support import form
from .support import DEMO_PASSWORD, email

ROOT = Path(__file__).resolve().parents[1]
ERRORS = {
    "MentorspaceError",
    "Unauthenticated",
    "Forbidden",
    "NotFound",
    "Invalid",
    "TooLarge",
    "RateLimited",
    "Conflict",
}


def _danish(error):
    return error.said_in(catalogue("da").gettext, "da")


def _text(page: str) -> str:
    return " ".join(html.unescape(page).split())


async def _choose(client, language: str) -> None:
    chosen = await form(client, "/profile/language", {"language": language})
    assert chosen.status == 303


async def test_each_form_says_its_error_in_the_readers_language(server):
    sara, maria = await server.client("mentee1"), await server.client("mentor1")
    await _choose(sara, "da")  # Maria keeps the programme's language, English
    pair = await server.pair_channel_id(1)

    # the profile form
    blank = {"name": " ", "expertise": "", "bio": ""}
    danish = await form(sara, "/profile", blank)
    english = await form(maria, "/profile", blank)
    assert danish.status == english.status == 400
    assert "Navn skal udfyldes." in _text(await danish.text())
    assert "Name cannot be empty." in _text(await english.text())
    assert (await server.user("mentee1")).name.strip()  # nothing changed

    # the password form
    short = {
        "current_password": DEMO_PASSWORD,
        "new_password": "short",
        "confirm_password": "short",
    }
    danish = _text(await (await form(sara, "/profile/password", short)).text())
    english = _text(await (await form(maria, "/profile/password", short)).text())
    assert f"En adgangskode skal have mindst {MIN_PASSWORD} tegn." in danish
    assert f"Passwords need at least {MIN_PASSWORD} characters." in english
    assert "Passwords need" not in danish
    assert (await sara.get("/")).status == 200  # her password is still the old one

    # a member's form: a goal without a title
    untitled = {"title": "", "milestones": ""}
    danish = await form(sara, f"/channels/{pair}/goals", untitled)
    english = await form(maria, f"/channels/{pair}/goals", untitled)
    assert danish.status == english.status == 400
    assert "Et mål skal udfyldes." in _text(await danish.text())
    assert "A goal cannot be empty." in _text(await english.text())


async def test_an_admin_form_says_its_error_in_the_coordinators_language(server):
    coordinator = await server.client("coordinator")
    person = {"email": "not an address", "name": "Ny Person", "role": "mentee"}
    english = await form(coordinator, "/admin/users", person)
    assert english.status == 400
    assert "Please give a valid e-mail address, like name@example.org." in _text(
        await english.text()
    )
    await _choose(coordinator, "da")
    danish = await form(coordinator, "/admin/users", person)
    assert danish.status == 400
    page = _text(await danish.text())
    assert "Skriv en gyldig e-mailadresse, for eksempel navn@example.org." in page
    assert "Please give a valid e-mail address" not in page
    # the error a page writes itself (no role chosen) is said in Danish too
    unchosen = await form(coordinator, "/admin/users", {**person, "role": ""})
    assert unchosen.status == 400
    assert "Vælg en rolle til personen" in _text(await unchosen.text())
    # a person already there: what was typed (the address) is shown as it was typed
    taken = await form(coordinator, "/admin/users", {**person, "email": email("mentor1")})
    assert f"Der findes allerede en konto for {email('mentor1')}." in _text(await taken.text())


async def test_the_error_page_the_api_and_the_acks_speak_the_readers_language(server):
    sara, maria = await server.client("mentee1"), await server.client("mentor1")
    await _choose(sara, "da")

    page = _text(await (await sara.get("/channels/999999")).text())
    assert "Den kanal findes ikke." in page
    assert "That channel does not exist." in _text(
        await (await maria.get("/channels/999999")).text()
    )

    # JSON: the code is the same for every reader; the sentence is theirs
    danish = await sara.patch("/api/v1/me", {"language": "klingon"})
    english = await maria.patch("/api/v1/me", {"language": "klingon"})
    assert danish.status == english.status == 400
    danish_error, english_error = (await danish.json())["error"], (await english.json())["error"]
    assert danish_error["code"] == english_error["code"] == "invalid"
    assert danish_error["message"].startswith("Sproget skal være et af 'en' (English), 'da'")
    assert english_error["message"] == (
        "The language must be one of 'en' (English), 'da' (Dansk), or '' for the programme's."
    )
    assert (await server.user("mentee1")).language == "da"  # nothing changed

    # socket ACKs, with a number written the Danish way
    pair = await server.pair_channel_id(1)
    too_long = {"channel_id": pair, "body": "x" * (MAX_BODY + 1), "client_id": "c-1"}
    danish_ack = await (await sara.socket()).call("message:send", too_long)
    english_ack = await (await maria.socket()).call(
        "message:send", {**too_long, "client_id": "c-2"}
    )
    assert danish_ack["error"] == {
        "code": "too_large",
        "message": f"En besked fylder for meget: højst {MAX_BODY:,} tegn.".replace(",", "."),
    }
    assert english_ack["error"] == {
        "code": "too_large",
        "message": f"A message is too long: at most {MAX_BODY:,} characters.",
    }


def test_what_someone_typed_is_never_looked_up_in_the_catalogue():
    # a person named as a msgid stays as named; a label marked N_ is translated
    taken = Conflict(N_("There is already an account for %(email)s."), email="Name")
    assert _danish(taken).message == "Der findes allerede en konto for Name."
    assert taken.message == "There is already an account for Name."
    labelled = TooLarge(
        N_("%(label)s is too long: at most %(max_length)s characters."),
        label=Words(N_("Name")),
        max_length=Count(12000),
    )
    assert labelled.message == "Name is too long: at most 12,000 characters."
    said = _danish(labelled)
    assert said.message == "Navn fylder for meget: højst 12.000 tegn."
    assert (said.code, said.status, str(said)) == ("too_large", 413, said.message)
    # a sentence the catalogue lacks stays as written rather than failing
    assert _danish(Invalid("Not in any catalogue.")).message == "Not in any catalogue."


# every sentence raised is in the catalogue


def _translated() -> set[str]:
    with catalogue_path("da").open("rb") as source:
        return {m.id for m in read_po(source) if isinstance(m.id, str) and m.id and m.string}


def _templates(value) -> list[str]:
    """The catalogue templates in a message value: a Words and the Words among its params."""
    if isinstance(value, Words):
        found = [value.template]
        for param in value.params.values():
            found += _templates(param)
        return found
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _templates(v)]
    raise AssertionError(f"not a sentence: {value!r}")


class _Sentences(ast.NodeVisitor):
    """The sentences each error call in a module is given, resolved in the module."""

    def __init__(self, path: Path) -> None:
        self.path = path
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        self.module = vars(importlib.import_module(name))
        self.found: list[tuple[int, str]] = []
        self.problems: list[str] = []
        self.handed_in: list[tuple[int, str]] = []  # a parameter: its callers say what it is
        self.parameters: set[str] = set()

    def visit_FunctionDef(self, node) -> None:
        outer = self.parameters
        self.parameters = outer | {a.arg for a in node.args.args + node.args.kwonlyargs}
        self.generic_visit(node)
        self.parameters = outer

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        name = getattr(node.func, "id", None)
        if name in ERRORS and node.args:
            self._resolve(node.lineno, node.args[0])
        for keyword in node.keywords:
            label = keyword.value
            # a field's name in quotes ("'kind'") is what a program sends: not translated
            if keyword.arg == "what" and isinstance(label, ast.Constant) and label.value[:1] != "'":
                self.problems.append(f"{self.path}:{node.lineno}: a label not marked with N_")
        self.generic_visit(node)

    def _resolve(self, line: int, arg: ast.expr) -> None:
        where = f"{self.path.relative_to(ROOT)}:{line}"
        if isinstance(arg, ast.Call) and getattr(arg.func, "id", None) == "N_":
            literal = arg.args[0]
            assert isinstance(literal, ast.Constant), where
            self.found.append((line, literal.value))
        elif isinstance(arg, ast.IfExp):
            self._resolve(line, arg.body)
            self._resolve(line, arg.orelse)
        elif isinstance(arg, ast.Name) and arg.id in self.parameters:
            self.handed_in.append((line, arg.id))
        elif isinstance(arg, ast.Call) and getattr(arg.func, "attr", None) == "get":
            self._constant(line, arg.func.value)  # table.get(key, default)
            self._resolve(line, arg.args[1])
        elif isinstance(arg, ast.Subscript):
            self._constant(line, arg.value)  # table[key]
        elif isinstance(arg, ast.Name | ast.Attribute):
            self._constant(line, arg)
        else:
            self.problems.append(f"{where}: {ast.unparse(arg)[:80]} is not a marked sentence")

    def _constant(self, line: int, expression: ast.expr) -> None:
        """A module's constant (or table of them), as the module holds it."""
        code = compile(ast.Expression(expression), f"{self.path}:{line}", "eval")
        self.found += [(line, template) for template in _templates(eval(code, self.module))]


def _modules() -> list[Path]:
    return sorted(
        path
        for folder in ("channels", "server")
        for path in (ROOT / folder).rglob("*.py")
        if path.name != "__main__.py"
    )


def test_every_error_sentence_raised_in_channels_and_server_is_in_the_catalogue():
    translated = _translated()
    missing, problems, handed_in, count = [], [], [], 0
    for path in _modules():
        sentences = _Sentences(path)
        sentences.visit(ast.parse(path.read_text(encoding="utf-8")))
        problems += sentences.problems
        handed_in += [(path.relative_to(ROOT).as_posix(), name) for _, name in sentences.handed_in]
        for line, template in sentences.found:
            count += 1
            if template not in translated:
                missing.append(f"{path.relative_to(ROOT)}:{line}: {template!r}")
    assert problems == []
    assert missing == [], "mark these with N_, run `make translations` and translate them"
    assert count > 300  # the check reads the raise sites (some 370 of them)
    # Sentences handed to a function that raises them: each caller passes a marked constant
    # (a `missing=` or `unchosen=` argument), checked where it is passed.
    assert sorted(set(handed_in)) == [
        ("channels/goals/goals.py", "missing"),
        ("channels/policy.py", "missing"),
        ("server/pages/admin/targets.py", "unchosen"),
    ]
    passed = _passed_as(("missing", "unchosen"))
    assert len(passed) >= 8
    assert [p for p in passed if p not in translated] == []


RECEIVERS = {"check_allowed", "_pair_channel", "_current", "target_payload"}


def _passed_as(names: tuple[str, ...]) -> list[str]:
    """The sentences given as these arguments (by the callers of the functions that raise
    them, or as the parameters' defaults) anywhere in channels/ and server/."""
    found = []
    for path in _modules():
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        expressions = []
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _called(node) in RECEIVERS:
                expressions += [k.value for k in node.keywords if k.arg in names]
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                arguments = node.args
                paired = zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
                positional = arguments.args[len(arguments.args) - len(arguments.defaults) :]
                paired = [*paired, *zip(positional, arguments.defaults, strict=True)]
                expressions += [d for a, d in paired if a.arg in names and d is not None]
        for expression in expressions:
            if isinstance(expression, ast.Name) and expression.id in names:
                continue  # handed on as it came
            module = vars(importlib.import_module(name))
            code = compile(ast.Expression(expression), str(path), "eval")
            found += _templates(eval(code, module))
    return found


def _called(call: ast.Call) -> str | None:
    return getattr(call.func, "id", None) or getattr(call.func, "attr", None)


def test_the_check_finds_an_unmarked_sentence(tmp_path):
    source = 'def f(x):\n    raise Invalid(f"{x} is wrong")\n'
    module = ROOT / "channels" / "errors.py"  # any module to resolve names in
    sentences = _Sentences(module)
    sentences.visit(ast.parse(source))
    assert len(sentences.problems) == 1 and "is not a marked sentence" in sentences.problems[0]


def test_stored_words_are_read_back_and_said_in_each_language():
    """What the audit log stores beside its English (channels.words `words_json`): the same
    words, said again in any language; what is not such words is refused, not guessed."""
    danish = catalogue("da").gettext
    said = Words(
        N_("Asked %(names)s how their mentoring went (%(reason)s)."),
        names=Words(N_("%(first)s and %(second)s"), first="Maria", second="Sara %s"),
        reason=Words(N_("the pair ended")),
    )
    again = words_of(words_json(said))
    assert again == said == "Asked Maria and Sara %s how their mentoring went (the pair ended)."
    assert again.said_in(danish, "da") == (
        "Spurgte Maria og Sara %s, hvordan mentorforløbet gik (parret sluttede)."
    )
    counted = words_of(words_json(Words(N_("CSV, %(encoding)s"), encoding=Count(12345))))
    assert counted == "CSV, 12,345" and counted.said_in(danish, "da") == "CSV, 12.345"
    clause = Clause.of(Invalid(N_("The file is empty.")).message)
    assert clause == "the file is empty" and clause.said_in(danish, "da") == "filen er tom"
    for broken in ("[]", '{"words": "%(x)s", "params": {"y": "1"}}', '{"words": 1}', "not json"):
        with pytest.raises(ValueError):
            words_of(broken)


def test_a_stored_time_reads_in_each_readers_calendar_of_the_programmes_zone():
    programme = Calendar.of("da_DK", "Europe/Copenhagen")
    said = Words(
        N_("Moved the closing of the questionnaire %(title)s to %(when)s."),
        title="Forår",
        when=Time(datetime(2026, 4, 6, 7, 0, tzinfo=UTC), programme),  # 09:00 there
    )
    again = words_of(words_json(said))
    assert (
        again
        == said
        == (
            "Moved the closing of the questionnaire Forår to Monday, 6 April 2026, 09.00."  # en_DK
        )
    )
    assert again.said_in(catalogue("da").gettext, "da") == (
        "Flyttede lukningen af spørgeskemaet Forår til mandag den 6. april 2026 09.00."
    )
    with pytest.raises(ValueError):
        words_of('{"time": "2026-04-06T07:00:00+00:00", "locale": "xx_YY", "zone": "UTC"}')
