"""Producing a whole batch at once: one Kafka record batch per partition, one future per record batch.

Faust's `topic.send` costs a future, callbacks and an event-loop round per message; at thousands of articles a
second that is most of the worker's time. The agents therefore collect what a batch of input produces and hand
it to `BatchSender`, which partitions keys exactly as every other newsmon producer does (Kafka's murmur2
default partitioner) and submits ready-made record batches through Faust's own producer, so acks, retries,
compression and Faust's flush-before-commit all still apply.
"""

from __future__ import annotations

import asyncio
import random
import struct
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import faust


@dataclass(frozen=True)
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...] = ()
    partition: int | None = None  # None: by key, as Kafka's default partitioner does


_M = 0x5BD1E995
_MASK = 0xFFFFFFFF


def murmur2(data: bytes) -> int:
    """Kafka's murmur2 hash of a key (`Utils.murmur2` in the Java client): what aiokafka's and
    kafka-python's pure-Python versions compute, at a third of their cost (a 32-character article id
    took them 20 µs), by reading the key four bytes at a time."""
    length = len(data)
    h = 0x9747B28C ^ length
    for k in struct.unpack_from(f"<{length // 4}I", data):
        k = (k * _M) & _MASK
        k = ((k ^ (k >> 24)) * _M) & _MASK
        h = ((h * _M) & _MASK) ^ k
    tail = length & ~3
    extra = length & 3
    if extra >= 3:
        h ^= data[tail + 2] << 16
    if extra >= 2:
        h ^= data[tail + 1] << 8
    if extra >= 1:
        h = ((h ^ data[tail]) * _M) & _MASK
    h = ((h ^ (h >> 13)) * _M) & _MASK
    return h ^ (h >> 15)


def partition_for(key: bytes | None, partitions: list[int]) -> int:
    """Kafka's default choice: murmur2 of the key (random without one), as the Java and Python clients do."""
    if key is None:
        return random.choice(partitions)  # noqa: S311 - spreading load, not a secret
    return partitions[(murmur2(key) & 0x7FFFFFFF) % len(partitions)]


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

    async def send(self, records: Sequence[Record]) -> list[asyncio.Future[Any]]:
        """Queue every record; the futures resolve when the broker has acknowledged their batches."""
        producer = self._producer()
        grouped: dict[tuple[str, int], list[Record]] = defaultdict(list)
        for record in records:
            partition = record.partition
            if partition is None:
                partitions = self._partitions.get(record.topic)
                if partitions is None:
                    partitions = await self._partitions_of(producer, record.topic)
                partition = partition_for(record.key, partitions)
            grouped[(record.topic, partition)].append(record)
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
