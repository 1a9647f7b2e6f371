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
        self._records: dict[str, list[DeliveryRecord]] = {}
        self._lock = threading.Lock()

    def note(self, record: DeliveryRecord) -> None:
        if record.kind != "alert" or record.status != "delivered" or not record.fingerprint:
            return
        with self._lock:
            kept = self._records.setdefault(record.fingerprint, [])
            kept.append(record)
            del kept[:-RECORDS_PER_SITUATION]

    def records(self, situation: str) -> list[DeliveryRecord]:
        with self._lock:
            return list(self._records.get(situation, ()))

    def forget_before(self, cutoff: datetime) -> None:
        with self._lock:
            for situation in list(self._records):
                kept = [r for r in self._records[situation] if r.updated_at >= cutoff]
                if kept:
                    self._records[situation] = kept
                else:
                    del self._records[situation]
