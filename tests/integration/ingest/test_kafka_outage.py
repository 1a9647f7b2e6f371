"""Kafka goes away while feeds keep publishing: articles wait in memory and are produced when it is back.

Uses a broker of its own (started and stopped here, on free ports, data under the test's tmp dir), never the
shared test broker, and runs the replica as a process (`newsmon serve ingest`), watched through /metrics.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.ingest.replicas import ProcessReplica, articles, config, topic_reader
from tests.integration.ingest.test_service import assert_once, feed
from tests.servers.http_feeds import FeedServer
from tests.support import wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

LOCAL_KAFKA = Path(__file__).resolve().parents[3] / "deploy" / "kafka" / "local.sh"


def _free_port_pair() -> int:
    """Two free neighbouring ports below the ephemeral range, so no client socket takes one meanwhile."""
    rng = random.Random()
    for _ in range(100):
        port = rng.randrange(20_000, 30_000, 2)
        try:
            for candidate in (port, port + 1):
                with socket.socket() as probe:
                    probe.bind(("127.0.0.1", candidate))
        except OSError:
            continue
        return port
    raise RuntimeError("no two free neighbouring ports")


class OwnBroker:
    def __init__(self, state: Path) -> None:
        self.port = _free_port_pair()
        self.env = os.environ | {
            "NEWSMON_KAFKA_PORT": str(self.port),
            "NEWSMON_KAFKA_STATE_DIR": str(state),
            "NEWSMON_KAFKA_HEAP": "384m",
        }

    def __call__(self, command: str) -> None:
        done = subprocess.run(
            ["bash", str(LOCAL_KAFKA), command], env=self.env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"local.sh {command} failed:\n{done.stderr}"


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[OwnBroker]:
    broker = OwnBroker(tmp_path / "kafka")
    broker("start")
    try:
        yield broker
    finally:
        broker("stop")


def scrape(replica: ProcessReplica) -> dict[str, float]:
    """The replica's ingest metrics, summed over labels: name -> value; empty while it is starting."""
    try:
        text = urllib.request.urlopen(replica.metrics_url() + "/metrics", timeout=10).read().decode()
    except (AssertionError, OSError):
        return {}
    totals: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            totals[sample.name] = totals.get(sample.name, 0.0) + sample.value
    return totals


def test_articles_found_while_kafka_is_down_are_produced_when_it_is_back(
    feed_server: FeedServer, own_broker: OwnBroker, tmp_path: Path
) -> None:
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{own_broker.port}", topic_prefix="outage.", partitions=2)
    topics = Topics.from_settings(settings)
    feeds = [feed(feed_server, "steady", range(2))]
    replica = ProcessReplica(settings, config(feeds), "outage", tmp_path).start()
    try:
        wait_until(
            lambda: scrape(replica).get("newsmon_ingest_articles_produced_total") == 2, timeout=90, what="2"
        )
        own_broker("stop")
        feed(feed_server, "steady", range(5))  # three new stories while the broker is away
        wait_until(
            lambda: scrape(replica).get("newsmon_ingest_pending_articles") == 3, timeout=30, what="3 kept"
        )
        wait_until(
            lambda: scrape(replica).get("newsmon_ingest_produce_errors_total", 0) > 0,
            timeout=60,
            what="a failed produce attempt",
        )
        own_broker("start")
        wait_until(
            lambda: scrape(replica).get("newsmon_ingest_pending_articles") == 0, timeout=120, what="sent"
        )
        assert scrape(replica).get("newsmon_ingest_articles_produced_total") == 5
    finally:
        code = replica.stop()
    assert code == 0, (tmp_path / "outage.log").read_text()[-3000:]
    reader = topic_reader(settings, topics.articles)
    try:
        produced = articles(reader, 5, timeout=30)
    finally:
        reader.close()
    assert_once(produced)
    assert sorted(a.title for a in produced) == [f"steady story {i}" for i in range(5)]
