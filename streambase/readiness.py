"""What `/readyz` answers for a consuming service: connected, partitions assigned, not hopelessly behind.

The consuming loop reports what it sees (`observe`, or `observe_consumer` for kafka-python); the HTTP thread
only reads that snapshot, so a scrape never touches the non-thread-safe consumer. A loop that stopped
reporting is itself a reason not to be ready.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from streambase.clock import Clock, SystemClock
from streambase.metrics import ConsumerLag, LagSource

DEFAULT_MAX_LAG = 100_000
DEFAULT_STALE_SECONDS = 120.0


def kafka_connected(client: object) -> bool:
    """Whether a kafka-python consumer or producer holds a live connection to any known broker.

    `bootstrap_connected()` only describes the first metadata request, so this asks the network client,
    which kafka-python 3.0 exposes as `_client` with `cluster.brokers()` and `connected(node_id)`.
    """
    try:
        network = client._client  # type: ignore[attr-defined]
        brokers = network.cluster.brokers()
        return any(network.connected(getattr(b, "node_id", None) or b.nodeId) for b in brokers)
    except AttributeError:
        return False


def aiokafka_connected(client: object) -> bool:
    """Whether an aiokafka client (`AIOKafkaClient`, as Faust's consumer holds it) has a live connection to
    any broker. aiokafka keeps them in `_conns`; the dict is copied first, as its own thread may change it."""
    try:
        connections = dict(client._conns)  # type: ignore[attr-defined]
        return any(conn.connected() for conn in connections.values())
    except AttributeError:
        return False


@dataclass(frozen=True)
class Snapshot:
    connected: bool
    assigned: int | None  # None: the group has not assigned partitions yet
    lag: int
    at: float


class Readiness:
    """Readiness from the consuming loop's last report; pass `check` to `HealthServer` as its readiness."""

    def __init__(
        self,
        clock: Clock | None = None,
        max_lag: int = DEFAULT_MAX_LAG,
        stale_after: float = DEFAULT_STALE_SECONDS,
    ) -> None:
        self._clock = clock or SystemClock()
        self._max_lag = max_lag
        self._stale_after = stale_after
        self._lock = threading.Lock()
        self._snapshot: Snapshot | None = None

    def observe(self, connected: bool, assigned: int | None, lag: int = 0) -> None:
        snapshot = Snapshot(connected, assigned, lag, self._clock.monotonic())
        with self._lock:
            self._snapshot = snapshot

    def observe_consumer(self, consumer: LagSource, lag: ConsumerLag) -> None:
        """One line per poll loop: refresh lag (rate-limited) and record what the consumer knows."""
        lag.maybe_update(consumer)
        assignment = consumer.assignment()
        self.observe(kafka_connected(consumer), len(assignment) if assignment else None, lag.total)

    def check(self) -> tuple[bool, str]:
        with self._lock:
            snapshot = self._snapshot
        return verdict(snapshot, self._clock.monotonic(), self._max_lag, self._stale_after)


def verdict(snapshot: Snapshot | None, now: float, max_lag: int, stale_after: float) -> tuple[bool, str]:
    """(ready, reason) for a snapshot taken by the consuming loop; the reason says what an operator checks."""
    if snapshot is None:
        return False, "starting: the consumer has not reported yet"
    age = now - snapshot.at
    if age > stale_after:
        return False, f"stuck: the consuming loop last reported {age:.0f}s ago"
    if not snapshot.connected:
        return False, "not connected to any Kafka broker"
    if snapshot.assigned is None:
        return (
            False,
            "no partitions assigned: the group is rebalancing, or there are more replicas than partitions",
        )
    if snapshot.lag > max_lag:
        return False, f"too far behind: {snapshot.lag} messages of lag (limit {max_lag})"
    return True, f"ready: {snapshot.assigned} partitions assigned, lag {snapshot.lag}"
