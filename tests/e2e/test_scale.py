"""Scale out: two classify workers and two alert instances share the work, and the result is the one a single
instance of each produces from the same articles: the same classifications, the same alerts, the same
notifications, each once.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemas import Alert, ClassifiedArticle, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.e2e.harness import Deployment, ServiceProcess
from tests.e2e.scenario import deployment, notified_urls, samples, wait_ready, write_config
from tests.e2e.stream import ArticleStream, keys_on, records_on
from tests.servers.slack import FakeSlack
from tests.support import remove_topics, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

PARTITIONS = 4
ALERTING = "alerting: {group_wait: 1s, group_interval: 1s, repeat_interval: 1h}\n"
COUNT, RATE, ALERT_EVERY = 1200, 200, 60
SHARED = {"classify": "articles.raw", "alert": "alerts"}
"""The topic each service's instances split between them. (Every alert replica's rule stage reads all
classified articles and trend windows, by design; the notify stage, which delivers, is what scales out.)"""


@dataclass(frozen=True)
class Outcome:
    classified: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]
    """Article id -> (topics, signal ids)."""
    alert_ids: frozenset[str]
    notified: tuple[str, ...]
    owned: dict[str, list[set[int]]]
    """Service -> the partitions of its shared topic each instance owns, one set per instance."""


def owned_partitions(process: ServiceProcess) -> set[int]:
    """Partitions of the service's shared topic this instance reports consumer lag for: those it owns."""
    lag = samples(process, f"newsmon_{process.service}_consumer_lag_messages")
    shared = SHARED[process.service]
    return {int(labels["partition"]) for labels, _ in lag if labels["topic"].split(".", 1)[1] == shared}


def run_pipeline(bootstrap: str, work: Path, instances: int, run: str) -> Outcome:
    slack = FakeSlack().start()
    config = write_config(work / "config", extra=ALERTING)
    deploy, settings = deployment(bootstrap, work, config, slack, partitions=PARTITIONS)
    try:
        for process in deploy.start(*["classify", "alert"] * instances):
            wait_ready(process)
        stream = ArticleStream(settings, COUNT, RATE, ALERT_EVERY, run=run).start()
        stream.join(timeout=60)
        return collect(deploy, settings, slack, stream)
    finally:
        deploy.stop_all()
        slack.stop()
        remove_topics(settings)


def collect(deploy: Deployment, settings: KafkaSettings, slack: FakeSlack, stream: ArticleStream) -> Outcome:
    topics = Topics.from_settings(settings)
    missing = stream.ids - keys_on(settings, topics.classified, stream.ids, 120)
    assert not missing, f"{len(missing)} never classified\n{deploy.logs()}"
    wait_until(
        lambda: stream.alert_urls <= set(notified_urls(slack)),
        timeout=120,
        interval=0.5,
        what="every alert notified",
        context=lambda: f"missing: {sorted(stream.alert_urls - set(notified_urls(slack)))}\n{deploy.logs()}",
    )
    time.sleep(3)  # lag gauges refresh, and a duplicate would arrive
    classified = {}
    for record in records_on(settings, topics.classified, lambda r: False, 5):
        article = decode(ClassifiedArticle, record.value)
        classified[article.id] = (article.topics, tuple(sorted(s.id for s in article.signals)))
    alerts = records_on(settings, topics.alerts, lambda r: False, 3)
    owned: dict[str, list[set[int]]] = {}
    for process in deploy.processes:
        owned.setdefault(process.service, []).append(owned_partitions(process))
    return Outcome(
        classified,
        frozenset(decode(Alert, r.value).id for r in alerts),
        tuple(sorted(notified_urls(slack))),
        owned,
    )


def test_two_classify_workers_and_two_alert_instances_share_partitions_and_match_one_instance(
    kafka_bootstrap: str, tmp_path: Path
) -> None:
    run = uuid.uuid4().hex[:8]
    single = run_pipeline(kafka_bootstrap, tmp_path / "one", 1, run)
    double = run_pipeline(kafka_bootstrap, tmp_path / "two", 2, run)

    for service in ("classify", "alert"):
        first, second = double.owned[service]
        assert first, f"the first {service} instance got no partition"
        assert second, f"the second {service} instance got no partition"
        assert not first & second, f"{service} instances share partitions: {first & second}"
        assert first | second == single.owned[service][0] == set(range(PARTITIONS))

    assert double.classified == single.classified
    assert len(single.classified) == COUNT
    assert double.alert_ids == single.alert_ids
    assert len(single.alert_ids) == COUNT // ALERT_EVERY
    assert double.notified == single.notified
    assert len(set(double.notified)) == len(double.notified) == COUNT // ALERT_EVERY
