"""HTML rendering: the jinja2 templates (autoescaping on), the error page, and the channel
menu every signed-in page shows.  The routes live in `channel_pages.py` and `account_pages.py`."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, urlsplit

import jinja2
from aiohttp import web

from channels.chat import directory
from channels.chat.notices import notice_html
from channels.dates import Calendar
from channels.errors import MentorspaceError
from channels.files.kinds import label_of
from channels.files.wire import attachment_json, file_size
from channels.goals.goals import STATUSES as GOAL_STATUSES
from channels.languages import N_, language_in_sentence
from channels.library import folders as library_folders
from channels.people.profiles import photo_url
from channels.policy import Action, allows
from channels.programme import flags
from channels.programme import menu as role_menu
from channels.questionnaires import answering
from channels.readers import Reader
from server import keys
from server.auth import csrf_token, known_user
from server.errors import FormRefused
from server.pages import translations
from storage.records import Channel, ChannelSummary, User

WEB_DIR = Path(__file__).resolve().parents[2] / "web"


def create_templates(calendar: Calendar) -> jinja2.Environment:
    """The templates, with dates read in `calendar` (channels/dates.py): `|exact_time` (a date
    and time), `|day` (a date)."""
    templates = jinja2.Environment(
        loader=jinja2.FileSystemLoader(WEB_DIR / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )
    translations.install(templates)
    # A page's context names its reader's language and calendar (render); these are for the
    # rest (mails, the CLI).
    templates.globals["calendar"] = calendar
    templates.globals["language"] = translations.reader_language("", calendar)
    templates.globals["programme_calendar"] = calendar
    templates.filters["exact_time"] = jinja2.pass_context(lambda c, m: c["calendar"].moment(m))
    templates.filters["day"] = jinja2.pass_context(lambda c, m: c["calendar"].day(m))
    templates.filters["initials"] = initials
    # A language's name inside one of the page's sentences (not where it stands alone).
    templates.filters["in_sentence"] = jinja2.pass_context(
        lambda c, code: language_in_sentence(code, c["language"])
    )
    templates.filters["moment"] = datetime.fromisoformat
    templates.filters["host"] = host
    templates.filters["attachment"] = attachment_json
    templates.filters["file_size"] = jinja2.pass_context(
        lambda c, size: file_size(size, Reader(c["language"], c["calendar"]))
    )
    templates.filters["file_label"] = label_of
    templates.globals["goal_statuses"] = GOAL_STATUSES
    templates.globals["photo_url"] = photo_url
    templates.globals["notice_html"] = notice_html  # a system message in the reader's language
    # Words the domain stored or composed (channels/words.py), said in the reader's language
    templates.filters["said"] = jinja2.pass_context(
        lambda c, words: translations.said_in(words, c["language"])
    )
    return templates


def initials(name: str) -> str:
    """'Maria Jensen' -> 'MJ': the letters on a person's round badge."""
    return "".join(word[0] for word in name.split()[:2]).upper()


def host(url: str) -> str:
    """'https://www.example.org/guide' -> 'www.example.org'; a path of this site -> 'this site'
    (marked: the templates translate it)."""
    return urlsplit(url).hostname or N_("this site")


def _programme_calendar(request: web.Request) -> Calendar:
    return request.app[keys.TEMPLATES].globals["programme_calendar"]


def reader_gettext(request: web.Request, user: User | None) -> Callable[[str], str]:
    """Translate in `user`'s language (the programme's for nobody): for the words a page
    composes in Python, such as the menu's."""
    return reader_of(request, user).gettext


def reader_of(request: web.Request, user: User | None) -> Reader:
    """`user` as a reader (their language's gettext and ngettext), for words composed in
    Python, such as a notification's sentence."""
    return Reader.of(user.language if user else "", _programme_calendar(request))


def render(request: web.Request, template: str, status: int = 200, **context: Any) -> web.Response:
    context.setdefault("user", None)
    programme = _programme_calendar(request)
    language = context.setdefault(
        "language",
        translations.reader_language(getattr(context["user"], "language", ""), programme),
    )
    # An error a page shows (a form again with its reason, the error page) is said in the
    # reader's language here, where every page is drawn: handlers hand on the domain's error,
    # or its `.message`, as it is.
    context = {key: translations.said_in(value, language) for key, value in context.items()}
    context.setdefault("calendar", translations.reader_calendar(language, programme))
    context.setdefault("words", translations.js_words(language))
    context.setdefault("now", request.app[keys.CLOCK].now())  # e.g. is a task overdue
    html = (
        request.app[keys.TEMPLATES]
        .get_template(template)
        .render(request=request, csrf=csrf_token(request), **context)
    )
    return web.Response(text=html, status=status, content_type="text/html")


def see_other(location: str) -> web.Response:
    """After a form post: go there with a GET (so a reload does not post again)."""
    return web.Response(status=303, headers={"Location": location})


def error_page(request: web.Request, error: MentorspaceError) -> web.Response:
    """The error in the language of the person signed in, when the request knows them (the
    error middleware looked them up), without their menus: the page is about what went wrong."""
    if error.code == "unauthenticated" and request.method == "GET":
        target = "/login" if request.path == "/" else f"/login?next={quote(request.path_qs)}"
        raise web.HTTPFound(target)
    return render(
        request,
        "error.html",
        status=error.status,
        error=error,
        **reader_words(request, known_user(request)),
    )


def reader_words(request: web.Request, reader: User | None) -> dict[str, Any]:
    """The language and calendar of a page for `reader` that shows them no menus (its context
    has no `user`): the error page, the unsubscribe page of a digest's link."""
    programme = _programme_calendar(request)
    language = translations.reader_language(reader.language if reader else "", programme)
    return {"language": language, "calendar": translations.reader_calendar(language, programme)}


T = TypeVar("T")
ShowAgain = Callable[[MentorspaceError], Awaitable[web.Response] | web.Response]


async def run_form(call: Callable[[], Awaitable[T]], show_again: ShowAgain) -> T:
    """Run what a form asks for (`call`, which checks everything before it writes).  If it
    refuses, stop the handler and answer with `show_again(error)`: the page again with the
    reason and what was typed, at the error's status, so nothing changed and the person can
    correct it.  Build the domain call's arguments inside `call`: a bad field is refused the
    same way."""
    try:
        return await call()
    except MentorspaceError as error:
        page = show_again(error)
        if inspect.isawaitable(page):
            page = await page
        page.set_status(error.status)
        raise FormRefused(page, error) from None


# the menu: what a user can open, in the order their role cares about


@dataclass(frozen=True)
class MenuItem:
    summary: ChannelSummary
    label: str
    detail: str
    partner: User | None = None
    partner_online: bool = False
    partner_photo: str | None = None  # the partner's photo version, for their avatar

    @property
    def channel(self) -> Channel:
        return self.summary.channel


@dataclass(frozen=True)
class MenuSection:
    title: str
    items: list[MenuItem]


_SECTIONS = [
    (N_("Your mentoring"), ("pair",)),
    (N_("Coordinators"), ("coordinator_line",)),
    (N_("Lounges"), ("mentor_lounge", "mentee_lounge")),
    (N_("News"), ("announcements",)),
    (N_("Communities"), ("community",)),
]
_PARTNER_ROLE = {"mentor": N_("Your mentor"), "mentee": N_("Your mentee")}
_ROLE = {"mentor": N_("Mentor"), "mentee": N_("Mentee"), "coordinator": N_("Coordinator")}


@dataclass(frozen=True)
class ProgrammeLink:
    """One item of the role's menu (as coordinators shape it), with where it goes."""

    item: str  # the menu item it is ('library', 'link'), for the usage record
    label: str
    href: str
    channel_id: int | None = None
    external: bool = False
    count: int = 0  # something new there (the library's new resources)
    count_label: str = N_("new")  # what the count is of, for screen readers (translated)


@dataclass(frozen=True)
class Menu:
    sections: list[MenuSection]
    links: list[ProgrammeLink] = field(default_factory=list)

    def item(self, channel_id: int) -> MenuItem | None:
        for section in self.sections:
            for item in section.items:
                if item.channel.id == channel_id:
                    return item
        return None


async def load_menu(request: web.Request, user: User) -> Menu:
    store = request.app[keys.STORE]
    listings = await directory.list_channels_with_partners(
        store, user, online_among=request.app[keys.ONLINE].online_among
    )
    photos = await store.load_photo_versions(
        [listing.partner.id for listing in listings if listing.partner is not None]
    )
    sections = []
    _ = reader_gettext(request, user)
    for title, kinds in _SECTIONS:
        if kinds == ("coordinator_line",) and user.role == "coordinator":
            title = N_("Lines to the coordinators")
        items = []
        for listing in listings:
            summary, partner = listing.summary, listing.partner
            if summary.channel.kind not in kinds:
                continue
            if summary.channel.kind == "coordinator_line":
                if partner is None:  # the person's own line
                    items.append(MenuItem(summary, _("Your coordinators"), _("Ask for help")))
                else:
                    role = _(_ROLE[partner.role]) + (_(" · disabled") if partner.disabled else "")
                    items.append(
                        MenuItem(
                            summary,
                            partner.name,
                            role,
                            partner,
                            listing.partner_online,
                            photos.get(partner.id),
                        )
                    )
                continue
            if partner is not None:
                detail = _(_PARTNER_ROLE[partner.role]) if partner.role in _PARTNER_ROLE else ""
                if summary.channel.archived:
                    detail += _(" · this pair has ended")
                items.append(
                    MenuItem(
                        summary,
                        partner.name,
                        detail,
                        partner,
                        listing.partner_online,
                        photos.get(partner.id),
                    )
                )
            else:
                channel = summary.channel
                name, topic = directory.said_as_created(
                    channel.kind, channel.name, channel.topic, _
                )
                items.append(MenuItem(summary, name, topic))
        if items:
            sections.append(MenuSection(_(title), items))
    summaries = [listing.summary for listing in listings]
    items = await role_menu.menu_for(store, user)
    library_new = 0
    if any(item.item == "library" for item in items):
        library_new = await library_folders.count_new_resources(store, user)
    waiting = 0
    if user.role != "coordinator" and any(item.item == "questionnaires" for item in items):
        waiting = await answering.count_waiting(store, user, clock=request.app[keys.CLOCK])
    items = [  # a label the coordinators kept as it came is read in the reader's language
        replace(i, label=_(i.label)) if i.label == _default_label(i.item, user.role) else i
        for i in items
    ]
    return Menu(sections, _programme_links(items, summaries, library_new, user, waiting))


def _default_label(item: str, role: str) -> str | None:
    return role_menu.default_label(item, role) if item in role_menu.BUILT_IN else None


# Built-in menu items that open a channel: the first readable one of these kinds.
_ITEM_KINDS = {
    "pair": ("pair",),
    "announcements": ("announcements",),
    "lounge": ("mentor_lounge", "mentee_lounge"),
}


def _programme_links(
    items, summaries: list[ChannelSummary], library_new: int, user: User, waiting: int
) -> list[ProgrammeLink]:
    """The role's menu as links; questionnaires count those waiting for the person's answers
    (coordinators go to the ones they run)."""
    links = []
    for item in items:
        if item.item == "home":
            links.append(ProgrammeLink(item.item, item.label, "/"))
        elif item.item == "questionnaires":
            if user.role == "coordinator":
                links.append(ProgrammeLink(item.item, item.label, "/admin/questionnaires"))
            else:
                links.append(
                    ProgrammeLink(
                        item.item,
                        item.label,
                        "/questionnaires",
                        count=waiting,
                        count_label=N_("waiting"),
                    )
                )
        elif item.item == "admin":
            links.append(ProgrammeLink(item.item, item.label, "/admin"))
        elif item.item == "communities":
            links.append(ProgrammeLink(item.item, item.label, "/communities"))
        elif item.item == "coordinators":
            links.append(ProgrammeLink(item.item, item.label, "/coordinators"))
        elif item.item == "feedback":
            links.append(ProgrammeLink(item.item, item.label, "/feedback"))
        elif item.item == "library":
            links.append(ProgrammeLink(item.item, item.label, "/resources", count=library_new))
        elif item.item == role_menu.LINK and item.url:
            links.append(
                ProgrammeLink(
                    item.item, item.label, item.url, external=not item.url.startswith("/")
                )
            )
        elif item.item in _ITEM_KINDS:
            kinds = _ITEM_KINDS[item.item]
            # An active pair before an ended one.
            found = sorted(
                (s for s in summaries if s.channel.kind in kinds),
                key=lambda s: s.channel.archived,
            )
            if found:
                channel_id = found[0].channel.id
                links.append(
                    ProgrammeLink(item.item, item.label, f"/channels/{channel_id}", channel_id)
                )
    return links


def channel_rights(user: User, channel: Channel, *, is_member: bool) -> dict[str, bool]:
    rights = {
        action.value: allows(user, channel, action, is_member=is_member)
        for action in (Action.POST, Action.REPLY, Action.REACT, Action.EDIT_OWN, Action.MODERATE)
    }
    return rights | {"report": flags.may_report(user)}  # others' messages, to the coordinators


def me_json(user: User) -> dict[str, Any]:
    return {"id": user.id, "name": user.name, "role": user.role}
