"""A report table as CSV (for spreadsheets) and as JSON (for scripts): the same rows, the
filters they were made with, and what an empty (suppressed) cell means."""

from __future__ import annotations

from typing import Any

from channels.research.reports import Report, Table
from channels.spreadsheet import csv_text


def table_csv(table: Table) -> str:
    """A header row, then the rows; a suppressed cell is empty."""
    return csv_text(table.columns, table.rows)


def table_json(report: Report, table: Table) -> dict[str, Any]:
    """The rows as objects; a suppressed cell is null."""
    return {
        "table": table.name,
        "title": table.title,
        "note": table.note,
        "filters": report.filters.as_query(),
        "min_cell": report.min_cell,
        "suppressed": f"null: fewer than {report.min_cell} people (or pairs), not shown",
        "columns": list(table.columns),
        "rows": [dict(zip(table.columns, row, strict=True)) for row in table.rows],
    }
