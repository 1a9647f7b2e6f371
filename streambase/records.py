"""Records within the broker's limit: a message too large to produce is refused before it is sent.

kafka-python raises MessageSizeTooLargeError for such a record, a KafkaError like a broker outage; a stage
that retries Kafka errors would retry it forever and stop everything behind it. Checking the size first turns
it into an InvalidMessage with reason `too_large`, which the stage dead-letters before going on.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas import InvalidMessage, Message, encode

DEFAULT_MAX_RECORD_BYTES = 1_000_000
"""Below the broker's default message.max.bytes (1,048,588) with room for the batch's own overhead."""
RECORD_OVERHEAD = 64
"""Bytes a record adds to its key, value and headers in a batch (lengths, offsets, timestamps, attributes)."""

Headers = Sequence[tuple[str, bytes]]


class RecordTooLarge(InvalidMessage):
    def __init__(self, what: str, size: int, limit: int) -> None:
        super().__init__("too_large", f"{what} is {size:,} bytes, over the {limit:,}-byte record limit")


def record_size(key: bytes | None, value: bytes | None, headers: Headers = ()) -> int:
    """The size a record takes in a batch, uncompressed: what the producer and broker compare to limits."""
    size = RECORD_OVERHEAD + len(key or b"") + len(value or b"")
    return size + sum(len(name.encode()) + len(data) for name, data in headers)


def encode_within(message: Message, key: bytes | None, limit: int, what: str, headers: Headers = ()) -> bytes:
    """The message's bytes, or RecordTooLarge when the record would exceed `limit`."""
    value = encode(message)
    size = record_size(key, value, headers)
    if size > limit:
        raise RecordTooLarge(what, size, limit)
    return value
