"""Metrics every service shares: build info, readiness and consumer lag per partition.

Each service keeps its own metric definitions in `services/<service>/metrics.py`; what is the same for all of
them lives here so the names and labels cannot drift apart between services, dashboards and alert rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Protocol

from kafka.structs import TopicPartition
from prometheus_client import REGISTRY, CollectorRegistry, Gauge

from streambase import __version__
from streambase.clock import Clock, SystemClock
from streambase.health import ReadinessCheck

log = logging.getLogger(__name__)

SERVICES = ("ingest", "classify", "alert")
"""Services whose metric names start with `newsmon_<service>_`."""

LAG_REFRESH_SECONDS = 5.0


def metric_prefix(service: str) -> str:
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}; expected one of {', '.join(SERVICES)}")
    return f"newsmon_{service}"


def build_info(service: str, instance: str, registry: CollectorRegistry = REGISTRY) -> Gauge:
    """`newsmon_<service>_build_info{version,instance} 1`: which version runs where, and a liveness series."""
    gauge = Gauge(
        f"{metric_prefix(service)}_build_info",
        "Always 1; labels name the running version and replica",
        ["version", "instance"],
        registry=registry,
    )
    gauge.labels(version=__version__, instance=instance).set(1)
    return gauge


def ready_gauge(service: str, check: ReadinessCheck, registry: CollectorRegistry = REGISTRY) -> Gauge:
    """`newsmon_<service>_ready`: 1 while /readyz answers 200, else 0, asked at each scrape; so a replica
    that lost Kafka or its partitions shows on dashboards and in alerting rules, not only on /readyz."""
    gauge = Gauge(
        f"{metric_prefix(service)}_ready",
        "1 while this replica is ready (connected, partitions assigned, keeping up); /readyz says why not",
        registry=registry,
    )
    gauge.set_function(lambda: 1.0 if check()[0] else 0.0)
    return gauge


class LagSource(Protocol):
    """What lag needs from a consumer; kafka-python's KafkaConsumer has it."""

    def assignment(self) -> set[TopicPartition]: ...

    def highwater(self, partition: TopicPartition) -> int | None: ...

    def position(self, partition: TopicPartition, timeout_ms: int | None = None) -> int | None: ...

    def end_offsets(
        self, partitions: list[TopicPartition], timeout_ms: int | None = None
    ) -> Mapping[TopicPartition, int]: ...


def partition_lag(highwater: int | None, position: int | None) -> int | None:
    """Messages between the consumer's next offset and the partition's end; None when either is unknown."""
    if highwater is None or position is None:
        return None
    return max(0, highwater - position)


class ConsumerLag:
    """`newsmon_<service>_consumer_lag_messages{topic,partition}`, kept to the partitions this replica owns.

    kafka-python consumers are not thread-safe, so lag is read in the consuming thread: call
    `maybe_update(consumer)` once per poll loop; it does real work at most every `refresh_seconds`.
    Services that read lag some other way (Faust) call `set()` and `retain()` themselves.
    """

    def __init__(
        self,
        service: str,
        registry: CollectorRegistry = REGISTRY,
        clock: Clock | None = None,
        refresh_seconds: float = LAG_REFRESH_SECONDS,
    ) -> None:
        self.gauge = Gauge(
            f"{metric_prefix(service)}_consumer_lag_messages",
            "Messages not yet consumed: partition end offset minus the consumer's position",
            ["topic", "partition"],
            registry=registry,
        )
        self._clock = clock or SystemClock()
        self._refresh = refresh_seconds
        self._next_update: float | None = None
        self._owned: set[tuple[str, int]] = set()
        self.total: int = 0

    def set(self, topic: str, partition: int, lag: int) -> None:
        self.gauge.labels(topic=topic, partition=str(partition)).set(lag)
        self._owned.add((topic, partition))

    def retain(self, owned: Iterable[tuple[str, int]]) -> None:
        """Drop the series of partitions this replica no longer owns, so a rebalance does not leave ghosts."""
        keep = set(owned)
        for topic, partition in self._owned - keep:
            self.gauge.remove(topic, str(partition))
        self._owned &= keep

    def maybe_update(self, *consumers: LagSource) -> None:
        now = self._clock.monotonic()
        if self._next_update is not None and now < self._next_update:
            return
        self._next_update = now + self._refresh
        self.update(*consumers)

    def update(self, *consumers: LagSource) -> None:
        """Read highwater and position of every partition the consumers are assigned (a service may run
        several); ask the broker where no fetch has yet."""
        total = 0
        owned: list[tuple[str, int]] = []
        for consumer in consumers:
            for tp, lag in _partition_lags(consumer):
                self.set(tp.topic, tp.partition, lag)
                owned.append((tp.topic, tp.partition))
                total += lag
        self.retain(owned)
        self.total = total


def _partition_lags(consumer: LagSource) -> list[tuple[TopicPartition, int]]:
    assigned = sorted(consumer.assignment())
    highwaters = {tp: consumer.highwater(tp) for tp in assigned}
    unknown = [tp for tp, hw in highwaters.items() if hw is None]
    if unknown:
        try:
            highwaters.update(consumer.end_offsets(unknown, timeout_ms=2_000))
        except Exception as exc:  # a slow broker must not break the consuming loop
            log.debug("end offsets unavailable for lag: %s", exc)
    found = []
    for tp in assigned:
        lag = partition_lag(highwaters.get(tp), consumer.position(tp, timeout_ms=2_000))
        if lag is not None:
            found.append((tp, lag))
    return found
