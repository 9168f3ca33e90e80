"""Importing people in the browser, in two steps: choose a file and see how it is read (its
format, the first rows, every problem, the counts), then confirm.  Nothing is written before
the confirmation.

Between the steps the file's text travels in the page as a sealed copy: compressed, with the
coordinator's id, the number of people previewed and the time, and signed with the server's
secret.  So the confirmation imports exactly what was previewed, for the coordinator who saw
it, within an hour, on any server node; a changed, foreign or old copy is refused.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import hashlib
import hmac
import json
import zlib
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta

from aiohttp import web

from channels.clock import iso
from channels.errors import Conflict, Invalid
from channels.languages import N_
from channels.people import import_files, importing
from channels.policy import check_coordinator
from channels.words import Words, words_json, words_of
from server import keys
from server.auth import current_coordinator
from server.pages.admin.programme import back, page
from server.pages.rendering import run_form
from server.realtime import emit as admin_events
from server.runners.mailer import link_settings
from storage.records import User

routes = web.RouteTableDef()

PREVIEW_ROWS = 10
SEAL_LIFETIME = timedelta(hours=1)
EXPIRED = N_("This preview has expired. Please choose the file again.")


@dataclass(frozen=True)
class Sealed:
    """What the confirmation carries back: the text as previewed, and what it was said to be."""

    user_id: int
    sealed_at: str
    file_name: str
    format: str  # how it was read, as words to say in her language (channels.words JSON)
    people: int  # the new people the button promised to import
    text: str


@dataclass(frozen=True)
class Preview:
    sealed: Sealed
    plan: importing.ImportPlan
    seal: str
    format: Words | str  # how the file was read
    first_rows: list[importing.ImportRow] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)  # addresses that already have an account


def seal(secret: bytes, sealed: Sealed) -> str:
    body = base64.urlsafe_b64encode(zlib.compress(json.dumps(asdict(sealed)).encode()))
    return f"{body.decode()}.{_signature(secret, body)}"


def open_seal(secret: bytes, sealed: object, user: User, now: datetime) -> Sealed:
    """The sealed copy, if this server made it for `user` less than an hour ago."""
    if not isinstance(sealed, str):
        raise Invalid(EXPIRED)
    body, _, signature = sealed.encode().rpartition(b".")
    if not hmac.compare_digest(_signature(secret, body).encode(), signature):
        raise Invalid(EXPIRED)
    try:  # signed by us, so well formed; checked all the same
        opened = Sealed(**json.loads(zlib.decompress(base64.urlsafe_b64decode(body))))
    except (binascii.Error, zlib.error, ValueError, TypeError):
        raise Invalid(EXPIRED) from None
    if opened.user_id != user.id or now - datetime.fromisoformat(opened.sealed_at) > SEAL_LIFETIME:
        raise Invalid(EXPIRED)
    return opened


def _signature(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, b"people import|" + body, hashlib.sha256).hexdigest()


def _preview(request: web.Request, sealed: Sealed, plan: importing.ImportPlan) -> Preview:
    sealed = replace(sealed, people=len(plan.new))
    rows = sorted([*plan.new, *plan.existing], key=lambda row: row.line)
    return Preview(
        sealed=sealed,
        plan=plan,
        seal=seal(request.app[keys.SECRET], sealed),
        format=_format(sealed),
        first_rows=rows[:PREVIEW_ROWS],
        existing={row.email for row in plan.existing},
    )


def _format(sealed: Sealed) -> Words | str:
    try:
        return words_of(sealed.format)
    except ValueError:  # sealed by a server before this one: in English
        return sealed.format


def _show(request: web.Request, user: User, preview: Preview | None, error: str | None = None):
    return page(request, "import.html", user, preview=preview, error=error)


@routes.get("/admin/import")
async def import_page(request: web.Request) -> web.Response:
    return _show(request, await current_coordinator(request), None)


@routes.post("/admin/import")
async def preview_file(request: web.Request) -> web.Response:
    """The first step: read and check the file, write nothing."""
    user = await current_coordinator(request)
    form = await request.post()
    upload = form.get("file")

    async def check() -> Preview:
        if not isinstance(upload, web.FileField):
            raise Invalid(N_("Please choose a CSV or Excel file."))
        data = await asyncio.to_thread(upload.file.read)
        people_file = await import_files.read_people_file(data)
        plan = await importing.check_import(request.app[keys.STORE], user, people_file.text)
        now = request.app[keys.CLOCK].now()
        sealed = Sealed(
            user.id, iso(now), upload.filename, words_json(people_file.format), 0, people_file.text
        )
        return _preview(request, sealed, plan)

    preview = await run_form(check, lambda error: _show(request, user, None, error.message))
    return _show(request, user, preview)


@routes.post("/admin/import/confirm")
async def import_previewed(request: web.Request) -> web.Response:
    """The second step: import the previewed text, if it still means what the preview said."""
    user = await current_coordinator(request)
    form = await request.post()
    store = request.app[keys.STORE]
    changed: list[Preview] = []

    async def run() -> None:
        clock = request.app[keys.CLOCK]
        sealed = open_seal(request.app[keys.SECRET], form.get("seal"), user, clock.now())
        plan = await importing.check_import(store, user, sealed.text)
        if len(plan.new) != sealed.people:
            changed.append(_preview(request, sealed, plan))
            raise Conflict(
                N_("Accounts changed since the preview: please check it again before importing.")
            )
        await importing.do_import(
            store,
            check_coordinator(user),
            plan,
            links=link_settings(request.app[keys.CONFIG]),
            clock=clock,
        )

    await run_form(
        run, lambda error: _show(request, user, next(iter(changed), None), error.message)
    )
    admin_events.poke_mailer(request.app)
    raise back("/admin/users", "imported")
