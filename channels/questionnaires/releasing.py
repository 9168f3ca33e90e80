"""Anonymous answers are held, then released in shuffled batches (issue 14).

On PostgreSQL every row carries the transaction that wrote it (`xmin`) and its place in the
table (`ctid`), and a dump lists a table's rows in that place's order.  An answer written when it
is given would line up with the row that records who answered, however little it holds itself.
So an anonymous answer goes through three writes, none of which writes a row naming a person
together with readable answers:

1. **hold**: the answers, sealed (sealing.py), under a holder key that names nobody without the
   server's secret, in `questionnaire_held_answers`;
2. **record**: that the person answered (`questionnaire_respondents`, their notifications read,
   the research count), in a write of its own; only then are they told it was received;
3. **release**: once at least twice BATCH recorded answers wait, all but BATCH of them, chosen at
   random, are opened and written in a random order, each under a new random token, into
   `questionnaire_anonymous_answers`, and their held rows deleted, in one write that names
   nobody.  When the questionnaire has closed, every recorded answer left is released, which
   is at least BATCH of them whenever at least BATCH people answered.

So every batch has at least BATCH answers, and an answer released while the questionnaire is
open is one of at least twice BATCH waiting (whoever had answered by then, less those released
earlier, which no dump tells apart).  Fewer than BATCH answers in all stay sealed: the results
withhold them anyway (results.MIN_ANONYMOUS, the same three), and they are not lost.

A crash between two writes loses nothing a person was told: between hold and record they were
told nothing (their retry replaces the held answer, as the holder key is theirs); between record
and release the answer waits, recorded, for the next release (after the next answer, at the
runner's pass, or when the results are read).  A held answer whose author was never recorded is
dropped once the questionnaire has closed (the record write checks, under the questionnaire's
lock, that it is still open, so no such answer can be recorded after that).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime

from cryptography.exceptions import InvalidTag

from channels.questionnaires.sealing import Seal
from channels.tasks.rules import parse_iso
from storage import Store, Tx
from storage.records import Questionnaire

log = logging.getLogger(__name__)

# At least three answers in every batch: the size below which the results of an anonymous
# questionnaire are withheld (results.MIN_ANONYMOUS), for the same reason.  With two, either
# author could tell whose the other answer is; with one, anyone could.
BATCH = 3
_random = secrets.SystemRandom()


def _due(
    seal: Seal,
    questionnaire: Questionnaire,
    held: list[tuple[str, str]],
    respondents: dict[int, str],
    now: datetime,
) -> tuple[list[tuple[str, str]], list[str]]:
    """(the held answers to release now, the holders of those to drop)."""
    recorded_holders = {seal.holder(questionnaire.id, user_id) for user_id in respondents}
    recorded = [(holder, sealed) for holder, sealed in held if holder in recorded_holders]
    closes_at = questionnaire.closes_at
    if closes_at is None or parse_iso(closes_at) <= now:  # closed: all, or none if too few
        chosen = recorded if len(recorded) >= BATCH else []
        return chosen, [holder for holder, _ in held if holder not in recorded_holders]
    keep = BATCH if len(recorded) >= 2 * BATCH else len(recorded)
    return _random.sample(recorded, len(recorded) - keep), []


async def _due_now(
    reader: Store | Tx, seal: Seal, questionnaire_id: int, now: datetime
) -> tuple[list[tuple[str, str]], list[str]]:
    """`_due` of the questionnaire as `reader` (the store, or a write under its lock) sees it."""
    questionnaire = await reader.load_questionnaire(questionnaire_id)
    held = await reader.list_held_answers(questionnaire_id)
    if questionnaire is None or not held:
        return [], []
    respondents = await reader.list_respondents(questionnaire_id)
    return _due(seal, questionnaire, held, respondents, now)


async def release_answers(store: Store, seal: Seal, questionnaire_id: int, now: datetime) -> int:
    """Release what is due of this questionnaire's held answers; how many were released."""

    async def release(tx: Tx) -> int:
        await tx.lock_questionnaire(questionnaire_id)  # no answer recorded meanwhile
        chosen, dropped = await _due_now(tx, seal, questionnaire_id, now)
        opened = []
        for holder, sealed in chosen:
            try:
                opened.append((holder, seal.open(questionnaire_id, sealed)))
            except InvalidTag:  # sealed under another secret: kept for the one that sealed it
                log.warning("a held answer of questionnaire %d cannot be opened", questionnaire_id)
        if len(opened) < BATCH:
            opened = []  # never a batch smaller than BATCH
        _random.shuffle(opened)
        for _, answers in opened:
            await tx.insert_anonymous_answers(questionnaire_id, secrets.token_hex(16), answers)
        gone = [holder for holder, _ in opened] + dropped
        if gone:
            await tx.delete_held_answers(questionnaire_id, gone)
        return len(opened)

    return await store.write(release)


async def release_due(store: Store, seal: Seal, questionnaire_id: int, now: datetime) -> int:
    """`release_answers`, if a read first finds anything due: most answers leave nothing to
    release (fewer than twice BATCH waiting), and answers kept sealed for good never do, so
    neither costs a write.  What the read finds is checked again inside the write."""
    chosen, dropped = await _due_now(store, seal, questionnaire_id, now)
    if not (chosen or dropped):
        return 0
    return await release_answers(store, seal, questionnaire_id, now)


async def release_closed(store: Store, seal: Seal, now: datetime) -> int:
    """The runner's pass: release what is due of every questionnaire that holds answers."""
    released = 0
    for questionnaire_id in await store.list_holding_questionnaires():
        released += await release_due(store, seal, questionnaire_id, now)
    return released
