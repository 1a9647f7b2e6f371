"""Where notifications go. A receiver sends a notification (or the short follow-up saying a situation was
acknowledged, or a period's digest) and says whether to retry."""

from __future__ import annotations

from typing import Protocol

from services.alert.digest import Digest
from services.alert.notification import FollowUp, Notification
from services.alert.retry import Verdict


class Receiver(Protocol):
    name: str

    def send(self, notification: Notification) -> Verdict:
        """Deliver once; never raise for delivery problems, return Retry or Permanent instead."""
        ...

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        """Say, once, that a situation this receiver got was acknowledged; answers as `send` does."""
        ...

    def send_digest(self, digest: Digest) -> Verdict:
        """Deliver a period's digest; answers as `send` does."""
        ...
