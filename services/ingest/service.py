"""`newsmon serve ingest`: the wiring. Feeds from the group assignment, polled on their schedules, parsed,
offered to the producer; health and metrics after every poll.

Threads: the asyncio loop (fetching and scheduling) runs in the caller's thread; parsing runs in one worker
thread so a big feed never stalls the timers of the others; the assignment consumer, the shared-state
tailer and the producer each own their Kafka client in a thread of their own.
"""

from __future__ import annotations

import asyncio
import functools
import hashlib
import logging
import random
import signal
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from types import FrameType

from kafka import KafkaConsumer, KafkaProducer

from schemas import FeedSpec
from services.ingest import feedlist, metrics
from services.ingest.assignment import FeedAssignment
from services.ingest.clients import close_quietly
from services.ingest.config import IngestOptions
from services.ingest.fetch import Fetcher, FetchResult, Validators
from services.ingest.health import FeedHealth, PollReport, record_poll
from services.ingest.parse import ParsedFeed, parse_feed
from services.ingest.producer import ArticleSink
from services.ingest.schedule import (
    FeedSchedule,
    Limits,
    adaptive_interval,
    after_failure,
    after_success,
    initial,
)
from services.ingest.seen import SeenIds
from services.ingest.shared import SharedStateTailer
from streambase.broker import reachable, wait_for_broker
from streambase.clock import Clock, SystemClock
from streambase.health import HealthServer
from streambase.kafka import group_session, make_consumer, make_producer
from streambase.metrics import ConsumerLag, build_info, ready_gauge
from streambase.readiness import Readiness
from streambase.settings import ServiceSettings
from streambase.topics import Topics

log = logging.getLogger("newsmon.ingest")

SUMMARY_EVERY = 60.0
FORGET_EVERY = 10.0
STARTUP_RETRY = 5.0


@functools.cache
def _consumer_lag() -> ConsumerLag:
    """Registered once per process, however many replicas it runs (tests run several)."""
    return ConsumerLag("ingest")


@dataclass
class _Feed:
    spec: FeedSpec
    schedule: FeedSchedule
    validators: Validators
    health: FeedHealth | None
    moved_hint: bool = False
    digest: bytes = b""  # of the last body whose articles were all kept: the same bytes need no parse


@dataclass(frozen=True)
class IngestConfig:
    """The part of the configuration ingest reads: the feeds and its options."""

    feeds: tuple[FeedSpec, ...]
    ingest: IngestOptions


class IngestService:
    """One ingest replica. `run()` blocks until `stop()` (or SIGTERM/SIGINT through `main`)."""

    def __init__(
        self,
        rt: ServiceSettings,
        config: IngestConfig,
        clock: Clock | None = None,
        rng: random.Random | None = None,
    ) -> None:
        self.rt = rt
        self.options = config.ingest
        self.configured = config.feeds
        self.topics = Topics.from_settings(rt.kafka)
        self.instance = rt.instance
        self.clock = clock or SystemClock()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrets
        self.limits = Limits(
            self.options.default_interval,
            self.options.min_interval,
            self.options.max_interval,
            self.options.max_backoff,
        )
        self.readiness = Readiness(self.clock)
        self.seen = SeenIds()
        self._stopped = threading.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._feeds: dict[str, _Feed] = {}
        self._counts: Counter[str] = Counter()
        self._parser = ThreadPoolExecutor(1, thread_name_prefix="ingest-parse")
        lag = _consumer_lag()
        self.tailer = SharedStateTailer(
            self._consumer,
            self.topics.seen,
            self.topics.feed_health,
            self.seen,
            self.clock,
            self.options.seen_retention,
        )
        self.sink = ArticleSink(
            self._producer,
            self.topics.articles,
            self.topics.seen,
            self.topics.feed_health,
            self.seen,
            self.clock,
            self.options.max_pending_articles,
            lambda: reachable(self.rt.kafka.bootstrap_servers),
        )
        self.assignment = FeedAssignment(self._group_consumer, self.topics.feeds, self.readiness, lag)

    # --- Kafka clients ------------------------------------------------------------------------------
    def _producer(self) -> KafkaProducer:
        return make_producer(
            self.rt.kafka,
            f"ingest-{self.instance}",
            max_block_ms=10_000,
            request_timeout_ms=15_000,
            delivery_timeout_ms=30_000,
        )

    def _consumer(self) -> KafkaConsumer:
        return make_consumer(self.rt.kafka, f"ingest-{self.instance}-state", None)

    def _group_consumer(self) -> KafkaConsumer:
        return make_consumer(
            self.rt.kafka,
            f"ingest-{self.instance}",
            f"{self.topics.prefix}ingest",
            **group_session(self.options.replica_timeout),
        )

    # --- life cycle ---------------------------------------------------------------------------------
    def check(self) -> tuple[bool, str]:
        """Readiness for /readyz: shared state loaded and the group consumer healthy."""
        if not self.seen.loaded.is_set():
            return False, "starting: loading the ids of articles already produced"
        return self.readiness.check()

    def stop(self) -> None:
        """Ask `run()` to finish: safe from signal handlers and other threads."""
        self._stopped.set()
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            loop.call_soon_threadsafe(wake.set)

    def run(self, metrics_port: int | None = None) -> None:
        server = None
        if metrics_port is not None:
            server = HealthServer(self.rt.runtime.metrics_host, metrics_port, self.check).start()
        try:
            if self._prepare():
                self.tailer.start()
                self.sink.start()
                self.assignment.start()
                log.info(
                    "ingest replica %s started: %d feeds configured", self.instance, len(self.configured)
                )
                asyncio.run(self._poll_loop())
        finally:
            self._shutdown(server)

    def _prepare(self) -> bool:
        """Wait for Kafka and the pipeline topics, then publish the configured feeds (retried while the
        broker refuses); False when stopped first."""
        while wait_for_broker(self.rt.kafka, f"ingest-{self.instance}-admin", self._stopped):
            try:
                producer = self._producer()
                try:
                    feedlist.publish(producer, self._consumer, self.topics.feeds, self.configured)
                finally:
                    close_quietly(producer, "feed list producer", timeout=5)
                return True
            except Exception as exc:
                log.warning("could not publish the feed list yet (%s); retrying in %.0fs", exc, STARTUP_RETRY)
                self._stopped.wait(STARTUP_RETRY)
        return False

    def _shutdown(self, server: HealthServer | None) -> None:
        log.info("ingest replica %s stopping", self.instance)
        self.assignment.stop()
        self.sink.stop()
        self.tailer.stop()
        self._parser.shutdown(wait=True, cancel_futures=True)
        if server is not None:
            server.stop()
        log.info("ingest replica %s stopped", self.instance)

    # --- the polling loop ---------------------------------------------------------------------------
    async def _poll_loop(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        if self._stopped.is_set():
            return
        inflight: dict[str, asyncio.Task[None]] = {}
        next_summary = self.clock.monotonic() + SUMMARY_EVERY
        next_forget = self.clock.monotonic() + 1.0
        async with Fetcher(self.options, self.clock) as fetcher:
            while not self._stopped.is_set():
                now = self.clock.monotonic()
                if self.seen.loaded.is_set():  # with it the health of feeds taken over, validators included
                    self._sync(self.assignment.snapshot(), now)
                    self._start_due(fetcher, inflight, now)
                if now >= next_forget:
                    self.sink.forget(self.tailer.take_expired())
                    self.seen.expire(self.clock.now() - self.options.seen_retention)
                    next_forget = now + FORGET_EVERY
                if now >= next_summary:
                    self._summary()
                    next_summary = now + SUMMARY_EVERY
                await self._sleep(self._next_due(inflight) - now)
            for task in inflight.values():
                task.cancel()
            await asyncio.gather(*inflight.values(), return_exceptions=True)

    async def _sleep(self, seconds: float) -> None:
        assert self._wake is not None
        try:
            async with asyncio.timeout(min(1.0, max(0.02, seconds))):
                await self._wake.wait()
        except TimeoutError:
            pass
        self._wake.clear()

    def _start_due(self, fetcher: Fetcher, inflight: dict[str, asyncio.Task[None]], now: float) -> None:
        for feed_id, feed in self._feeds.items():
            if feed.schedule.due <= now and feed_id not in inflight:
                task = asyncio.create_task(self._poll(fetcher, feed))
                inflight[feed_id] = task
                task.add_done_callback(functools.partial(_forget, inflight, feed_id))

    def _next_due(self, inflight: dict[str, asyncio.Task[None]]) -> float:
        waiting = [f.schedule.due for i, f in self._feeds.items() if i not in inflight]
        return min(waiting, default=self.clock.monotonic() + 1.0)

    def _sync(self, assigned: dict[str, FeedSpec], now: float) -> None:
        """Start scheduling feeds newly assigned here; forget feeds that moved away or were removed."""
        for feed_id in [f for f in self._feeds if f not in assigned]:
            del self._feeds[feed_id]
            metrics.forget_feed(feed_id)
        for feed_id, spec in assigned.items():
            known = self._feeds.get(feed_id)
            if known is None:
                self._feeds[feed_id] = self._takeover(spec, now)
                metrics.feed_series(feed_id)
            elif known.spec != spec:
                known.schedule = initial(self.limits, spec.interval, known.schedule.due)
                if known.spec.url != spec.url:
                    known.validators, known.digest = Validators(), b""
                known.spec = spec

    def _takeover(self, spec: FeedSpec, now: float) -> _Feed:
        """A feed new to this replica continues from the health its last poller published: its schedule, and
        its validators, so the first poll here is a conditional GET as the next one there would have been."""
        health = self.tailer.health(spec.id)
        schedule = initial(self.limits, spec.interval, now)
        validators = Validators()
        if health is not None and health.url == spec.url:
            validators = Validators.bounded(health.etag, health.last_modified)
        if health is not None and health.next_poll_at is not None and health.url == spec.url:
            wait = (health.next_poll_at - self.clock.now()).total_seconds()
            interval = schedule.interval if schedule.fixed else timedelta(seconds=health.interval_seconds)
            schedule = FeedSchedule(
                self.limits.clamp(interval) if not schedule.fixed else interval,
                now + max(0.0, wait),
                health.consecutive_failures,
                schedule.fixed,
            )
        return _Feed(spec, schedule, validators, health)

    async def _poll(self, fetcher: Fetcher, feed: _Feed) -> None:
        spec = feed.spec
        started = self.clock.monotonic()
        result = await fetcher.fetch(spec.url, feed.validators)
        if result.moved and not feed.moved_hint:
            feed.moved_hint = True
            log.info("feed %s moved permanently to %s; update its url in the feeds file", spec.id, result.url)
        metrics.FETCH_DURATION.observe(self.clock.monotonic() - started)
        metrics.FETCHED_BYTES.inc(len(result.body))
        outcome: str = result.outcome
        error, items, new, interval = result.error, None, 0, None
        digest = hashlib.blake2b(result.body, digest_size=16).digest() if result.ok else b""
        if result.ok and digest == feed.digest:
            metrics.UNCHANGED_BODIES.inc()
            feed.validators = result.validators
        elif result.ok:
            parsed = await asyncio.get_running_loop().run_in_executor(self._parser, self._parse, result, spec)
            outcome = parsed.outcome
            if parsed.outcome == "ok":
                new, complete = self._offer(spec, parsed)
                if complete:
                    feed.validators, feed.digest = result.validators, digest
                items = parsed.entries
                interval = adaptive_interval(parsed.published_dates, self.clock.now(), self.limits)
            else:
                error = parsed.problem
        elif result.outcome == "not_modified" and (result.validators.etag or result.validators.last_modified):
            feed.validators = result.validators
        self._record(feed, result, outcome, error, items, new, interval)

    def _parse(self, result: FetchResult, spec: FeedSpec) -> ParsedFeed:
        started = self.clock.monotonic()
        try:
            return parse_feed(result.body, spec, self.clock.now(), result.url, result.content_type)
        finally:
            metrics.PARSE_DURATION.observe(self.clock.monotonic() - started)

    def _offer(self, spec: FeedSpec, parsed: ParsedFeed) -> tuple[int, bool]:
        """Hand new articles to the producer; (how many were new, whether all of them were kept)."""
        oldest = self.clock.now() - self.options.seen_retention
        fresh = [a for a in parsed.articles if a.published_at >= oldest]
        metrics.STALE_SKIPPED.inc(len(parsed.articles) - len(fresh))
        offered = self.sink.offer(fresh)
        metrics.DUPLICATES_SKIPPED.inc(parsed.duplicates + offered.duplicates)
        if parsed.problem:
            log.info(
                "feed %s is malformed but usable (%s); kept %d entries",
                spec.id,
                parsed.problem,
                parsed.entries,
            )
        if offered.refused:
            log.warning(
                "feed %s: %d articles not kept, %d already waiting for Kafka; they will be fetched again",
                spec.id,
                offered.refused,
                self.sink.pending,
            )
        return offered.accepted, offered.refused == 0

    def _record(
        self,
        feed: _Feed,
        result: FetchResult,
        outcome: str,
        error: str | None,
        items: int | None,
        new: int,
        interval: timedelta | None,
    ) -> None:
        spec, now = feed.spec, self.clock.monotonic()
        ok = outcome in ("ok", "not_modified")
        if ok:
            feed.schedule = after_success(feed.schedule, self.limits, now, interval)
            metrics.LAST_SUCCESS.labels(feed=spec.id).set(self.clock.now().timestamp())
        else:
            feed.schedule = after_failure(feed.schedule, self.limits, now, self.rng, result.retry_after)
            log.warning(
                "feed %s: %s (%s); next try in %.0fs", spec.id, outcome, error, feed.schedule.due - now
            )
        metrics.POLLS.labels(feed=spec.id, outcome=outcome).inc()
        metrics.CONSECUTIVE_FAILURES.labels(feed=spec.id).set(feed.schedule.failures)
        self._counts[outcome] += 1
        self._counts["new"] += new
        at = self.clock.now()
        report = PollReport(
            spec.id,
            spec.url,
            self.instance,
            at,
            outcome,
            result.status,
            error,
            items,
            new,
            feed.schedule.interval.total_seconds(),
            at + timedelta(seconds=feed.schedule.due - now),
            feed.validators.etag,
            feed.validators.last_modified,
        )
        feed.health = record_poll(feed.health, report)
        self.sink.publish_health(feed.health)

    def _summary(self) -> None:
        counts, self._counts = self._counts, Counter()
        polls = sum(v for k, v in counts.items() if k != "new")
        failed = polls - counts["ok"] - counts["not_modified"]
        log.info(
            "last %.0fs: %d polls (%d ok, %d not modified, %d failed), %d new articles; "
            "%d feeds assigned, %d articles waiting for Kafka, %d ids seen",
            SUMMARY_EVERY,
            polls,
            counts["ok"],
            counts["not_modified"],
            failed,
            counts["new"],
            len(self._feeds),
            self.sink.pending,
            len(self.seen),
        )


def _forget(inflight: dict[str, asyncio.Task[None]], feed_id: str, _task: asyncio.Task[None]) -> None:
    inflight.pop(feed_id, None)


def main(rt: ServiceSettings, config: IngestConfig, metrics_port: int) -> None:
    """Run one ingest replica until SIGTERM or SIGINT, then leave the group, flush and close."""
    build_info("ingest", rt.instance)
    # kafka-python warns when its network loop waited for the GIL, which parsing in our worker thread holds
    # for a few hundred milliseconds at a time; that is expected here and says nothing about the broker.
    logging.getLogger("kafka.net.selector").setLevel(logging.ERROR)
    service = IngestService(rt, config)
    ready_gauge("ingest", service.check)

    def on_signal(signum: int, frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        service.stop()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    service.run(metrics_port)
