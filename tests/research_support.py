"""Helpers for the research tests: consent, post, read the usage record and the exports."""

from __future__ import annotations

import csv
import io
import json
import uuid
from typing import Any

from .questionnaire_support import rows
from .support import Client, Server
from .task_support import expect

TABLES = ("usage", "pairs", "tasks", "goals", "satisfaction", "questionnaires", "feedback")


async def consent(client: Client, yes: bool = True) -> dict[str, Any]:
    return await expect(await client.put("/api/v1/me/research-consent", {"consented": yes}), 200)


async def post(client: Client, channel_id: int, body: str, **more: Any) -> dict[str, Any]:
    payload = {"body": body, "client_id": str(uuid.uuid4()), **more}
    path = f"/api/v1/channels/{channel_id}/messages"
    return (await expect(await client.post(path, payload), 201))["message"]


def usage_rows(server: Server) -> list[tuple]:
    """The whole usage record, as someone with the disk reads it."""
    return rows(server, "SELECT week, feature, role, cohort, person, uses FROM usage_counts")


def uses_of(server: Server, feature: str) -> int:
    return sum(row[5] for row in usage_rows(server) if row[1] == feature)


async def export(coordinator: Client, table: str, **filters: str) -> tuple[str, dict[str, Any]]:
    """One table as its CSV and its JSON download (two exports: two sets of pseudonyms)."""
    got_csv = await coordinator.get(f"/admin/reports/{table}.csv", params=filters)
    assert got_csv.status == 200, await got_csv.text()
    assert got_csv.content_type == "text/csv"
    got_json = await coordinator.get(f"/admin/reports/{table}.json", params=filters)
    assert got_json.status == 200, await got_json.text()
    return await got_csv.text(), json.loads(await got_json.text())


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))
