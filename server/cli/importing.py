"""`mentorspace import-users FILE`: check the whole file, list every problem, and only then
import, with a progress bar.  Invitations go into the outbox; a running server sends them."""

from __future__ import annotations

import asyncio
import getpass
import sys
from pathlib import Path

from channels.errors import Invalid
from channels.languages import N_
from channels.people import import_files, importing
from channels.policy import Actor
from server.config import Config
from server.runners.mailer import link_settings

CHUNK = 50
BAR = 30


def progress_bar(done: int, total: int) -> str:
    filled = BAR * done // max(total, 1)
    return f"[{'#' * filled}{'.' * (BAR - filled)}] {done}/{total}"


def _show_progress(done: int, total: int) -> None:
    if sys.stdout.isatty():
        print(f"\rImporting {progress_bar(done, total)}", end="", flush=True)
        if done == total:
            print()
    else:
        print(f"Importing {progress_bar(done, total)}", flush=True)


async def run_import(store, config: Config, path: Path, *, dry_run: bool) -> None:
    try:
        data = await asyncio.to_thread(path.read_bytes)
    except OSError as error:
        raise Invalid(
            N_("Cannot read %(path)s: %(strerror)s."), path=path, strerror=error.strerror
        ) from None
    people_file = await import_files.read_people_file(data)
    print(f"{path}: {people_file.format}")
    plan = await importing.plan_import(store, people_file.text)
    if not plan.clean:
        for problem in plan.problems:
            print(f"{path}: line {problem.line}: {problem.reason}", file=sys.stderr)
        raise importing.ImportRejected(plan)
    skipped = f"; {len(plan.existing)} already had an account" if plan.existing else ""
    if dry_run:
        print(f"The file is fine: {len(plan.new)} people to import{skipped}.")
        return
    actor = Actor(None, f"command line ({getpass.getuser()})")
    created = await importing.do_import(
        store,
        actor,
        plan,
        links=link_settings(config),
        chunk_size=CHUNK,
        on_progress=_show_progress,
    )
    print(
        f"Imported {len(created)} people{skipped}."
        + (" Their invitations are sent by the running server." if created else "")
    )
