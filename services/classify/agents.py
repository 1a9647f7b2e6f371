"""The stream: three Faust agents and two timers, each a thin adapter over `handling`, `trends` and
`stories.stage`.

Agent `classify` reads the articles topic in batches. For each batch it hands every classified article with
its story features to the story stage (a few framed records on the single-partition `story-input` topic),
produces the batch's trend contributions (one record per topic, keyed by topic) and every dead letter,
waits until the broker acknowledged all of them, and only then records the article ids in the `seen` table
and lets Faust ack the batch. Offsets are committed after the acks, so a crash repeats work but never
loses it; the `seen` table, whose changelog is replayed at start-up, keeps a repeat from being classified
and produced twice.

Agent `stories` reads `story-input`: one partition, so one replica at a time sees every article in one
order and any number of classify workers agree on every story. It assigns each article in the story book,
produces it to the classified topic with its `story` (keyed by article id) and, once the broker has those,
writes what changed in the book to the `stories` table's changelog before the batch is acked. A replica
taking the partition over rebuilds the book from that changelog; an article the book already holds was
produced already and is not produced again, and one it lacks is assigned as it was the first time.

Agent `trends` reads the contributions, which are partitioned by topic, so one replica owns all the windows
of a topic; the buckets live in the `trends` table. A timer emits windows (see `trends.py` for when).
"""

from __future__ import annotations

import asyncio
import collections
import logging
import os
import sys
from collections.abc import Awaitable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, NoReturn, cast

import faust
from faust.serializers import codecs
from faust.types import TP, TableT
from mode.types.signals import BaseSignalT

from schemas import ClassifiedArticle, InvalidMessage, decode, encode
from services.classify.config import ClassifyOptions
from services.classify.continuity import OffsetContinuity
from services.classify.handling import (
    ArticleClassifier,
    Classified,
    Duplicate,
    classified_json,
    expired_seen,
    handle,
    seen_entry,
    stage_json,
    table_json,
)
from services.classify.metrics import GROWING_STORIES, OUTCOMES, ClassifyMetrics
from services.classify.produce import BatchSender, Record
from services.classify.stories import StoryBook, features_of
from services.classify.stories.stage import STORY_ROOM, pack, stamp, unpack
from services.classify.trends import (
    Added,
    TopicTrend,
    TrendBatch,
    TrendContribution,
    TrendTracker,
    WindowSpec,
    batched,
)
from streambase.clock import Clock
from streambase.deadletters import (
    REASON_HEADER,
    DeadLetterFlood,
    FloodGuard,
    LogLimiter,
    dead_letter,
    log_dead_letter,
)
from streambase.readiness import Readiness, aiokafka_connected
from streambase.records import DEFAULT_MAX_RECORD_BYTES, RecordTooLarge, record_size
from streambase.settings import DeadLetterLimit
from streambase.topics import Topics

log = logging.getLogger(__name__)

SERVICE = "classify"
OBSERVE_SECONDS = 5.0
GROWTH_WINDOW = 3600.0
"""Seconds of the fastest-growing stories the story stage exports (the Escalation dashboard's last hour)."""
PURGE_SECONDS = 600.0
PRODUCE_FAILED_EXIT = 75
"""Exit status when the broker did not take a produce: offsets stay uncommitted and a restart repeats."""
DEADLETTER_FLOOD_EXIT = 65
"""Exit status when the input was mostly unusable (the dead-letter flood limit): an operator must look."""


@dataclass(frozen=True)
class StreamLimits:
    """Bounds the stream enforces: the largest record it produces, and how much dead-lettering it takes."""

    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
    deadletter: DeadLetterLimit = field(default_factory=DeadLetterLimit.model_construct)


def _exit(status: int, reason: str) -> NoReturn:
    """Stop the worker at once, before Faust can commit what this batch consumed."""
    log.critical("%s", reason)
    logging.shutdown()
    sys.stderr.flush()
    os._exit(status)


class ClassifyStream:
    """Registers the agents, tables and timers on `app`; holds what they share."""

    def __init__(
        self,
        app: faust.App,
        topics: Topics,
        partitions: int,
        options: ClassifyOptions,
        classifier: ArticleClassifier,
        metrics: ClassifyMetrics,
        clock: Clock,
        limits: StreamLimits,
    ) -> None:
        self.app = app
        self.limits = limits
        self._floods: dict[str, FloodGuard] = {}
        self._logs = LogLimiter(clock.monotonic)
        self.options = options
        self.classifier = classifier
        self.metrics = metrics
        self.clock = clock
        self.spec = WindowSpec(options.window, options.window_step, options.window_grace)
        self.tracker = TrendTracker(self.spec, clock.now())
        self.readiness = Readiness(clock=clock)
        self.topics = topics
        self.sender = BatchSender(app)
        self._outcomes = {outcome: metrics.articles.labels(outcome=outcome) for outcome in OUTCOMES}
        self._signal_counters: dict[tuple[str, str], Any] = {}
        self._duration = metrics.duration.observe
        self._stage_latency = metrics.stage_latency.observe
        self._changelog_pending: list[asyncio.Future[Any]] = []
        self.continuity: OffsetContinuity[TP] = OffsetContinuity()
        self._guarded: object = None  # the consumer whose commits stop at the continuity frontier
        self._next_purge = clock.monotonic() + PURGE_SECONDS
        self.source = raw_topic(app, topics.articles)
        self.trend_input_name = f"{app.conf.id}-trend-input"
        self.trend_input = app.topic(
            self.trend_input_name,
            key_serializer="raw",
            value_serializer="raw",
            internal=True,
            partitions=partitions,
            retention=timedelta(days=2),
        )
        self.story_input_name = f"{app.conf.id}-story-input"
        self.story_input = app.topic(
            self.story_input_name,
            key_serializer="raw",
            value_serializer="raw",
            internal=True,
            partitions=1,
            retention=timedelta(days=2),
        )
        self.story_state = app.Table(
            "stories", partitions=1, help="The story book: stories and articles of the story horizon"
        )
        self.book: StoryBook | None = None
        self.seen = app.Table("seen", partitions=partitions, help="Article ids already classified")
        self.trend_state = app.Table("trends", partitions=partitions, help="Trend buckets per topic")
        batch_wait = options.batch_wait.total_seconds()
        app.agent(self.source, name="classify")(self._batches(self.classify_batch, batch_wait))
        app.agent(self.trend_input, name="trends")(self._batches(self.trend_batch, batch_wait))
        app.agent(self.story_input, name="stories")(self._batches(self.story_batch, batch_wait))
        app.timer(options.emit_interval.total_seconds(), name="emit-trends")(self.emit_trends)
        app.timer(OBSERVE_SECONDS, name="observe")(self.observe)
        app.on_partitions_revoked.connect(self._forget_revoked)

    def _batches(self, handler: Any, within: float) -> Any:
        size = self.options.batch_size

        async def agent(stream: faust.Stream[bytes]) -> None:
            self._commit_at_frontier()
            async for events in stream.take_events(size, within=within):
                current = self._of_current_assignment(events)
                if current:
                    await handler(current)
                    await self._read_holes_again(current)

        return agent

    # -- agent: classify ------------------------------------------------------------------------------

    async def classify_batch(self, events: Sequence[faust.types.EventT[Any]]) -> None:
        out: list[Record] = []
        done: dict[str, int] = {}
        classified: list[ClassifiedArticle] = []
        handoffs: list[tuple[bytes, bytes]] = []
        contributed: list[TrendContribution] = []
        duplicates = 0

        def already(article_id: str) -> bool:
            return article_id in done or article_id in self.seen.data

        for event in events:
            message = event.message
            started = self.clock.monotonic()
            outcome = handle(message.value, already, self.classifier, self.clock.now())
            if isinstance(outcome, Classified):
                self._duration(self.clock.monotonic() - started)
                handoff = self._handoff(outcome)
                if handoff is None:
                    out.append(self._dead_letter(message, self._too_large(outcome)))
                    continue
                handoffs.append(handoff)
                contributed += outcome.contributions
                classified.append(outcome.article)
                done[outcome.article.id] = message.partition
                self._flood(message.topic).valid()
            elif isinstance(outcome, Duplicate):
                duplicates += 1
                self._flood(message.topic).valid()
            else:
                if outcome.cause is not None and self._logs.held_back("classify_error:trace") is not None:
                    log.error("the classifier failed: %s", outcome.error.detail, exc_info=outcome.cause)
                out.append(self._dead_letter(message, outcome.error))
        out += [Record(self.trend_input_name, b.topic.encode(), encode(b)) for b in batched(contributed)]
        out += [Record(self.story_input_name, None, r) for r in pack(handoffs, self.limits.max_record_bytes)]
        self._count(classified, duplicates)
        await self._acknowledged(await self.sender.send(out) + self._changelog_pending)
        self._changelog_pending = await self.sender.send(self._record_seen(done) + self._expire_seen())

    def _record_seen(self, done: dict[str, int]) -> list[Record]:
        """Put the batch's article ids in the `seen` table; return their changelog records, for the
        partition each id was consumed from (see `_changelog`), encoded as Faust's json codec does. The ids
        of one partition in a batch share one entry object: the table holds days of ids."""
        entries = self.seen.data
        topic = self.seen.changelog_topic.get_topic_name()
        now = self.clock.now()
        shared: dict[int, tuple[list[int], bytes]] = {}  # one entry per partition in a batch, in memory too
        records: list[Record] = []
        for article_id, partition in done.items():
            found = shared.get(partition)
            if found is None:
                entry = seen_entry(now, partition)
                found = shared[partition] = (entry, table_json(entry))
            entries[article_id] = found[0]
            records.append(Record(topic, table_json(article_id), found[1], partition=partition))
        return records

    def _expire_seen(self) -> list[Record]:
        """Every PURGE_SECONDS, forget article ids older than the dedup retention (tombstones included)."""
        if self.clock.monotonic() < self._next_purge:
            return []
        self._next_purge = self.clock.monotonic() + PURGE_SECONDS
        cutoff = self.clock.now() - self.options.dedup_retention
        expired = expired_seen(self.seen.data.items(), cutoff)
        if expired:
            log.info("forgetting %d article ids classified before %s", len(expired), cutoff.isoformat())
        return [_changelog(self.seen, partition, article_id, None) for article_id, partition in expired]

    def _handoff(self, outcome: Classified) -> tuple[bytes, bytes] | None:
        """The article's story features and classified JSON, for the story stage; None when the classified
        article, with room for its story, would exceed the record limit (what the broker would refuse is
        dead-lettered instead). Its trend contributions go out with the batch's."""
        article = outcome.article
        value = classified_json(article, outcome.raw_json)
        if record_size(article.id.encode(), value) + STORY_ROOM > self.limits.max_record_bytes:
            return None
        return features_of(article).encode(), value

    def _count(self, classified: list[ClassifiedArticle], duplicates: int) -> None:
        """Count a batch's articles and signals: one increment per outcome and per (signal, topic), each
        through a child looked up once per worker rather than once per article."""
        signals: collections.Counter[tuple[str, str]] = collections.Counter()
        unsupported: collections.Counter[str] = collections.Counter()
        for article in classified:
            if article.language not in self.classifier.languages and article.language not in (None, "und"):
                unsupported[article.language] += 1
            topics = article.topics or ("none",)
            signals.update((signal.id, topic) for signal in article.signals for topic in topics)
            latency = (article.classified_at - article.article.fetched_at).total_seconds()
            self._stage_latency(max(0.0, latency))
        if classified:
            self._outcomes["classified"].inc(len(classified))
        if duplicates:
            self._outcomes["duplicate"].inc(duplicates)
        for key, count in signals.items():
            child = self._signal_counters.get(key)
            if child is None:
                child = self._signal_counters[key] = self.metrics.signals.labels(signal=key[0], topic=key[1])
            child.inc(count)
        for language, count in unsupported.items():
            self.metrics.unsupported_language.labels(lang=language).inc(count)

    def _too_large(self, outcome: Classified) -> RecordTooLarge:
        size = record_size(outcome.article.id.encode(), classified_json(outcome.article, outcome.raw_json))
        limit = self.limits.max_record_bytes - STORY_ROOM
        return RecordTooLarge(f"classified article {outcome.article.id}", size, limit)

    def _flood(self, topic: str) -> FloodGuard:
        guard = self._floods.get(topic)
        if guard is None:
            guard = self._floods[topic] = FloodGuard(self.limits.deadletter, topic)
        return guard

    def _dead_letter(self, message: faust.types.Message, error: InvalidMessage) -> Record:
        """The dead letter of a message, counted and logged (one line per reason every 10 s). A flood
        stops the worker before anything of the batch is produced or committed: it says what to check."""
        letter = dead_letter(
            SERVICE,
            error,
            message.topic,
            message.partition,
            message.offset,
            message.key,
            message.value,
            self.clock.now(),
        )
        if error.reason != "classify_error":
            self._outcomes["invalid"].inc()
        self.metrics.deadletter.labels(reason=error.reason).inc()
        log_dead_letter(self._logs, letter)
        try:
            self._flood(message.topic).invalid(error.reason)
        except DeadLetterFlood as flood:
            _exit(DEADLETTER_FLOOD_EXIT, str(flood))
        return Record(
            self.topics.deadletter, message.key, encode(letter), ((REASON_HEADER, error.reason.encode()),)
        )

    async def _acknowledged(self, sends: Sequence[Awaitable[Any]]) -> None:
        """Wait for the broker to take every produce; if it cannot, stop before any offset is committed."""
        try:
            await asyncio.gather(*sends)
        except Exception as exc:
            reason = f"the broker did not take a produce ({exc}); exiting so the batch is repeated"
            _exit(PRODUCE_FAILED_EXIT, reason)

    # -- agent: stories -------------------------------------------------------------------------------

    async def story_batch(self, events: Sequence[faust.types.EventT[Any]]) -> None:
        book = self._story_book()
        out: list[Record] = []
        kinds: collections.Counter[str] = collections.Counter()
        now = self.clock.now().timestamp()
        for event in events:
            message = event.message
            try:
                handoffs = unpack(message.value)
            except InvalidMessage as exc:
                out.append(self._dead_letter(message, exc))
                continue
            self._flood(message.topic).valid()
            self.metrics.story_latency.observe(max(0.0, now - message.timestamp))
            for handoff in handoffs:
                done = stamp(book, handoff, message.timestamp)
                assigned = done.assignment
                if assigned.again:
                    continue  # produced before its assignment was written to the book's changelog
                out.append(Record(self.topics.classified, done.article_id.encode(), done.value))
                kinds["copy" if assigned.copy_of else "new_story" if assigned.new_story else "report"] += 1
                self.metrics.story_reports.observe(book.stories[assigned.story_id].independent_reports)
                if len(out) >= self.options.batch_size:
                    await self._stamped(book, out)
                    out = []
        await self._stamped(book, out)
        for kind, count in kinds.items():
            self.metrics.story_assignments.labels(kind=kind).inc(count)
        self.metrics.stories_open.set(len(book.stories))
        self.metrics.story_articles.set(len(book))

    async def _stamped(self, book: StoryBook, out: list[Record]) -> None:
        """Produce stamped articles, then (once the broker has them) what changed in the book. A record
        holds a whole classify batch, so this runs every `batch_size` articles: a crash between the two
        steps repeats at most that many articles."""
        await self._acknowledged(await self.sender.send(out))
        await self._acknowledged(await self.sender.send(self._story_changes(book)))

    def _story_book(self) -> StoryBook:
        """The book, rebuilt from the `stories` table whenever Faust has just recovered it.

        Faust's memory store reads a table's whole changelog at every recovery (it keeps no offsets), and
        only recovery writes into this table's store: the stage writes the changelog alone. So a store
        that holds anything was just recovered; the book is rebuilt from it and the store emptied, so
        the state is not held in memory twice.
        """
        store: Any = self.story_state.data
        if self.book is not None and not store.data:
            return self.book
        started = self.clock.monotonic()
        records = [value for value in store.data.values() if value]
        store._clear()
        store._key_partition.clear()
        horizon = self.options.story_horizon.total_seconds()
        self.book = StoryBook.restore(records, horizon=horizon)
        log.info(
            "story book ready: %d stories, %d articles of the story horizon, rebuilt in %.1f s",
            len(self.book.stories),
            len(self.book),
            self.clock.monotonic() - started,
        )
        return self.book

    def _story_changes(self, book: StoryBook) -> list[Record]:
        """What changed in the book, as records of the `stories` table's changelog (one partition)."""
        topic = self.story_state.changelog_topic.get_topic_name()
        return [
            Record(topic, table_json(key), None if value is None else stage_json(value), partition=0)
            for key, value in book.changes()
        ]

    # -- agent: trends --------------------------------------------------------------------------------

    async def trend_batch(self, events: Sequence[faust.types.EventT[Any]]) -> None:
        now = self.clock.now()
        touched: dict[str, tuple[int, TopicTrend]] = {}
        letters: list[Record] = []
        late = 0
        for event in events:
            message = event.message
            try:
                batch = _contributions(message.value)
            except InvalidMessage as exc:
                letters.append(self._dead_letter(message, exc))
                continue
            topic = batch[0].topic
            if topic not in touched:
                state = self.trend_state.data.get(topic)
                touched[topic] = (message.partition, TopicTrend.from_state(topic, state))
            trend = touched[topic][1]
            if trend.counted(message.offset):
                continue  # read again after a crash or a seek back: already in the buckets
            late += sum(trend.add(self.spec, item, now, message.offset) is Added.LATE for item in batch)
        if late:
            self.metrics.late_contributions.inc(late)
        changes: list[Record] = []
        for topic, (partition, trend) in touched.items():
            trend.expire(self.spec, now)
            changes.append(_changelog(self.trend_state, partition, topic, trend.to_state()))
        await self._acknowledged(await self.sender.send(letters + changes))
        self.tracker.touched(touched)

    async def emit_trends(self) -> None:
        """Timer: send the windows due now; a failure is logged and the next tick tries the next windows."""
        now = self.clock.now()
        trends = [TopicTrend.from_state(topic, state) for topic, state in list(self.trend_state.data.items())]
        records: list[Record] = []
        for window, final in self.tracker.emit(trends, now):
            records.append(Record(self.topics.trends, window.topic.encode(), encode(window)))
            self.metrics.trend_windows.labels(kind="final" if final else "provisional").inc()
            self.metrics.window_articles.labels(topic=window.topic).set(window.article_count)
            if final:
                self.metrics.escalation_index.labels(topic=window.topic).set(window.escalation_index)
        if not records:
            return
        try:
            await asyncio.gather(*await self.sender.send(records))
        except Exception as exc:
            log.error("trend windows were not delivered: %s", exc)

    # -- timer: lag and readiness ---------------------------------------------------------------------

    async def observe(self) -> None:
        """Timer: per-partition lag of the consumed topics, and what /readyz reports.

        Lag counts from the next offset this worker will *process* (not Faust's read-ahead position), so
        it is what Kafka's own tools would show once the worker commits.
        """
        self._observe_stories()
        ends: dict[TP, int] = {}
        try:
            ends = await self._observe()
        except Exception as exc:  # a metrics hiccup must not end the timer or the worker
            log.debug("lag unavailable: %s", exc)
        if not self._settled():
            return  # Faust seeks every partition to its committed offset once the group settles
        for tp, offset in self.continuity.stalled(ends).items():
            log.warning("%s[%d]: offset %d is still missing; reading it again", *tp, offset)
            await self._seek(tp, offset)

    def _observe_stories(self) -> None:
        """The fastest-growing stories of the last hour, from the worker that holds the story book; a
        worker without it (or that lost the stage) exports none, so no replica shows stale ranks."""
        book = self.book
        try:
            now = self.clock.now().timestamp()
            growing = [] if book is None else book.fastest_growing(now, GROWTH_WINDOW, GROWING_STORIES)
            self.metrics.publish_growing(growing)
        except Exception as exc:  # a metrics failure must not end the timer or the worker
            log.warning("the fastest-growing stories were not exported: %s", exc)

    def _settled(self) -> bool:
        return not (self.app.rebalancing or self.app.in_recovery)

    async def _observe(self) -> dict[TP, int]:
        """Lag and readiness; returns each owned partition's end offset, for `OffsetContinuity.stalled`."""
        consumer = self.app.consumer
        consumed = {self.source.get_topic_name(), self.trend_input_name, self.story_input_name}
        owned = [tp for tp in consumer.assignment() if tp.topic in consumed]
        total = 0
        ends: dict[TP, int] = {}
        for tp in owned:
            highwater = consumer.highwater(tp)
            await self._track_idle(tp)
            position = self.continuity.frontier(tp)
            if position is None:
                position = await consumer.position(tp)
            if position is None or highwater is None:
                continue
            lag = max(0, highwater - position)
            self.metrics.lag.set(tp.topic, tp.partition, lag)
            total += lag
            ends[tp] = highwater
        self.metrics.lag.retain({(tp.topic, tp.partition) for tp in owned})
        self.continuity.retain(consumer.assignment())
        sources = sum(1 for tp in owned if tp.topic == self.source.get_topic_name())
        self.readiness.observe(self._connected(), sources or None, total)
        return ends

    async def _track_idle(self, tp: TP) -> None:
        """Follow an owned partition nothing was processed from since it was assigned, from where reading
        it began: if Faust dropped its first messages and no others followed, `stalled` then reads them."""
        if self.continuity.known(tp) or not self._settled():
            return
        position = await self.app.consumer.position(tp)
        start = None if position is None else await self._starting_offset(tp, position)
        if start is not None and not self.continuity.known(tp):
            self.continuity.start(tp, start)

    def _connected(self) -> bool:
        """Whether the worker's consumer reaches a broker (Faust keeps aiokafka's client in its thread)."""
        try:
            client = self.app.consumer._thread._ensure_consumer()._client  # type: ignore[attr-defined]
        except Exception:  # not started yet, or stopping: not connected
            return False
        return aiokafka_connected(client)

    # -- offset continuity ----------------------------------------------------------------------------

    async def _read_holes_again(self, events: Sequence[faust.types.EventT[Any]]) -> None:
        """Seek back to the first offset the stream skipped, so that a dropped message is still processed."""
        holes: dict[TP, int] = {}
        for event in events:
            message = event.message
            tp = message.tp
            if not self.continuity.known(tp):
                start = await self._starting_offset(tp, message.offset)
                if start is None:
                    continue
                self.continuity.start(tp, start)
            hole = self.continuity.processed(tp, message.offset)
            if hole is not None:
                holes[tp] = min(hole, holes.get(tp, hole))
        for tp, offset in holes.items():
            log.warning("%s[%d]: offsets from %d were skipped by the stream; reading them again", *tp, offset)
            await self._seek(tp, offset)

    async def _starting_offset(self, tp: TP, first: int) -> int | None:
        """Where the consumer began reading `tp` (never above `first`, the first offset processed): the
        committed offset, or the partition's first offset when nothing was committed or retention has
        deleted what was, as a frontier below it would hold commits back for good.

        None while the group rebalances and Faust has forgotten the committed offset (it does on
        revocation): the partition is then not followed, and nothing is committed for it.
        """
        committed: int | None = self.app.consumer._committed_offset.get(tp)  # type: ignore[attr-defined]
        if committed is None and not self._settled():
            return None
        if committed is not None and first <= committed:
            return first
        try:
            earliest = (await self.app.consumer.earliest_offsets(tp)).get(tp)
        except Exception as exc:  # the committed offset alone still gives a safe start
            log.warning("%s[%d]: first offset unknown (%s)", *tp, exc)
            earliest = None
        known = [offset for offset in (committed, earliest) if offset is not None]
        return min(first, max(known)) if known else first

    async def _seek(self, tp: TP, offset: int) -> None:
        """Seek inside the consumer's own thread: Faust's `seek` changes aiokafka's fetcher from the
        caller's thread, and a fetch under way there then fails with a KeyError that stops the worker."""
        self.metrics.rereads.labels(topic=tp.topic).inc()
        try:
            await self.app.consumer.seek_wait({tp: offset})
        except Exception as exc:  # not fatal: the observe timer asks again while the hole stays open
            log.warning("could not seek %s[%d] back to %d: %s", *tp, offset, exc)

    def _of_current_assignment(
        self, events: Sequence[faust.types.EventT[Any]]
    ) -> Sequence[faust.types.EventT[Any]]:
        """The events fetched in this worker's current assignment; the others are dropped unacknowledged.

        Faust's take buffer can hand over, after a rebalance, messages fetched before it. Whoever owns
        their partition now reads them again from the committed offset; processing them here would only
        repeat work, and acknowledging them would mark offsets of another generation as done.
        """
        generation = self.app.consumer_generation_id
        assigned = self.app.consumer.assignment()
        current = [e for e in events if e.message.generation_id == generation and e.message.tp in assigned]
        if len(current) < len(events):
            for event in events:
                if event.message.generation_id != generation or event.message.tp not in assigned:
                    event.message.acked = True  # so that Faust's own ack leaves it out
            log.info("dropped %d messages fetched before the last rebalance", len(events) - len(current))
        return current

    def _commit_at_frontier(self) -> None:
        """Make Faust commit each consumed partition at its continuity frontier, and never past it.

        Faust commits the run of acknowledged offsets that follows its last commit, and its check for a
        gap in front of that run lets one missing offset through (any, when the partition had no commit
        yet). A message it dropped at the end of a rebalance or of table recovery is then committed past,
        and lost if the worker dies before reading it again. The frontier is the lowest offset not yet
        processed in the current assignment, so no commit passes an article that was not classified.
        """
        consumer: Any = self.app.consumer
        if self._guarded is consumer:
            return
        self._guarded = consumer
        faust_new_offset = consumer._new_offset
        consumed = {self.source.get_topic_name(), self.trend_input_name, self.story_input_name}

        def new_offset(tp: TP) -> int | None:
            if tp.topic not in consumed:
                return cast("int | None", faust_new_offset(tp))
            consumer._acked[tp].clear()  # Faust's own account of this partition is not used
            consumer._acked_index[tp].clear()
            return self.continuity.frontier(tp)

        consumer._new_offset = new_offset

    def _forget_revoked(self, sender: Any, /, *args: Any, signal: BaseSignalT[Any], **_: Any) -> None:
        """Signal receiver: offsets of revoked partitions mean nothing once another worker may own them."""
        revoked: set[TP] = args[0]
        self.continuity.retain(tp for tp in self.app.consumer.assignment() if tp not in revoked)
        if any(tp.topic == self.story_input_name for tp in revoked):
            self.book = None  # whoever takes the stage over writes to the book from now on

    def ready(self) -> tuple[bool, str]:
        if self.app.in_recovery:
            return False, "recovering tables from their changelogs"
        if self.app.rebalancing:
            return False, "the consumer group is rebalancing"
        return self.readiness.check()


class _RawBytes(faust.Schema[bytes, bytes]):
    """Keys and values as the bytes they arrived as: what the raw serializer gives, without a trip through
    Faust's serializer registry for each of them."""

    def loads_key(self, app: Any, message: faust.types.Message, **_: Any) -> Any:
        return message.key

    def loads_value(self, app: Any, message: faust.types.Message, **_: Any) -> Any:
        return message.value


def raw_topic(app: faust.App, name: str) -> faust.TopicT:
    """The topic `name` whose events carry the message's key and value bytes unchanged."""
    schema = _RawBytes(key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")
    return app.topic(name, schema=schema)


def _contributions(value: bytes | None) -> tuple[TrendContribution, ...]:
    """The contributions of a trend-input record: a batch, or a lone contribution as releases before
    batching sent them (still on the topic during an upgrade)."""
    try:
        return decode(TrendBatch, value).contributions
    except InvalidMessage as batch_error:
        try:
            return (decode(TrendContribution, value),)
        except InvalidMessage:
            raise batch_error from None


def _changelog(table: TableT[str, Any], partition: int, key: str, value: Any) -> Record:
    """Set (or, with None, delete) a table key and return its changelog record, for the partition the key
    was consumed from.

    Faust's `table[key] = value` picks the partition of the *current* event, which in a batch of several
    partitions is the wrong one for most keys, and sends one message at a time.
    """
    if value is None:
        table.data.pop(key, None)
    else:
        table.data[key] = value
    return Record(
        table.changelog_topic.get_topic_name(),
        codecs.dumps("json", key),
        None if value is None else codecs.dumps("json", value),
        partition=partition,
    )
