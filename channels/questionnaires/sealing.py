"""The seal on anonymous answers while they wait to be released (releasing.py).

Two keys are made from the server's secret (`MENTORSPACE_SECRET`, shared by every node), never
stored in the database: one names the holder of a held answer (an HMAC of the questionnaire and
the person, so a retry replaces the person's earlier held answer, and the release can tell the
answers whose author has been recorded as answered), the other seals what was answered
(AES-GCM, from the well-kept `cryptography` library).  A database dump taken while answers are
held shows how many are waiting and nothing of what they say or whose they are.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12  # AES-GCM's nonce: random for each seal


def _key(secret: bytes, purpose: bytes) -> bytes:
    return hmac.new(secret, b"mentorspace questionnaire " + purpose, hashlib.sha256).digest()


class Seal:
    def __init__(self, secret: bytes) -> None:
        self._holder_key = _key(secret, b"holder")
        self._cipher = AESGCM(_key(secret, b"seal"))

    def holder(self, questionnaire_id: int, user_id: int) -> str:
        """The key of this person's held answer to this questionnaire."""
        text = f"{questionnaire_id}:{user_id}".encode()
        return hmac.new(self._holder_key, text, hashlib.sha256).hexdigest()

    def seal(self, questionnaire_id: int, answers: dict[str, Any]) -> str:
        nonce = os.urandom(NONCE_BYTES)
        plain = json.dumps(answers).encode()
        sealed = self._cipher.encrypt(nonce, plain, str(questionnaire_id).encode())
        return base64.b64encode(nonce + sealed).decode("ascii")

    def open(self, questionnaire_id: int, sealed: str) -> dict[str, Any]:
        """The answers; raises `cryptography.exceptions.InvalidTag` under another secret."""
        raw = base64.b64decode(sealed)
        nonce, body = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
        plain = self._cipher.decrypt(nonce, body, str(questionnaire_id).encode())
        answers: dict[str, Any] = json.loads(plain)
        return answers
