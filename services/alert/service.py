"""`newsmon serve alert`: the rule stage and the notify stage in one process, one polling thread.

Start-up order matters: receivers and routes are checked first (a route to an unconfigured receiver stops
the service with a clear message), then silences, acknowledgements and delivery records are read to their
end, and only then are alerts consumed, so nothing already delivered (or acknowledged) is sent again.
"""

from __future__ import annotations

import itertools
import logging
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import FrameType

import click
from kafka import KafkaProducer
from kafka.errors import KafkaError

from schemas import Acknowledgement, DeliveryRecord, Silence
from services.alert.ack_desk import PREFIX, AckDesk, links_off_page
from services.alert.ack_links import AckLinks
from services.alert.acks import AckBook
from services.alert.config import AlertingOptions
from services.alert.delivery import Dispatcher
from services.alert.digest_book import DigestBook
from services.alert.digest_feed import DigestFeed
from services.alert.digest_planner import DigestPlanner
from services.alert.digests import DigestDesk
from services.alert.engine import RuleEngine
from services.alert.evaluate import RuleStage
from services.alert.grouping import Grouper, Timing
from services.alert.metrics import AlertMetrics
from services.alert.names import NO_NAMES, DisplayNames
from services.alert.notify import NotifyStage
from services.alert.offsets import Position
from services.alert.receiver_specs import Receivers
from services.alert.receivers import Receiver
from services.alert.retry import Backoff
from services.alert.routing import Router
from services.alert.rules import Rules, lookback
from services.alert.settings import AlertSettings
from services.alert.silences import SilenceStore
from services.alert.situations import SituationLog
from services.alert.wiring import build_ack_links, build_receivers, build_router, digest_schedules
from streambase.broker import wait_for_broker
from streambase.clock import Clock, SystemClock
from streambase.deadletters import DeadLetterFlood, DeadLetterSink
from streambase.health import HealthServer, Page
from streambase.kafka import (
    group_session,
    make_consumer,
    make_producer,
    send_and_wait,
)
from streambase.logs import register_secrets
from streambase.metrics import ready_gauge
from streambase.readiness import Readiness, kafka_connected
from streambase.tables import TopicTail
from streambase.topics import Topics

log = logging.getLogger("newsmon.alert")

MAX_WAIT_SECONDS = 0.05
"""Longest notify-stage poll. The rule stage shares the thread, so this bounds how long a newly classified
article waits before its rules are evaluated (a 0.5 s wait put ~250 ms on the median alert)."""


@dataclass(frozen=True)
class AlertConfig:
    """The part of the configuration the alert service reads: its options, its rules, the trend window
    length (trend rules look back a few windows), the named receivers, and the taxonomy's labels, which
    messages show instead of ids (see `names`)."""

    alerting: AlertingOptions
    rules: Rules
    trend_window: timedelta
    receivers: Receivers = ()
    names: DisplayNames = NO_NAMES


def main(rt: AlertSettings, config: AlertConfig, metrics_port: int) -> None:
    """Run until SIGTERM or SIGINT, then stop cleanly."""
    stop = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        stop.set()

    signal.signal(signal.SIGTERM, request_stop)
    signal.signal(signal.SIGINT, request_stop)
    try:
        run(rt, config, metrics_port, stop)
    except ValueError as exc:  # receivers or routes that cannot work: say which setting to fix
        raise click.ClickException(f"the alert service cannot start:\n{exc}") from None
    except DeadLetterFlood as exc:
        raise click.ClickException(str(exc)) from None


def run(
    rt: AlertSettings,
    config: AlertConfig,
    metrics_port: int,
    stop: threading.Event,
    clock: Clock | None = None,
    receivers: dict[str, Receiver] | None = None,
    metrics: AlertMetrics | None = None,
    live: threading.Event | None = None,
) -> None:
    """The service until `stop` is set; `live` is set once both stages own their partitions."""
    live = live or threading.Event()
    clock = clock or SystemClock()
    readiness = Readiness(clock)
    register_secrets(*rt.secret_values())
    receivers = receivers if receivers is not None else build_receivers(rt, config.receivers, clock)
    router = build_router(config.alerting, receivers, config.receivers)
    metrics = metrics or AlertMetrics()
    metrics.info(rt.instance)
    metrics.precreate(config.rules, receivers)
    shared = _Shared(AckBook(), SituationLog(), build_ack_links(config.alerting, rt))
    desk = _ack_desk(rt, config, shared, clock, metrics)

    def ready() -> tuple[bool, str]:
        return readiness.check() if live.is_set() else (False, "loading silences, deliveries and rule state")

    ready_gauge("alert", ready, metrics.registry)
    pages: dict[str, Page] = {PREFIX: desk or links_off_page}
    health = HealthServer(rt.runtime.metrics_host, metrics_port, ready, metrics.registry, pages).start()
    parts: _Parts | None = None
    try:
        parts = _start(rt, config, clock, receivers, router, metrics, stop, shared)
        if parts is not None:
            _attach(desk, parts, Topics.from_settings(rt.kafka))
            _loop(stop, live, readiness, clock, parts, metrics)
    finally:
        live.clear()
        if desk is not None:
            desk.publish = None
        _shutdown(parts)
        health.stop()
        log.info("alert service stopped")


@dataclass(frozen=True)
class _Shared:
    """What outlives a restart of the Kafka parts and the HTTP page reads: acknowledgements, what each
    situation was notified with, and the links notifications carry."""

    acks: AckBook
    situations: SituationLog
    links: AckLinks | None


def _ack_desk(
    rt: AlertSettings, config: AlertConfig, shared: _Shared, clock: Clock, metrics: AlertMetrics
) -> AckDesk | None:
    options = config.alerting.ack
    if shared.links is None or rt.ack_secret is None:
        log.info(
            "acknowledge links are off: alerting.ack.public_base_url is not set; notifications carry no "
            "link (`newsmon ack SITUATION --by NAME` still works)"
        )
        return None
    log.info("acknowledge links point to %s/ack/...", options.public_base_url)
    return AckDesk(rt.ack_secret, options, shared.acks, shared.situations, clock, metrics, config.names)


def _attach(desk: AckDesk | None, parts: _Parts, topics: Topics) -> None:
    """Let the acknowledge page write to the acks topic through the service's producer."""
    if desk is None:
        return

    def publish(ack: Acknowledgement) -> None:
        send_and_wait(parts.producer, topics.acks, ack.situation, ack)

    desk.publish = publish


def _start(
    rt: AlertSettings,
    config: AlertConfig,
    clock: Clock,
    receivers: dict[str, Receiver],
    router: Router,
    metrics: AlertMetrics,
    stop: threading.Event,
    shared: _Shared,
) -> _Parts | None:
    """Assemble the stages and load silences and deliveries. The broker may go away meanwhile (a restart
    under way): then wait for it and start again, rather than exit. None when stopped first."""
    backoff = Backoff(timedelta(seconds=1), timedelta(seconds=30))
    for attempt in itertools.count(1):
        if not wait_for_broker(rt.kafka, "newsmon-alert-admin", stop):
            return None
        parts: _Parts | None = None
        try:
            parts = _assemble(rt, config, clock, receivers, router, metrics, shared)
            parts.start(config, router)
            return parts
        except (KafkaError, TimeoutError) as exc:
            pause = backoff.delay(attempt).total_seconds()
            log.warning(
                "Kafka went away while the alert service was starting (%s: %s); starting again in %.0fs",
                type(exc).__name__, exc, pause,
            )  # fmt: skip
            _shutdown(parts)
            stop.wait(pause)
    return None


@dataclass
class _Parts:
    """Everything that talks to Kafka, so start-up and shutdown see one list."""

    producer: KafkaProducer
    silences: SilenceStore
    silence_tail: TopicTail[Silence]
    delivery_tail: TopicTail[DeliveryRecord]
    ack_tail: TopicTail[Acknowledgement]
    notify: NotifyStage
    rules: RuleStage
    digest_feed: DigestFeed | None = None

    def start(self, config: AlertConfig, router: Router) -> None:
        """Silences, acknowledgements and delivery records first, to their end; only then consume alerts
        and articles."""
        self.silence_tail.start()
        self.ack_tail.start()
        self.delivery_tail.start()
        if self.digest_feed is not None:
            self.digest_feed.start()
            log.info(
                "digests for %s: read %d alert(s) and trend window(s) of their current and last periods",
                ", ".join(self.digest_feed.book.schedules), self.digest_feed.loaded,
            )  # fmt: skip
        log.info(
            "loaded %d silence(s), %d acknowledgement(s) and %d delivery record(s); %d rule(s); "
            "default receivers: %s",
            len(self.silences.all()), len(self.notify.acks), self.delivery_tail.loaded,
            len(rules_enabled(config)), ", ".join(router.default),
        )  # fmt: skip
        self.notify.subscribe()
        self.rules.subscribe()


def _assemble(
    rt: AlertSettings,
    config: AlertConfig,
    clock: Clock,
    receivers: dict[str, Receiver],
    router: Router,
    metrics: AlertMetrics,
    shared: _Shared,
) -> _Parts:
    topics = Topics.from_settings(rt.kafka)
    instance, prefix, options = rt.instance, rt.kafka.topic_prefix, config.alerting
    producer = make_producer(rt.kafka, f"newsmon-alert-{instance}")
    deadletters = DeadLetterSink(
        producer, topics.deadletter, "alert", clock.now, clock.monotonic, rt.deadletter
    )
    silences = SilenceStore()

    def apply_silence(key: str, value: Silence | None) -> None:
        if value is None:
            silences.remove(key)
        else:
            silences.apply(value)

    notify = NotifyStage(
        make_consumer(
            rt.kafka,
            f"newsmon-alert-notify-{instance}",
            f"{prefix}alert-notify",
            **group_session(options.replica_timeout),
        ),
        producer,
        topics,
        Grouper[Position](Timing(options.group_wait, options.group_interval, options.repeat_interval)),
        silences,
        router,
        Dispatcher[Position](
            receivers,
            clock,
            Backoff(options.retry.initial, options.retry.maximum),
            options.retry.give_up_after,
        ),
        None,
        clock,
        metrics,
        deadletters,
        options.commit_interval,
        config.names,
        acks=shared.acks,
        links=shared.links,
        situations=shared.situations,
        digests=_digest_desk(rt, config, clock, router, silences, shared, topics),
    )
    notify.deliveries = TopicTail(
        make_consumer(rt.kafka, f"newsmon-alert-deliveries-{instance}", None),
        topics.delivery,
        DeliveryRecord,
        notify.apply_delivery,
    )
    rules = RuleStage(
        make_consumer(
            rt.kafka,
            f"newsmon-alert-rules-{instance}",
            f"{prefix}alert-rules.{instance}",
            **group_session(options.replica_timeout),
        ),
        producer,
        topics,
        RuleEngine(config.rules),
        lookback(config.rules, config.trend_window),
        clock,
        metrics,
        deadletters,
        options.commit_interval,
    )
    silence_tail = TopicTail(
        make_consumer(rt.kafka, f"newsmon-alert-silences-{instance}", None),
        topics.silences,
        Silence,
        apply_silence,
    )
    ack_tail = TopicTail(
        make_consumer(rt.kafka, f"newsmon-alert-acks-{instance}", None),
        topics.acks,
        Acknowledgement,
        shared.acks.apply,
    )
    feed = notify.digests.feed if notify.digests is not None else None
    return _Parts(producer, silences, silence_tail, notify.deliveries, ack_tail, notify, rules, feed)


def _digest_desk(
    rt: AlertSettings,
    config: AlertConfig,
    clock: Clock,
    router: Router,
    silences: SilenceStore,
    shared: _Shared,
    topics: Topics,
) -> DigestDesk | None:
    """The digests' book, planner and feed; None when no receiver takes a digest."""
    schedules = digest_schedules(config.receivers)
    if not schedules:
        return None

    def muted(labels: dict[str, str], at: datetime) -> bool:
        return silences.muting(labels, at) is not None

    book = DigestBook(schedules, router.routed_to, muted)
    consumer = make_consumer(rt.kafka, f"newsmon-alert-digests-{rt.instance}", None)
    feed = DigestFeed(consumer, topics, book, clock)
    return DigestDesk(book, DigestPlanner(schedules), feed, config.names, shared.acks.get)


def rules_enabled(config: AlertConfig) -> list[str]:
    return [r.id for r in config.rules if r.enabled]


def _loop(
    stop: threading.Event,
    live: threading.Event,
    readiness: Readiness,
    clock: Clock,
    parts: _Parts,
    metrics: AlertMetrics,
) -> None:
    rules, notify = parts.rules, parts.notify
    backoff = Backoff(timedelta(seconds=1), timedelta(seconds=30))
    failures = 0
    while not stop.is_set():
        try:
            parts.silence_tail.poll(0)
            parts.ack_tail.poll(0)
            parts.delivery_tail.poll(0)
            if parts.digest_feed is not None:
                parts.digest_feed.poll()
            rules.poll_once(timeout_ms=50)
            wait = notify.next_wakeup_seconds(MAX_WAIT_SECONDS)
            notify.poll_once(timeout_ms=int(wait * 1000))
            failures = 0
        except KafkaError as exc:  # the broker is away: what was not done is read again once it is back
            failures += 1
            pause = backoff.delay(failures).total_seconds()
            log.warning("Kafka unavailable (%s: %s); trying again in %.0fs", type(exc).__name__, exc, pause)
            stop.wait(pause)
            continue
        if not live.is_set() and rules.live and notify.live:
            live.set()
            log.info("alert service live")
        try:
            metrics.lag.maybe_update(rules.consumer, notify.consumer)
        except KafkaError as exc:  # the broker is away: lag is a metric, not a reason to stop
            log.debug("lag unavailable: %s", exc)
        assigned = len(notify.consumer.assignment())
        readiness.observe(kafka_connected(notify.consumer), assigned or None, metrics.lag.total)


def _shutdown(parts: _Parts | None) -> None:
    if parts is None:
        return
    steps: list[tuple[str, Callable[[], object]]] = [
        ("commit rule offsets", lambda: parts.rules.commit(force=True)),
        ("commit alert offsets", lambda: parts.notify.commit(force=True)),
        ("close rule consumer", parts.rules.consumer.close),
        ("close alert consumer", parts.notify.consumer.close),
        ("close silences reader", parts.silence_tail.close),
        ("close acknowledgements reader", parts.ack_tail.close),
        ("close delivery reader", parts.delivery_tail.close),
        ("close digest reader", parts.digest_feed.close if parts.digest_feed else lambda: None),
        ("flush producer", lambda: parts.producer.close(timeout=10)),
    ]
    for step, action in steps:
        try:
            action()
        except Exception as exc:  # keep shutting the rest down
            log.warning("during shutdown, could not %s: %s", step, exc)
