"""`newsmon serve classify`: one Faust worker running the classify stream until SIGTERM or Ctrl-C.

Start as many replicas as the articles topic has partitions; they share the partitions as one consumer
group and hand tables over through their changelog topics.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import faust
from aiokafka.errors import KafkaConnectionError
from prometheus_client import REGISTRY, CollectorRegistry

from services.classify.agents import ClassifyStream, StreamLimits
from services.classify.app import make_app
from services.classify.config import ClassifyOptions
from services.classify.handling import ArticleClassifier
from services.classify.metrics import ClassifyMetrics
from services.classify.taxonomy import Taxonomy
from streambase.broker import stopped_by_signals, wait_for_broker
from streambase.clock import Clock, SystemClock
from streambase.health import HealthServer
from streambase.heap import settle_after_start
from streambase.metrics import ready_gauge
from streambase.settings import DeadLetterLimit, KafkaSettings, ServiceSettings
from streambase.topics import Topics

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ClassifyService:
    app: faust.App
    stream: ClassifyStream
    metrics: ClassifyMetrics


def build(
    kafka: KafkaSettings,
    options: ClassifyOptions,
    classifier: ArticleClassifier,
    instance: str,
    state_dir: Path,
    clock: Clock | None = None,
    registry: CollectorRegistry = REGISTRY,
    deadletter: DeadLetterLimit | None = None,
) -> ClassifyService:
    """Wire the app, its agents and its metrics; nothing connects to Kafka until the worker starts."""
    app = make_app(kafka, options, state_dir)
    metrics = ClassifyMetrics(registry)
    metrics.publish_build_info(instance)
    stream = ClassifyStream(
        app,
        Topics.from_settings(kafka),
        kafka.partitions,
        options,
        classifier,
        metrics,
        clock or SystemClock(),
        StreamLimits(kafka.max_record_bytes, deadletter or DeadLetterLimit.model_construct()),
    )
    return ClassifyService(app, stream, metrics)


class _Worker(faust.Worker):
    """Faust's worker, noting when the broker went away while it started: after `wait_for_broker` saw it
    but before Faust's own clients connected (a broker restart can fall in between). Faust would log a
    traceback and exit with status 1; this worker stops quietly and `serve` starts over instead."""

    broker_lost_at_start = False
    _started_up = False

    async def on_startup_finished(self) -> None:
        self._started_up = True
        await super().on_startup_finished()

    async def start(self) -> None:
        try:
            await super().start()
        except KafkaConnectionError as exc:
            if self._started_up:
                raise
            self.broker_lost_at_start = True
            log.warning("Kafka went away while the worker started (%s); starting over", exc)
            raise asyncio.CancelledError from None  # Faust's worker then stops without a traceback


def run_worker(app: faust.App) -> bool:
    """Run a Faust worker in this thread until a signal stops it; Faust commits and closes on the way out.
    True when it stopped because the broker went away while it started."""
    worker = _Worker(app, quiet=True, loglevel=None, override_logging=False, redirect_stdouts=False)
    worker.spinner = None  # a terminal spinner has no place in a service's log
    try:
        worker.execute_from_commandline()
    except SystemExit as exc:
        if exc.code not in (0, None):
            raise
    if worker.broker_lost_at_start:
        worker.loop.close()  # nothing runs on it any more: this process starts over
    return worker.broker_lost_at_start


def start_over() -> None:
    """Replace this process with a fresh one of the same command (same pid): Faust's app and event loop
    cannot be started twice, and the new process begins by waiting for Kafka again."""
    os.execv(sys.executable, [sys.executable, *sys.orig_argv[1:]])  # noqa: S606 (our own interpreter and command)


def serve(
    rt: ServiceSettings, options: ClassifyOptions, classifier: ArticleClassifier, metrics_port: int
) -> None:
    """Wait for the broker and the topics, serve health and metrics, run the stream until stopped."""
    kafka, instance = rt.kafka, rt.instance
    with stopped_by_signals() as stop:
        if not wait_for_broker(kafka, "newsmon-classify-admin", stop):
            return
    service = build(kafka, options, classifier, instance, rt.runtime.state_dir, deadletter=rt.deadletter)
    ready_gauge("classify", service.stream.ready, service.metrics.registry)
    health = HealthServer(rt.runtime.metrics_host, metrics_port, service.stream.ready).start()
    log.info(
        "classify %s: classifier %s (%s engine; rules for %s), windows of %s every %s, %d partitions",
        instance,
        classifier.version,
        classifier.build,
        ", ".join(sorted(classifier.languages)),
        options.window,
        options.window_step,
        kafka.partitions,
    )
    settle_after_start()
    try:
        lost = run_worker(service.app)
    finally:
        health.stop()
        log.info("classify %s stopped", instance)
    if lost:
        start_over()


@dataclass(frozen=True)
class ClassifyConfig:
    """The part of the configuration classify reads: its options and the taxonomy."""

    classify: ClassifyOptions
    taxonomy: Taxonomy
    packs: dict[str, Taxonomy] = field(default_factory=dict)
    """The taxonomy of each language with a pack, merged with `taxonomy` (see `packs.load_packs`)."""


def load_classifier(config: ClassifyConfig) -> ArticleClassifier:
    """The pure engine compiled from the configured taxonomy and language packs, all of them now: a pack
    compiled on its first article would hold up that batch (a second or two for Arabic or Hebrew)."""
    from services.classify.multilingual import MultilingualClassifier  # the engine is heavy to import

    started = time.perf_counter()
    classifier = MultilingualClassifier(config.taxonomy, config.packs)
    log.info(
        "classifier compiled in %.1f s (%d language packs)", time.perf_counter() - started, len(config.packs)
    )
    return classifier


def main(rt: ServiceSettings, config: ClassifyConfig, metrics_port: int) -> None:
    serve(rt, config.classify, load_classifier(config), metrics_port)
