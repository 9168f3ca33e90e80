"""`mentorspace report --from --to --out DIR`: the research reports' tables as CSV files, the
same the coordinators download from /admin/reports (consenting people only, small cells left
empty, pairs under names made for this one run), with a progress bar."""

from __future__ import annotations

import asyncio
import getpass
from pathlib import Path

from tqdm import tqdm

from channels.errors import Invalid
from channels.languages import N_
from channels.policy import Actor
from channels.research import export, reports
from server.config import Config
from storage import Store


def _check_out(out: Path) -> None:
    if out.exists() and not out.is_dir():
        raise Invalid(N_("%(out)s is a file: give a directory for the CSV files."), out=out)


def _write(out: Path, tables: list[reports.Table]) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for table in tables:
        path = out / f"{table.name}.csv"
        path.write_text(export.table_csv(table), encoding="utf-8")
        written.append(path)
    return written


async def run_report(
    store: Store,
    config: Config,
    out: Path,
    *,
    since: str | None,
    until: str | None,
    cohort: str | None,
    role: str | None,
) -> list[Path]:
    """Every table, each checked and built before anything is written."""
    filters = reports.check_filters({"from": since, "to": until, "cohort": cohort, "role": role})
    await asyncio.to_thread(_check_out, out)
    with tqdm(total=len(reports.BUILDERS), unit="table", desc="Report") as bar:
        report = await reports.build_report(
            store,
            Actor(None, f"command line ({getpass.getuser()})"),
            filters,
            min_cell=config.report_min_cell,
            progress=lambda name: (bar.set_postfix_str(name), bar.update()),
        )
    written = await asyncio.to_thread(_write, out, report.tables)
    print(
        f"Wrote {len(written)} tables for {filters.since} to {filters.until} in {out}"
        f" (consenting people only; figures under {config.report_min_cell} left empty)."
    )
    return written
