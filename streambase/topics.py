"""The pipeline's topics: names, keys, schemas, partitions and retention, and how they are created."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import InvalidPartitionsError, TopicAlreadyExistsError

from schemas import (
    Acknowledgement,
    Alert,
    ClassifiedArticle,
    DeadLetter,
    DeliveryRecord,
    FeedHealth,
    FeedSpec,
    Message,
    RawArticle,
    SeenArticle,
    Silence,
    TrendWindow,
)
from streambase.settings import KafkaSettings

log = logging.getLogger(__name__)

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    role: str
    key: str
    value: type[Message]
    retention_ms: int | None
    compacted: bool
    purpose: str

    def name(self, prefix: str) -> str:
        return prefix + self.role

    def configs(self) -> dict[str, str]:
        """Topic configs: a compacted topic with a retention is compacted and also cut by age, so that
        keys nobody deletes cannot make it grow for ever."""
        if self.compacted:
            policy = "compact,delete" if self.retention_ms is not None else "compact"
        else:
            policy = "delete"
        configs = {"cleanup.policy": policy}
        if self.retention_ms is not None:
            configs["retention.ms"] = str(self.retention_ms)
        if self.compacted:
            configs["min.cleanable.dirty.ratio"] = "0.1"
            configs["segment.ms"] = str(DAY_MS)
        return configs


FEEDS = TopicSpec("feeds", "feed id", FeedSpec, None, True, "Feed list shared out among ingest replicas")
SEEN = TopicSpec(
    "ingest.seen", "article id", SeenArticle, 35 * DAY_MS, True, "Article ids already produced (35 days)"
)
FEED_HEALTH = TopicSpec("ingest.health", "feed id", FeedHealth, None, True, "Last poll of each feed")
ARTICLES = TopicSpec("articles.raw", "article id", RawArticle, 7 * DAY_MS, False, "Normalised articles")
CLASSIFIED = TopicSpec(
    "articles.classified", "article id", ClassifiedArticle, 7 * DAY_MS, False, "Articles with their tags"
)
TRENDS = TopicSpec(
    "trends", "topic id", TrendWindow, 7 * DAY_MS, False, "Hopping-window aggregates per topic"
)
ALERTS = TopicSpec("alerts", "alert fingerprint", Alert, 30 * DAY_MS, False, "Alerts fired by rules")
DELIVERY = TopicSpec(
    "alerts.delivery", "notification id", DeliveryRecord, 31 * DAY_MS, True, "What went where (31 days)"
)
SILENCES = TopicSpec("silences", "silence id", Silence, None, True, "Silences shared by every alert replica")
ACKS = TopicSpec("acks", "situation", Acknowledgement, 31 * DAY_MS, True, "Acknowledged situations (31 days)")
DEADLETTER = TopicSpec("deadletter", "original key", DeadLetter, 14 * DAY_MS, False, "Unusable messages")

PIPELINE = (
    FEEDS,
    SEEN,
    FEED_HEALTH,
    ARTICLES,
    CLASSIFIED,
    TRENDS,
    ALERTS,
    DELIVERY,
    SILENCES,
    ACKS,
    DEADLETTER,
)


@dataclass(frozen=True)
class Topics:
    """Topic names of one deployment; the prefix keeps deployments (and tests) apart on one broker."""

    prefix: str = "newsmon."

    @classmethod
    def from_settings(cls, settings: KafkaSettings) -> Topics:
        return cls(settings.topic_prefix)

    def all(self) -> dict[str, TopicSpec]:
        return {spec.name(self.prefix): spec for spec in PIPELINE}

    @property
    def feeds(self) -> str:
        return FEEDS.name(self.prefix)

    @property
    def seen(self) -> str:
        return SEEN.name(self.prefix)

    @property
    def feed_health(self) -> str:
        return FEED_HEALTH.name(self.prefix)

    @property
    def articles(self) -> str:
        return ARTICLES.name(self.prefix)

    @property
    def classified(self) -> str:
        return CLASSIFIED.name(self.prefix)

    @property
    def trends(self) -> str:
        return TRENDS.name(self.prefix)

    @property
    def alerts(self) -> str:
        return ALERTS.name(self.prefix)

    @property
    def delivery(self) -> str:
        return DELIVERY.name(self.prefix)

    @property
    def silences(self) -> str:
        return SILENCES.name(self.prefix)

    @property
    def acks(self) -> str:
        return ACKS.name(self.prefix)

    @property
    def deadletter(self) -> str:
        return DEADLETTER.name(self.prefix)


def ensure_topics(admin: KafkaAdminClient, settings: KafkaSettings) -> list[str]:
    """Create missing pipeline topics and grow any with fewer partitions than configured; return created."""
    wanted = Topics.from_settings(settings).all()
    existing = set(admin.list_topics())
    missing = [
        NewTopic(name, settings.partitions, settings.replication_factor, topic_configs=spec.configs())
        for name, spec in wanted.items()
        if name not in existing
    ]
    created = []
    if missing:
        try:
            admin.create_topics(missing, timeout_ms=30_000, wait_for_metadata=True)
            created = [t.name for t in missing]
        except TopicAlreadyExistsError:
            created = []  # another replica created them at the same moment
    _grow_partitions(admin, [n for n in wanted if n in existing], settings.partitions)
    _align_retention(admin, {n: spec for n, spec in wanted.items() if n in existing})
    for name in created:
        log.info("created topic %s (%d partitions)", name, settings.partitions)
    return created


def _grow_partitions(admin: KafkaAdminClient, names: list[str], partitions: int) -> None:
    if not names:
        return
    described = admin.describe_topics(names)
    grow = {
        t["name"]: NewPartitions(partitions)
        for t in described
        if not t.get("error_code") and len(t["partitions"]) < partitions
    }
    if not grow:
        return
    try:
        admin.create_partitions(grow)
    except InvalidPartitionsError as exc:
        # Another replica grew them first, or the metadata we read was stale: they have enough already.
        log.info("partitions not raised: %s", exc)
        return
    log.info("raised partitions to %d on %s", partitions, ", ".join(sorted(grow)))


RETENTION_KEYS = ("cleanup.policy", "retention.ms")


def _align_retention(admin: KafkaAdminClient, specs: dict[str, TopicSpec]) -> None:
    """Give topics created by an older release the cleanup policy and retention of this one, so that a
    compacted topic that gained a retention stops growing without anyone recreating it."""
    if not specs:
        return
    resources = [ConfigResource(ConfigResourceType.TOPIC, name) for name in specs]
    current = admin.describe_configs(resources).get("topic", {})
    changes = []
    for name, spec in specs.items():
        wanted = {k: v for k, v in spec.configs().items() if k in RETENTION_KEYS}
        found = current.get(name, {})
        differ = {k: v for k, v in wanted.items() if found.get(k, {}).get("value") != v}
        if differ:
            changes.append(ConfigResource(ConfigResourceType.TOPIC, name, configs=differ))
    if changes:
        admin.alter_configs(changes)
        log.info("aligned cleanup policy and retention of %s", ", ".join(c.name for c in changes))
