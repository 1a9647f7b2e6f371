"""Where notifications go. A receiver is one method: send a notification, say whether to retry."""

from __future__ import annotations

from typing import Protocol

from services.alert.notification import Notification
from services.alert.retry import Verdict


class Receiver(Protocol):
    name: str

    def send(self, notification: Notification) -> Verdict:
        """Deliver once; never raise for delivery problems, return Retry or Permanent instead."""
        ...
