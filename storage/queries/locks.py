"""Locks for a write that checks something and then writes on what it found (a quota, a limit
of N, "at most one open"), so that two writers cannot both pass the check.

SQLite runs one write block at a time, so there each statement is a plain read that changes
nothing.  PostgreSQL runs the writers of every node at once under READ COMMITTED: there a row
is locked with SELECT … FOR UPDATE (a second writer of the same row waits at this line until
the first commits, and its next statement sees what the first wrote).  Call the lock first
in the block, before the check it guards.  (A name without a row, a login rate limit's key,
is locked by the query that counts it: users.py, `_serialize_keys`.)
"""

from __future__ import annotations

from ..dialect import differs
from .base import QueryBase


def _for_update(select: str) -> str:
    return differs(select, postgres=f"{select} FOR UPDATE")


class LockQueries(QueryBase):
    async def lock_user(self, user_id: int) -> None:
        """Until the commit: one writer at a time for what counts per person (uploads), and
        the account as it is (a coordinator's change of an address not yet activated)."""
        await self._all(_for_update("SELECT id FROM users WHERE id = ?"), (user_id,))

    async def lock_pair(self, pair_id: int) -> None:
        """Until the commit: one writer at a time for what a pair may have once (an open
        satisfaction form), and the pair as it is (not ended while a task is posted to it)."""
        await self._all(_for_update("SELECT id FROM pairs WHERE id = ?"), (pair_id,))

    async def lock_schedule(self, schedule_id: int) -> None:
        """Until the commit: the task schedule stays as it is (not paused, edited or cancelled
        while its tasks are posted)."""
        await self._all(_for_update("SELECT id FROM task_schedules WHERE id = ?"), (schedule_id,))

    async def lock_goal(self, goal_id: int) -> None:
        """Until the commit: one writer at a time of a goal and its milestones (at most N)."""
        await self._all(_for_update("SELECT id FROM goals WHERE id = ?"), (goal_id,))

    async def lock_questionnaire(self, questionnaire_id: int) -> None:
        """Until the commit: no assignment, card, answer or closing of it meanwhile (their
        writes update its row or refer to it, which waits for this lock)."""
        await self._all(
            _for_update("SELECT id FROM questionnaires WHERE id = ?"), (questionnaire_id,)
        )

    async def lock_folder(self, folder_id: int) -> None:
        """Until the commit: nothing put into the library folder meanwhile (a resource or a
        folder put there refers to its row, which waits for this lock), and no other move
        of it or into it (a move locks both folders, in id order)."""
        await self._all(_for_update("SELECT id FROM library_folders WHERE id = ?"), (folder_id,))

    async def lock_channel(self, channel_id: int) -> None:
        """Until the commit: the channel stays as it is (a community not archived while
        someone joins it)."""
        await self._all(_for_update("SELECT id FROM channels WHERE id = ?"), (channel_id,))

    async def lock_template(self, template_id: int) -> None:
        """Until the commit: the task template stays as it is (not deleted while it is
        posted now)."""
        await self._all(_for_update("SELECT id FROM task_templates WHERE id = ?"), (template_id,))

    async def lock_resource(self, resource_id: int) -> None:
        """Until the commit: one writer at a time of a library resource (not changed while
        it is removed, nor removed twice).  Taken after its folder's lock, never before:
        writes that renumber a folder queue at the folder (channels/library/resources.py)."""
        await self._all(
            _for_update("SELECT id FROM library_resources WHERE id = ?"), (resource_id,)
        )
