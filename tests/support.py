"""Small helpers for tests that wait on asynchronous results: bounded, never sleeping blindly."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from kafka import KafkaConsumer
from kafka.errors import KafkaError

from streambase.kafka import make_admin
from streambase.settings import KafkaSettings

T = TypeVar("T")


def drain(consumer: KafkaConsumer, count: int, timeout: float = 30.0) -> list[Any]:
    """Poll until `count` records arrived or `timeout` passed; return what arrived."""
    records: list[Any] = []
    deadline = time.monotonic() + timeout
    while len(records) < count and time.monotonic() < deadline:
        for batch in consumer.poll(timeout_ms=200).values():
            records.extend(batch)
    return records


def wait_until(
    condition: Callable[[], T],
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "",
    context: Callable[[], str] | None = None,
) -> T:
    """The first truthy value of `condition()`; fail after `timeout` seconds, naming what was awaited and
    adding `context()` (e.g. the services' logs), taken at the moment of failure rather than at the start."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            detail = f"\n{context()}" if context is not None else ""
            raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what or condition!r}{detail}")
        time.sleep(interval)


def remove_topics(settings: KafkaSettings) -> None:
    """Delete every topic of the deployment's prefix (its own and the stream processor's internal ones), so
    repeated runs do not pile partitions up on a long-lived broker."""
    admin = make_admin(settings)
    try:
        names = [t for t in admin.list_topics() if t.startswith(settings.topic_prefix)]
        if names:
            admin.delete_topics(names, timeout_ms=30_000)
    except KafkaError as exc:  # cleanup must not hide the test's own result
        logging.getLogger(__name__).warning("could not delete the scenario's topics: %s", exc)
    finally:
        admin.close()
