"""What each situation was notified with, from the delivery records every replica follows: what the
acknowledge page shows and what an acknowledgement records. Bounded: a few records per situation, and none
older than the delivery topic keeps."""

from __future__ import annotations

import threading
from datetime import datetime

from schemas import DeliveryRecord

RECORDS_PER_SITUATION = 50


class SituationLog:
    """Delivered notifications by situation, newest last; read by the HTTP thread, written by the poller."""

    def __init__(self) -> None:
        self._records: dict[str, dict[str, DeliveryRecord]] = {}
        self._lock = threading.Lock()

    def note(self, record: DeliveryRecord) -> None:
        """A delivered notification; noted by its sender at once and again when the topic echoes it."""
        if record.kind != "alert" or record.status != "delivered" or not record.fingerprint:
            return
        with self._lock:
            kept = self._records.setdefault(record.fingerprint, {})
            kept.pop(record.notification_id, None)
            kept[record.notification_id] = record
            while len(kept) > RECORDS_PER_SITUATION:
                del kept[next(iter(kept))]

    def records(self, situation: str) -> list[DeliveryRecord]:
        with self._lock:
            return list(self._records.get(situation, {}).values())

    def forget_before(self, cutoff: datetime) -> None:
        with self._lock:
            for situation in list(self._records):
                kept = {i: r for i, r in self._records[situation].items() if r.updated_at >= cutoff}
                if kept:
                    self._records[situation] = kept
                else:
                    del self._records[situation]
