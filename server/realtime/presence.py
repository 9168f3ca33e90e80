"""Who is online on this server process: open sockets per user."""

from __future__ import annotations

from collections import defaultdict


class Presence:
    def __init__(self) -> None:
        self._sockets: dict[int, set[str]] = defaultdict(set)

    def add(self, user_id: int, sid: str) -> bool:
        """Record a socket; True if it is the user's first (they just came online)."""
        first = not self._sockets[user_id]
        self._sockets[user_id].add(sid)
        return first

    def remove(self, user_id: int, sid: str) -> bool:
        """Forget a socket; True if it was the user's last (they just went offline)."""
        sockets = self._sockets.get(user_id)
        if not sockets or sid not in sockets:
            return False
        sockets.discard(sid)
        if sockets:
            return False
        del self._sockets[user_id]
        return True

    def is_online(self, user_id: int) -> bool:
        return bool(self._sockets.get(user_id))

    def sockets_of(self, user_id: int) -> list[str]:
        return list(self._sockets.get(user_id, ()))
