"""Thin kafka-python adapters: producers that never drop silently nor send what the broker would refuse,
and consumers that commit by hand."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta
from typing import Annotated, Any, TypedDict

from kafka import ConsumerRebalanceListener, KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient
from pydantic import AfterValidator

from schemas import Message
from schemas.common import Duration
from streambase.kafka_protocol import prebuild_response_classes
from streambase.records import encode_within
from streambase.settings import KafkaSettings
from streambase.topics import ensure_topics

log = logging.getLogger(__name__)


def _common(settings: KafkaSettings, client_id: str) -> dict[str, Any]:
    prebuild_response_classes()
    options: dict[str, Any] = {
        "bootstrap_servers": settings.bootstrap_servers,
        "client_id": client_id,
        "security_protocol": settings.security_protocol,
    }
    if settings.sasl_mechanism:
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = (
            settings.sasl_password.get_secret_value() if settings.sasl_password else None
        )
    return options


def make_producer(settings: KafkaSettings, client_id: str, **overrides: Any) -> KafkaProducer:
    """A producer that waits for every in-sync replica and never duplicates on retry."""
    options = _common(settings, client_id) | {
        "acks": "all",
        "enable_idempotence": True,
        "compression_type": None if settings.compression == "none" else settings.compression,
        "linger_ms": 5,
        "delivery_timeout_ms": 120_000,
        "max_block_ms": 60_000,
        "max_request_size": settings.max_record_bytes + BATCH_ROOM,
    }
    return KafkaProducer(**(options | overrides))


BATCH_ROOM = 16 * 1024
"""Bytes of a produce request beyond its one record: batch and request headers."""

FETCH_MAX_WAIT_MS = 100
"""How long the broker may hold an empty fetch. kafka-python keeps one fetch in flight per broker and leaves
partitions with unread records out of it, so a record arriving on such a partition waits for that fetch to
return: up to kafka-python's 500 ms default, the whole tail of the pipeline's latency. 100 ms costs an idle
consumer ten small requests a second."""

METADATA_MAX_AGE_MS = 10_000
"""How often a consumer refreshes topic metadata unprompted. A broker restarted after a crash can answer
metadata before it has loaded every topic; a group that rebalances then assigns none of the missing topic's
partitions, and only the group leader's next metadata refresh, seeing the topic back, starts another
rebalance. The clients' five-minute default leaves that topic unread for up to five minutes."""


def make_consumer(
    settings: KafkaSettings,
    client_id: str,
    group_id: str | None,
    topics: Sequence[str] = (),
    **overrides: Any,
) -> KafkaConsumer:
    """A consumer that starts from the earliest offset and never commits on its own."""
    options = _common(settings, client_id) | {
        "group_id": group_id,
        "enable_auto_commit": False,
        "auto_offset_reset": "earliest",
        "isolation_level": "read_committed",
        "fetch_max_wait_ms": FETCH_MAX_WAIT_MS,
        "metadata_max_age_ms": METADATA_MAX_AGE_MS,
    }
    return KafkaConsumer(*topics, **(options | overrides))


def subscribe(consumer: KafkaConsumer, topics: Sequence[str], listener: ConsumerRebalanceListener) -> None:
    """Subscribe, then fetch metadata at once, before the first join. kafka-python snapshots the subscribed
    topics' partitions on a metadata update, and a leader that assigned without that snapshot rejoins at
    once; that second join sometimes never completes (kafka-python 3.0), and the member then sits without
    partitions until its session expires."""
    consumer.subscribe(list(topics), listener=listener)
    consumer.topics()


def settled_member(consumer: KafkaConsumer) -> bool:
    """Whether a group consumer is a settled member of its group: joined, its coordinator known, no rejoin
    pending. A member that lost its membership in a broker outage keeps its old assignment until its next
    poll completes a rejoin; work it does for those partitions meanwhile may be done by their new owner too.

    kafka-python 3.0 exposes this on its coordinator (`_coordinator`); a consumer without one (a test double)
    has no membership to lose.
    """
    coordinator = getattr(consumer, "_coordinator", None)
    if coordinator is None:
        return True
    return bool(
        coordinator.stable() and not coordinator.need_rejoin() and not coordinator.coordinator_unknown()
    )


REPLICA_TIMEOUT_LIMITS = (timedelta(seconds=6), timedelta(minutes=30))
"""The broker's default bounds on a group session (group.min/max.session.timeout.ms)."""


class GroupSession(TypedDict):
    session_timeout_ms: int
    heartbeat_interval_ms: int


def _within_session_limits(replica_timeout: timedelta) -> timedelta:
    low, high = REPLICA_TIMEOUT_LIMITS
    if not low <= replica_timeout <= high:
        raise ValueError("replica_timeout must be between 6s and 30m (the broker's session limits)")
    return replica_timeout


ReplicaTimeout = Annotated[Duration, AfterValidator(_within_session_limits)]
"""A config duration after which a silent replica counts as dead (`group_session`)."""


def group_session(replica_timeout: timedelta) -> GroupSession:
    """Consumer options under which a replica silent for `replica_timeout` counts as dead and its
    partitions move to the others. Shorter than kafka-python's 45 s default: after a crash, nothing is
    processed on the dead replica's partitions until then."""
    session_ms = int(replica_timeout.total_seconds() * 1000)
    return {"session_timeout_ms": session_ms, "heartbeat_interval_ms": max(1000, session_ms // 4)}


def make_admin(settings: KafkaSettings, client_id: str = "newsmon-admin") -> KafkaAdminClient:
    return KafkaAdminClient(**_common(settings, client_id))


def create_pipeline_topics(settings: KafkaSettings, client_id: str = "newsmon-admin") -> list[str]:
    """Create missing pipeline topics through an admin client of its own (`ensure_topics`); return them."""
    admin = make_admin(settings, client_id)
    try:
        return ensure_topics(admin, settings)
    finally:
        admin.close()


def send_and_wait(
    producer: KafkaProducer, topic: str, key: str, message: Message, timeout: float = 30.0
) -> None:
    """Produce one message and wait for the broker's acknowledgement; raise if it did not arrive.

    kafka-python can expire a batch without anyone looking at its future; checking each result is what
    makes a send count.
    Raises RecordTooLarge (an InvalidMessage, reason `too_large`) instead of sending a record over the
    producer's limit, which kafka-python would refuse with a KafkaError that reads like a broker outage.
    """
    encoded_key = key.encode()
    value = encode_within(message, encoded_key, record_limit(producer), f"{type(message).__name__} {key}")
    producer.send(topic, key=encoded_key, value=value).get(timeout=timeout)


def record_limit(producer: KafkaProducer) -> int:
    """The largest record `producer` takes: its request size less the room a batch needs around one record."""
    return int(producer.config["max_request_size"]) - BATCH_ROOM
