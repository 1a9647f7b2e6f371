"""Run ingest replicas in tests: in a thread (fast, inspectable) or as a real process (killable)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, TopicPartition

from newsmon.config import NewsmonConfig
from schemas import FeedSpec, RawArticle, decode
from services.ingest.health import FeedHealth
from streambase.kafka import make_consumer
from streambase.settings import KafkaSettings, RuntimeSettings, ServiceSettings
from tests.support import drain, wait_until

REPO = Path(__file__).resolve().parents[3]

FAST = {
    "default_interval": "1s",
    "min_interval": "1s",
    "max_interval": "2s",
    "max_backoff": "2s",
    "replica_timeout": "6s",
    "total_timeout": "5s",
}
"""Polling every second so a test sees several cycles in a few seconds."""
LOOPBACK = {"allow_private_networks": True}
"""The feed server listens on 127.0.0.1, which ingest refuses by default."""


def config(feeds: Sequence[FeedSpec], **ingest: Any) -> NewsmonConfig:
    settings = FAST | LOOPBACK | ingest
    return NewsmonConfig.model_validate({"feeds": [f.model_dump() for f in feeds], "ingest": settings})


class ThreadReplica:
    """An IngestService in a thread of this process."""

    def __init__(self, settings: KafkaSettings, cfg: NewsmonConfig, instance: str) -> None:
        from services.ingest.service import IngestConfig, IngestService

        rt = ServiceSettings(runtime=RuntimeSettings(instance=instance), kafka=settings)
        self.service = IngestService(rt, IngestConfig(cfg.feeds, cfg.ingest))
        self._thread = threading.Thread(target=self.service.run, name=f"replica-{instance}", daemon=True)

    def start(self) -> ThreadReplica:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.service.stop()
        self._thread.join(timeout=60)
        assert not self._thread.is_alive(), "the replica did not stop within 60s"


class ProcessReplica:
    """`newsmon serve ingest` as a child process, configured through a YAML file and NEWSMON_* variables."""

    def __init__(self, settings: KafkaSettings, cfg: NewsmonConfig, instance: str, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{instance}.yaml"
        path.write_text(json.dumps(cfg.model_dump(mode="json", exclude_defaults=True)))  # JSON is YAML
        self.log = directory / f"{instance}.log"
        self.env = os.environ | {
            "NEWSMON_CONFIG": str(path),
            "NEWSMON_KAFKA_BOOTSTRAP": settings.bootstrap,
            "NEWSMON_KAFKA_TOPIC_PREFIX": settings.topic_prefix,
            "NEWSMON_KAFKA_PARTITIONS": str(settings.partitions),
            "NEWSMON_METRICS_PORT": "0",
            "NEWSMON_METRICS_HOST": "127.0.0.1",
            "NEWSMON_INSTANCE": instance,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> ProcessReplica:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "serve", "ingest"],
                env=self.env,
                cwd=REPO,
                stderr=log,
                stdout=log,
            )
        return self

    def metrics_url(self) -> str:
        """Where this replica serves /metrics, /healthz and /readyz (it picked a free port at start)."""
        found = re.search(r"serving /metrics, /healthz and /readyz on port (\d+)", self.log.read_text())
        assert found, "the replica has not started its metrics server yet"
        return f"http://127.0.0.1:{found.group(1)}"

    def kill(self) -> None:
        """Die without a word: no leaving the group, no flush."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> int:
        if self.process is None or self.process.poll() is not None:
            return self.process.returncode if self.process else 0
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(60)


def topic_reader(settings: KafkaSettings, topic: str) -> KafkaConsumer:
    """A consumer of every partition of `topic` from the start, outside any group (no join, no rebalance)."""
    consumer = make_consumer(settings, "ingest-test-reader", None)
    partitions = wait_until(
        lambda: consumer.partitions_for_topic(topic), timeout=30, what=f"partitions of {topic}"
    )
    assigned = [TopicPartition(topic, p) for p in sorted(partitions)]
    consumer.assign(assigned)
    consumer.seek_to_beginning(*assigned)
    return consumer


def articles(consumer: KafkaConsumer, at_least: int, timeout: float = 60.0) -> list[RawArticle]:
    """Articles on the topic: wait until at least `at_least` arrived, then a little longer for extras."""
    records = drain(consumer, at_least, timeout)
    records += drain(consumer, 10**9, 2.0)
    return [decode(RawArticle, r.value) for r in records]


def health(consumer: KafkaConsumer, timeout: float = 5.0) -> dict[str, FeedHealth]:
    """The latest health record of each feed read so far (call repeatedly on one consumer)."""
    latest: dict[str, FeedHealth] = {}
    for record in drain(consumer, 10**9, timeout):
        if record.value is not None:
            item = decode(FeedHealth, record.value)
            latest[item.feed_id] = item
    return latest
