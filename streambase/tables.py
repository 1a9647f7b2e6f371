"""Compacted topics read to their end, then followed: the one reader of the pipeline's shared state.

Feed lists, feed health, seen marks, silences and delivery records live in compacted topics that every
replica reads whole, outside any consumer group, so each one knows what all of them wrote. `TopicFollower`
assigns every partition from the beginning and knows when it has caught up with the end the topics had when
it started; `TopicTail` adds decoding into a message model and hands each entry to the owner's state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Generic, TypeVar

from kafka import KafkaConsumer
from kafka.structs import TopicPartition

from schemas import InvalidMessage, Message, decode

log = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)

Entry = tuple[str, str, bytes | None]
"""(topic, key, value) of one record; None is a tombstone."""


class TopicFollower:
    """Every partition of `topics`, read from the beginning by a consumer outside any group."""

    def __init__(self, consumer: KafkaConsumer, topics: Sequence[str]) -> None:
        self.consumer = consumer
        self._topics = tuple(topics)
        self._ends: dict[TopicPartition, int] = {}

    def assign(
        self, timeout: float = 60.0, stop: threading.Event | None = None, required: bool = True
    ) -> None:
        """Assign every partition from its start and note where each ends now. Waits for topics that
        have no partitions yet (created by another process); `required=False` skips them instead."""
        partitions = [tp for topic in self._topics for tp in self._partitions(topic, timeout, stop, required)]
        self.consumer.assign(partitions)
        if partitions:
            self.consumer.seek_to_beginning(*partitions)
        self.note_ends()

    def note_ends(self) -> None:
        """Take the partitions' current ends as what `caught_up` and `read_to_end` aim for."""
        assigned = list(self.consumer.assignment())
        self._ends = self.consumer.end_offsets(assigned) if assigned else {}

    def _partitions(
        self, topic: str, timeout: float, stop: threading.Event | None, required: bool
    ) -> list[TopicPartition]:
        deadline = time.monotonic() + timeout
        numbers = self.consumer.partitions_for_topic(topic)
        while required and not numbers and time.monotonic() < deadline:
            if _pause(stop):
                break
            numbers = self.consumer.partitions_for_topic(topic)
        if required and not numbers and (stop is None or not stop.is_set()):
            raise RuntimeError(f"topic {topic} has no partitions; were the topics created?")
        return [TopicPartition(topic, n) for n in sorted(numbers or ())]

    @property
    def caught_up(self) -> bool:
        """Whether every partition was read up to the end it had when `assign` ran."""
        return all(self.consumer.position(tp) >= end for tp, end in self._ends.items())

    def poll(self, timeout_ms: int = 0, max_records: int = 5000) -> Iterator[Entry]:
        """The records one poll returns, in partition order; records without a key are skipped."""
        for tp, records in self.consumer.poll(timeout_ms=timeout_ms, max_records=max_records).items():
            for record in records:
                if record.key is not None:
                    yield tp.topic, record.key.decode("utf-8", errors="replace"), record.value

    def read_to_end(self, handle: Callable[[str, str, bytes | None], None], timeout: float = 60.0) -> None:
        """Hand every record up to the noted ends to `handle`; TimeoutError when that takes too long."""
        deadline = time.monotonic() + timeout
        while not self.caught_up:
            if time.monotonic() > deadline:
                names = ", ".join(self._topics)
                raise TimeoutError(f"could not read {names} to the end within {timeout:.0f}s")
            for entry in self.poll(200):
                handle(*entry)

    def close(self) -> None:
        self.consumer.close()


def _pause(stop: threading.Event | None, seconds: float = 0.2) -> bool:
    """Wait a little; True when `stop` was set meanwhile."""
    if stop is None:
        time.sleep(seconds)
        return False
    return stop.wait(seconds)


def read_compacted(consumer: KafkaConsumer, topic: str, timeout: float = 30.0) -> dict[str, bytes | None]:
    """The latest value of every key on a compacted topic (None for tombstones); {} when it does not exist."""
    follower = TopicFollower(consumer, [topic])
    follower.assign(timeout, required=False)
    latest: dict[str, bytes | None] = {}

    def keep(_topic: str, key: str, value: bytes | None) -> None:
        latest[key] = value

    follower.read_to_end(keep, timeout)
    return latest


class TopicTail(Generic[M]):
    """One compacted topic decoded into `model`: each entry goes to `apply` (None for a deletion)."""

    def __init__(
        self, consumer: KafkaConsumer, topic: str, model: type[M], apply: Callable[[str, M | None], None]
    ) -> None:
        self._follower = TopicFollower(consumer, [topic])
        self._topic = topic
        self._model = model
        self._apply = apply
        self.loaded = 0

    def start(self, timeout: float = 60.0) -> None:
        """Assign every partition from the beginning and read up to the current end."""
        self._follower.assign(timeout)
        self._follower.read_to_end(self._take, timeout)

    def catch_up(self, timeout: float = 60.0) -> None:
        """Read until every partition reaches the end it has now."""
        self._follower.note_ends()
        self._follower.read_to_end(self._take, timeout)

    def poll(self, timeout_ms: int = 0) -> int:
        before = self.loaded
        for entry in self._follower.poll(timeout_ms):
            self._take(*entry)
        return self.loaded - before

    def _take(self, _topic: str, key: str, value: bytes | None) -> None:
        try:
            decoded = decode(self._model, value) if value is not None else None
        except InvalidMessage as exc:
            log.warning("skipping unreadable %s record %r: %s", self._topic, key, exc)
            return
        self._apply(key, decoded)
        self.loaded += 1

    def close(self) -> None:
        self._follower.close()
