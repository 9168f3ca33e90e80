"""Who is online on this server process: open sockets per user, with the session (its token's
hash) and the client address each socket came from."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass


@dataclass(frozen=True)
class Socket:
    user_id: int
    token_hash: str
    address: str


class Presence:
    def __init__(self) -> None:
        self._sockets: dict[int, set[str]] = defaultdict(set)
        self._by_sid: dict[str, Socket] = {}
        self._per_address: Counter[str] = Counter()
        self.closing = False  # the server is stopping: presence is no longer written down

    def add(self, user_id: int, sid: str, *, token_hash: str = "", address: str = "") -> bool:
        """Record a socket; True if it is the user's first (they just came online)."""
        first = not self._sockets[user_id]
        self._sockets[user_id].add(sid)
        if sid not in self._by_sid:
            self._by_sid[sid] = Socket(user_id, token_hash, address)
            self._per_address[address] += 1
        return first

    def remove(self, user_id: int, sid: str) -> bool:
        """Forget a socket; True if it was the user's last (they just went offline)."""
        known = self._by_sid.pop(sid, None)
        if known is not None:
            self._per_address[known.address] -= 1
            if self._per_address[known.address] <= 0:
                del self._per_address[known.address]
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

    def online_user_ids(self) -> list[int]:
        return sorted(self._sockets)

    def sockets_of(self, user_id: int) -> list[str]:
        return list(self._sockets.get(user_id, ()))

    def socket_count(self) -> int:
        return len(self._by_sid)

    def socket(self, sid: str) -> Socket | None:
        return self._by_sid.get(sid)

    def all_sockets(self) -> dict[str, Socket]:
        return dict(self._by_sid)

    def count_from(self, address: str) -> int:
        return self._per_address[address]
