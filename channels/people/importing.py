"""Importing people from a CSV file (email, name, role, field of expertise), its columns
named in English or in Danish (e-mail, navn, rolle, fagområde; a role may be "koordinator").

The whole file is checked before anything is written, and every bad row is reported with its
line number and the reason.  People who already have an account are skipped, so importing
the same file twice creates nobody twice.  Each new person gets an invitation.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import storage
from channels.clock import SYSTEM_CLOCK, Clock, iso
from channels.errors import Conflict, Invalid, MentorspaceError, TooLarge
from channels.input import check_name
from channels.languages import N_, role_word
from channels.people.accounts import check_email
from channels.people.invitations import (
    LinkSettings,
    PreparedInvitation,
    do_store_invitations,
    prepare_invitation,
)
from channels.people.users import check_expertise
from channels.policy import ROLES, Actor, check_coordinator
from channels.programme.audit import record_action
from channels.words import Clause, Count, Words, joined
from storage import Store, Tx
from storage.records import User

MAX_ROWS = 5000
COLUMNS = {  # each column's names, in English and in Danish, as the first line writes them
    "email": (
        *("email", "e-mail", "email address", "e-mail address"),
        *("e-mailadresse", "emailadresse", "mailadresse"),
    ),
    "name": ("name", "full name", "navn", "fulde navn", "fuldt navn"),
    "role": ("role", "rolle"),
    "expertise": ("expertise", "field of expertise", "field", "fagområde", "ekspertise", "felt"),
}
ROLE_NAMES = {role: role for role in ROLES} | {"koordinator": "coordinator"}  # and in Danish
REQUIRED = ("email", "name", "role")


@dataclass(frozen=True)
class ImportRow:
    line: int
    email: str
    name: str
    role: str
    expertise: str


BAD_EMAIL = N_("bad e-mail address %(email)s")


@dataclass(frozen=True)
class RowProblem:
    line: int
    reason: Words  # its English is what the API and the CLI say


@dataclass(frozen=True)
class ImportPlan:
    new: list[ImportRow] = field(default_factory=list)
    existing: list[ImportRow] = field(default_factory=list)  # already have an account: skipped
    problems: list[RowProblem] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.problems


class ImportRejected(Invalid):
    """The file has bad rows; nothing was imported."""

    def __init__(self, plan: ImportPlan) -> None:
        n = len(plan.problems)
        if n == 1:
            super().__init__(
                N_(
                    "1 problem in the file. Nothing was imported;"
                    " please fix the rows listed and try again."
                )
            )
        else:
            super().__init__(
                N_(
                    "%(n)s problems in the file. Nothing was imported;"
                    " please fix the rows listed and try again."
                ),
                n=n,
            )
        self.plan = plan


def _header_map(header: list[str]) -> dict[str, int]:
    names = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for column, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[column] = index
                break
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise Invalid(
            N_(
                "The first line must name the columns: email, name, role, field of expertise"
                " (or in Danish: e-mail, navn, rolle, fagområde). Missing: %(missing)s."
            ),
            missing=", ".join(missing),
        )
    return found


def _dialect(text: str) -> type[csv.Dialect] | csv.Dialect:
    """Commas, or semicolons as spreadsheets save them in many countries, or tabs."""
    first_line = text.split("\n", 1)[0]
    try:
        return csv.Sniffer().sniff(first_line, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _check_row(values: dict[str, str]) -> tuple[str, str, str, str, list[Words]]:
    """One row's cleaned email, name, role and expertise, and what is wrong with it."""
    reasons: list[Words] = []
    email = values.get("email", "")
    try:
        email = check_email(email)
    except MentorspaceError:
        reasons.append(
            Words(BAD_EMAIL, email=repr(email)) if email else Words(N_("no e-mail address"))
        )
    name = ""
    try:
        name = check_name(values.get("name", ""))
    except MentorspaceError as error:
        reasons.append(Clause.of(error.message))
    written = values.get("role", "").lower()
    role = ROLE_NAMES.get(written, "")
    if not role:
        reasons.append(
            Words(
                N_("unknown role %(role)s (use coordinator, mentor or mentee)"),
                role=repr(values["role"]),
            )
            if written
            else Words(N_("no role (use coordinator, mentor or mentee)"))
        )
    expertise = ""
    try:
        expertise = check_expertise(values.get("expertise", ""))
    except MentorspaceError as error:
        reasons.append(Clause.of(error.message))
    return email, name, role, expertise, reasons


def parse_rows(text: str) -> tuple[list[ImportRow], list[RowProblem]]:
    """Every row checked on its own and against the rows above it (pure)."""
    if not text.strip():
        raise Invalid(N_("The file is empty."))
    reader = csv.reader(io.StringIO(text, newline=""), _dialect(text))
    try:
        header = next(reader)
    except csv.Error as error:
        raise Invalid(N_("Line 1 is not valid CSV: %(error)s."), error=error) from None
    columns = _header_map(header)
    rows: list[ImportRow] = []
    problems: list[RowProblem] = []
    first_line_of: dict[str, int] = {}
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            problems.append(
                RowProblem(line, Words(N_("not valid CSV (%(error)s)"), error=str(error)))
            )
            break
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are fine
        if len(rows) + len(problems) >= MAX_ROWS:
            raise TooLarge(
                N_("A file can hold at most %(max_rows)s people. Please split it."),
                max_rows=Count(MAX_ROWS),
            )

        values = {c: cells[i].strip() for c, i in columns.items() if i < len(cells)}
        email, name, role, expertise, reasons = _check_row(values)
        if email in first_line_of:
            reasons.append(
                Words(
                    N_("duplicate: %(email)s is already on line %(line)s"),
                    email=email,
                    line=first_line_of[email],
                )
            )
        elif email and not any(r.template == BAD_EMAIL for r in reasons):
            first_line_of[email] = line
        if reasons:
            problems.append(RowProblem(line, joined(reasons, "; ")))
        else:
            rows.append(ImportRow(line, email, name, role, expertise))
    if not rows and not problems:
        raise Invalid(N_("The file has a header but no people."))
    return rows, problems


async def plan_import(store: Store, text: str) -> ImportPlan:
    rows, problems = await asyncio.to_thread(parse_rows, text)
    existing = await store.load_users_by_emails([row.email for row in rows])
    return ImportPlan(
        new=[row for row in rows if row.email not in existing],
        existing=[row for row in rows if row.email in existing],
        problems=problems,
    )


async def check_import(store: Store, user: User, text: str) -> ImportPlan:
    """A dry run: what importing `text` would do, and every problem in it."""
    check_coordinator(user)
    return await plan_import(store, text)


Progress = Callable[[int, int], None]


def _prepare_invitations(
    links: LinkSettings, rows: list[ImportRow], now: datetime
) -> list[PreparedInvitation]:
    return [prepare_invitation(links, name=r.name, email=r.email, now=now) for r in rows]


async def do_import(
    store: Store,
    actor: Actor,
    plan: ImportPlan,
    *,
    links: LinkSettings,
    clock: Clock = SYSTEM_CLOCK,
    chunk_size: int | None = None,
    on_progress: Progress | None = None,
) -> list[User]:
    """Create everyone new in `plan` (which must be clean) with their invitations.  One
    transaction, or one per `chunk_size` rows so a progress bar can move; an interrupted
    import can simply be run again."""
    if not plan.clean:
        raise ImportRejected(plan)
    created: list[User] = []
    size = chunk_size or max(len(plan.new), 1)
    for start in range(0, len(plan.new), size):
        chunk = plan.new[start : start + size]
        now = clock.now()
        invitations = await asyncio.to_thread(_prepare_invitations, links, chunk, now)
        try:

            async def insert(
                tx: Tx,
                chunk: list[ImportRow] = chunk,  # bound per loop
                invitations: list[PreparedInvitation] = invitations,
                now: datetime = now,
            ) -> list[User]:
                users = []
                for row in chunk:
                    users.append(
                        await tx.insert_user(
                            email=row.email,
                            name=row.name,
                            role=row.role,
                            password_hash=None,
                            expertise=row.expertise,
                            now=iso(now),
                        )
                    )
                await do_store_invitations(
                    tx,
                    links,
                    [(u.id, inv) for u, inv in zip(users, invitations, strict=True)],
                    now,
                )
                for u in users:
                    await record_action(
                        tx,
                        actor,
                        "user.created",
                        target_type="user",
                        target_id=u.id,
                        summary=Words(
                            N_("Imported %(role)s %(name)s <%(email)s> and sent an invitation."),
                            role=role_word(u.role),
                            name=u.name,
                            email=u.email,
                        ),
                        now=iso(now),
                    )
                return users

            users = await store.write(insert)
        except storage.IntegrityError:
            raise Conflict(
                N_(
                    "Someone in the file got an account while it was being imported."
                    " Please import the file again: people already there are skipped."
                )
            ) from None
        created.extend(users)
        if on_progress is not None:
            on_progress(len(created), len(plan.new))
    return created


async def import_users(
    store: Store, user: User, text: str, *, links: LinkSettings, clock: Clock = SYSTEM_CLOCK
) -> tuple[ImportPlan, list[User]]:
    actor = check_coordinator(user)
    plan = await plan_import(store, text)
    return plan, await do_import(store, actor, plan, links=links, clock=clock)
