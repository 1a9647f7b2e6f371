"""Handing polled records to a stage so that a Kafka error mid-batch skips nothing.

`poll` has already moved the consumer past every record it returned. When handling one of them fails
because the broker is away (an alert or dead letter it did not take), that record and the partitions not
yet begun are sought back, so the next poll after the broker returns reads them again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from kafka import KafkaConsumer
from kafka.errors import KafkaError
from kafka.structs import TopicPartition

Handler = Callable[[TopicPartition, Any], bool]
"""Handles one record; returns False to stop reading its partition in this batch (the handler seeks)."""


def handle_batches(
    consumer: KafkaConsumer, batches: Mapping[TopicPartition, Sequence[Any]], handle: Handler
) -> int:
    """Hand every record to `handle` in order; return how many it took. A Kafka error propagates after
    the failed record and the partitions not yet begun are sought back to be read again."""
    count = 0
    waiting = list(batches)
    while waiting:
        tp = waiting.pop(0)
        for record in batches[tp]:
            try:
                if not handle(tp, record):
                    break
            except KafkaError:
                unread = {t: batches[t][0].offset for t in waiting if batches[t]}
                read_again(consumer, {tp: record.offset} | unread)
                raise
            count += 1
    return count


def read_again(consumer: KafkaConsumer, offsets: Mapping[TopicPartition, int]) -> None:
    for tp, offset in offsets.items():
        consumer.seek(tp, offset)
