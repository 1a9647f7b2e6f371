"""Which receivers each alert was delivered to, kept only as long as the alert can be read again.

The notify stage asks this before sending, so an alert replayed after a restart or rebalance is not sent
twice. An alert older than the alerts topic's retention can never be replayed, so its entry is forgotten:
without that the ledger would grow by every alert ever delivered.
"""

from __future__ import annotations

from datetime import datetime


class SentLedger:
    """Alert id -> receivers, in the order entries were last updated; no I/O, time passed in."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[frozenset[str], datetime]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def receivers(self, alert_id: str) -> frozenset[str]:
        entry = self._entries.get(alert_id)
        return entry[0] if entry is not None else frozenset()

    def record(self, alert_id: str, receiver: str, at: datetime) -> None:
        """Note a delivery; the entry moves to the back, as the newest."""
        old = self._entries.pop(alert_id, None)
        if old is None:
            self._entries[alert_id] = (frozenset((receiver,)), at)
        else:
            self._entries[alert_id] = (old[0] | {receiver}, max(old[1], at))

    def forget_before(self, cutoff: datetime) -> int:
        """Drop entries last updated before `cutoff`, oldest first; return how many went."""
        expired = []
        for alert_id, (_, at) in self._entries.items():
            if at >= cutoff:
                break
            expired.append(alert_id)
        for alert_id in expired:
            del self._entries[alert_id]
        return len(expired)
