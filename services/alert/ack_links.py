"""Acknowledge links for notifications: `<public_base_url>/ack/<token>`, a fresh random nonce each."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import SecretStr

from services.alert.ack_tokens import NONCE_BYTES, SITUATION, issue


def random_nonce() -> bytes:
    return secrets.token_bytes(NONCE_BYTES)


class AckLinks:
    def __init__(
        self,
        base_url: str,
        secret: SecretStr,
        valid_for: timedelta,
        nonce: Callable[[], bytes] = random_nonce,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._secret = secret
        self._valid_for = valid_for
        self._nonce = nonce

    def url(self, situation: str, now: datetime) -> str | None:
        """A link acknowledging `situation`, valid from `now`; None for what is not a situation (a test)."""
        if not SITUATION.match(situation):
            return None
        token = issue(
            self._secret.get_secret_value().encode(), situation, self._nonce(), now, self._valid_for
        )
        return f"{self._base}/ack/{token}"
