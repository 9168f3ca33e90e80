"""Helpers for the questionnaire tests: a questionnaire with one question of each kind, assign
it, answer it, read the stored rows, run the runner."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from server import keys

from . import databases
from .support import Client, Server
from .task_support import expect

QUESTIONS = [
    {"kind": "single", "prompt": "How often do you meet?", "options": ["Weekly", "Monthly"]},
    {
        "kind": "multiple",
        "prompt": "What do you work on?",
        "options": ["CV", "Interviews", "Network"],
    },
    {"kind": "scale", "prompt": "How is it going?", "options": ["Badly", "Very well"]},
    {"kind": "short_text", "prompt": "One word for it", "required": False},
    {"kind": "long_text", "prompt": "Anything for the coordinators?", "required": False},
]
TABLES = (
    "questionnaires",
    "questionnaire_questions",
    "questionnaire_cards",
    "questionnaire_respondents",
    "questionnaire_answers",
    "questionnaire_anonymous_answers",
    "questionnaire_held_answers",
    "questionnaire_reminders",
)


async def create_questionnaire(coordinator: Client, **fields: Any) -> dict[str, Any]:
    payload = {"title": "How is it going?", "intro": "A few **short** questions."}
    payload |= {"questions": QUESTIONS} | fields
    return (await expect(await coordinator.post("/api/v1/questionnaires", payload), 201))[
        "questionnaire"
    ]


def day(moment: datetime) -> str:
    return moment.date().isoformat()


async def assign(
    coordinator: Client, questionnaire_id: int, *, closes_in_days: int = 7, **who: Any
) -> dict[str, Any]:
    """Assign from now (or `opens_at`) until `closes_in_days` later; `who` defaults to all."""
    clock = coordinator.server.app[keys.CLOCK]
    payload = {"closes_at": day(clock.now() + timedelta(days=closes_in_days))}
    payload |= who or {"all": True}
    path = f"/api/v1/questionnaires/{questionnaire_id}/assignment"
    return (await expect(await coordinator.post(path, payload), 201))["questionnaire"]


def ids(questionnaire: dict[str, Any]) -> list[str]:
    """Its question ids as answers are keyed."""
    return [str(q["id"]) for q in questionnaire["questions"]]


def full_answers(
    questionnaire: dict[str, Any], *, text: str = "", scale: int = 4
) -> dict[str, Any]:
    single, multiple, scale_id, short, long = ids(questionnaire)
    answers: dict[str, Any] = {single: 0, multiple: [0, 2], scale_id: scale}
    if text:
        answers |= {short: text[:300], long: text}
    return answers


async def answer(client: Client, questionnaire_id: int, answers: dict[str, Any], status: int):
    path = f"/api/v1/questionnaires/{questionnaire_id}/answers"
    return await expect(await client.post(path, {"answers": answers}), status)


def rows(server: Server, sql: str, params: tuple = ()) -> list[tuple]:
    """Read the database directly, as someone with the disk would."""
    return databases.rows(server.app[keys.CONFIG].data_dir, sql, params)


def snapshot(server: Server) -> dict[str, list[tuple]]:
    """Every questionnaire table, the notifications and the audit log, to prove nothing changed."""
    found = {table: rows(server, f"SELECT * FROM {table} ORDER BY 1, 2") for table in TABLES}
    found["notifications"] = rows(server, "SELECT * FROM notifications ORDER BY id")
    found["audit"] = rows(server, "SELECT * FROM audit_log ORDER BY id")
    found["messages"] = rows(server, "SELECT id, seq FROM messages ORDER BY id")
    return found


def runner(server: Server):
    return server.app[keys.QUESTIONNAIRES]


async def csrf(client: Client, path: str) -> str:
    html = await (await client.get(path)).text()
    found = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert found, html
    return found.group(1)
