"""Producing a whole batch at once: one Kafka record batch per partition, one future per record batch.

Faust's `topic.send` costs a future, callbacks and an event-loop round per message; at thousands of articles a
second that is most of the worker's time. The agents therefore collect what a batch of input produces and hand
it to `BatchSender`, which partitions keys exactly as every other newsmon producer does (Kafka's murmur2
default partitioner) and submits ready-made record batches through Faust's own producer, so acks, retries,
compression and Faust's flush-before-commit all still apply.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import faust
from aiokafka.partitioner import DefaultPartitioner  # type: ignore[import-untyped]


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    partition: int | None = None  # None: by key, as Kafka's default partitioner does


_PARTITIONER = DefaultPartitioner()


def partition_for(key: bytes | None, partitions: list[int]) -> int:
    """Kafka's default choice: murmur2 of the key (random without one), as the Java and Python clients do."""
    chosen: int = _PARTITIONER(key, partitions, partitions)
    return chosen


class BatchSender:
    def __init__(self, app: faust.App) -> None:
        self._app = app
        self._partitions: dict[str, list[int]] = {}

    def _producer(self) -> Any:
        return self._app.producer._ensure_producer()  # type: ignore[attr-defined]

    async def _partitions_of(self, producer: Any, topic: str) -> list[int]:
        known = self._partitions.get(topic)
        if known is None:
            known = self._partitions[topic] = sorted(await producer.partitions_for(topic))
        return known

    async def _partition(self, producer: Any, record: Record) -> int:
        if record.partition is not None:
            return record.partition
        return partition_for(record.key, await self._partitions_of(producer, record.topic))

    async def send(self, records: Sequence[Record]) -> list[asyncio.Future[Any]]:
        """Queue every record; the futures resolve when the broker has acknowledged their batches."""
        producer = self._producer()
        grouped: dict[tuple[str, int], list[Record]] = defaultdict(list)
        for record in records:
            grouped[(record.topic, await self._partition(producer, record))].append(record)
        futures: list[asyncio.Future[Any]] = []
        for (topic, partition), group in grouped.items():
            batch = producer.create_batch()
            for record in group:
                if not _append(batch, record):
                    futures.append(await producer.send_batch(batch, topic, partition=partition))
                    batch = producer.create_batch()
                    if not _append(batch, record):
                        raise ValueError(f"a record for {topic} is larger than the largest batch")
            futures.append(await producer.send_batch(batch, topic, partition=partition))
        return futures


def _append(batch: Any, record: Record) -> bool:
    return (
        batch.append(timestamp=None, key=record.key, value=record.value, headers=list(record.headers))
        is not None
    )
