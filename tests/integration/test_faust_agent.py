"""A real Faust worker process consumes from and produces to the real broker."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from streambase.kafka import send_and_wait
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.test_kafka_roundtrip import article
from tests.support import drain


def test_a_faust_agent_validates_and_echoes_articles(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    unique_name: Callable[[str], str],
    repo: Path,
    tmp_path: Path,
) -> None:
    env = os.environ | {
        "ECHO_APP_ID": unique_name("echo"),
        "ECHO_BOOTSTRAP": kafka_settings.bootstrap,
        "ECHO_SOURCE": topics.articles,
        "ECHO_SINK": topics.classified,
        "ECHO_DATADIR": str(tmp_path / "faust-data"),
    }
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen(
        [sys.executable, "-m", "faust", "-A", "tests.integration.faust_echo_app", "worker", "-l", "info"],
        cwd=repo,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        producer = producer_factory()
        for n in range(5):
            send_and_wait(producer, topics.articles, f"article-{n:04d}", article(n))
        producer.send(topics.articles, key=b"bad", value=b"not json").get(timeout=10)
        records = drain(consumer_factory(topics.classified), 6, timeout=90)
        echoed = {r.key: r.value for r in records}
        assert echoed == {f"article-{n:04d}".encode(): f"Headline {n}".encode() for n in range(5)} | {
            b"invalid": b"invalid_json"
        }, (tmp_path / "worker.log").read_text()[-3000:]
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(30)
        log.close()
