"""Followers of compacted topics (silences, delivery records): read everything at start, then keep up.

Every replica reads all partitions without a consumer group, so each one knows every silence and every
delivery, whichever replica wrote it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from schemas import InvalidMessage, Message, decode

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)


class TopicTail(Generic[M]):
    def __init__(
        self,
        consumer: KafkaConsumer,
        topic: str,
        model: type[M],
        apply: Callable[[str, M | None], None],
    ) -> None:
        self._consumer = consumer
        self._topic = topic
        self._model = model
        self._apply = apply
        self.loaded = 0

    def start(self, timeout: float = 60.0) -> None:
        """Assign every partition from the beginning and read up to the current end."""
        partitions = self._consumer.partitions_for_topic(self._topic) or set()
        deadline = time.monotonic() + timeout
        while not partitions and time.monotonic() < deadline:
            time.sleep(0.2)
            partitions = self._consumer.partitions_for_topic(self._topic) or set()
        if not partitions:
            raise RuntimeError(f"topic {self._topic} has no partitions; were the topics created?")
        tps = [TopicPartition(self._topic, p) for p in sorted(partitions)]
        self._consumer.assign(tps)
        self._consumer.seek_to_beginning(*tps)
        self.catch_up(timeout)

    def catch_up(self, timeout: float = 60.0) -> None:
        """Read until every partition reaches the end it had when this was called."""
        assigned = list(self._consumer.assignment())
        ends = self._consumer.end_offsets(assigned)
        deadline = time.monotonic() + timeout
        while any(self._consumer.position(tp) < end for tp, end in ends.items()):
            if time.monotonic() > deadline:
                raise TimeoutError(f"could not read {self._topic} to its end within {timeout:.0f}s")
            self.poll(200)

    def poll(self, timeout_ms: int = 0) -> int:
        count = 0
        for records in self._consumer.poll(timeout_ms=timeout_ms).values():
            for record in records:
                key = record.key.decode("utf-8", errors="replace") if record.key else ""
                try:
                    value = decode(self._model, record.value) if record.value is not None else None
                except InvalidMessage as exc:
                    log.warning("skipping unreadable %s record %r: %s", self._topic, key, exc)
                    continue
                self._apply(key, value)
                count += 1
        self.loaded += count
        return count

    def close(self) -> None:
        self._consumer.close()
