"""Which pairs something goes to, as a form asks it (tasks and questionnaires alike): everyone,
chosen pairs, or a cohort of pairs that started between two dates.  The rules of a target are the
domain's (`channels.tasks.rules.check_target`); this only reads the form."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from channels.errors import Invalid
from channels.languages import N_
from server import keys
from server.api.params import form_text


async def pair_choices(request: web.Request, *, active_only: bool = False) -> list[dict[str, Any]]:
    """The pairs to tick, active ones first, each named by its two people."""
    store = request.app[keys.STORE]
    pairs = await store.list_pairs(active_only=active_only)
    people = await store.load_users([p.mentor_id for p in pairs] + [p.mentee_id for p in pairs])
    choices = []
    for pair in sorted(pairs, key=lambda p: (p.ended_at is not None, p.id)):
        mentor, mentee = people.get(pair.mentor_id), people.get(pair.mentee_id)
        choices.append(
            {
                "id": pair.id,
                "label": f"{mentor.name if mentor else '?'} and {mentee.name if mentee else '?'}",
                "ended": pair.ended_at is not None,
            }
        )
    return choices


def target_payload(form: Any, *, unchosen: str) -> dict[str, Any]:
    """The `who` radio and its fields as the domain's target; `unchosen` is the sentence when
    no choice was made."""
    who = form_text(form, "who")
    if who == "all":
        return {"all": True}
    if who == "pairs":
        chosen = [v for v in form.getall("pairs", []) if isinstance(v, str)]
        if not chosen:
            raise Invalid(N_("Choose at least one pair."))
        if not all(v.isascii() and v.isdigit() and len(v) < 16 for v in chosen):
            raise Invalid(N_("Choose pairs from the list."))
        return {"pairs": [int(v) for v in chosen]}
    if who == "cohort":
        return {
            "started_between": [
                form_text(form, "started_from").strip(),
                form_text(form, "started_until").strip(),
            ]
        }
    raise Invalid(unchosen)
