"""Building blocks of end-to-end scenarios: feeds, config files, a deployment's environment, and reading
what the receivers got.

A scenario is a small deployment of its own: a fresh topic prefix on a broker, a config directory with the
shipped taxonomy and rules, a local feed server, a fake Slack webhook and a real SMTP server.
"""

from __future__ import annotations

import shutil
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from prometheus_client.parser import text_string_to_metric_families

from streambase.kafka import create_pipeline_topics
from streambase.settings import KafkaSettings
from tests.conftest import REPO
from tests.e2e.harness import Deployment, ServiceProcess
from tests.servers.slack import FakeSlack, Received
from tests.servers.smtp import SmtpServer

FAST_ALERTING = "alerting: {group_wait: 2s, group_interval: 10m, repeat_interval: 1h}\n"
REPEAT_WORDS = "possible repeat"


@dataclass(frozen=True)
class Item:
    """One feed entry: what an outlet publishes."""

    guid: str
    title: str
    body: str
    published: datetime

    @property
    def link(self) -> str:
        return f"https://{self.guid}"


def rss(outlet: str, items: Iterable[Item]) -> bytes:
    """An RSS 2.0 document; text is XML-escaped as a real outlet's CMS would."""
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        f"<guid>{escape(i.link)}</guid><description>{escape(i.body)}</description>"
        f"<pubDate>{format_datetime(i.published)}</pubDate></item>"
        for i in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{escape(outlet)}</title><link>https://example.org/</link><description>news</description>"
        f"{entries}</channel></rss>"
    ).encode()


def write_config(
    directory: Path,
    feeds: Sequence[tuple[str, str, str]] = (),
    extra: str = "",
    packs: Sequence[str] = (),
) -> Path:
    """newsmon.yaml with the shipped taxonomy and rules, the language packs named (each adds to classify's
    start-up), quick polls and the given (id, outlet, url) feeds."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "config" / "taxonomy.yaml", directory / "taxonomy.yaml")
    shutil.copy(REPO / "config" / "rules.yaml", directory / "rules.yaml")
    if packs:
        (directory / "packs").mkdir(exist_ok=True)
    for language in packs:
        shutil.copy(REPO / "config" / "packs" / f"{language}.yaml", directory / "packs" / f"{language}.yaml")
    lines = [f"- {{id: {fid}, url: '{url}', outlet: '{outlet}', language: en}}" for fid, outlet, url in feeds]
    (directory / "feeds.yaml").write_text("\n".join(lines) + "\n" if lines else "[]\n")
    main = directory / "newsmon.yaml"
    main.write_text(
        "feeds: feeds.yaml\ntaxonomy: taxonomy.yaml\nrules: rules.yaml\n"
        "ingest: {default_interval: 1s, min_interval: 1s, max_interval: 2s, allow_private_networks: true}\n"
        "classify: {window: 60s, window_step: 10s, window_grace: 20s, emit_interval: 1s}\n"
        + (extra or FAST_ALERTING)
    )
    return main


def create_topics(bootstrap: str, prefix: str, partitions: int) -> KafkaSettings:
    settings = KafkaSettings(bootstrap=bootstrap, topic_prefix=prefix, partitions=partitions)
    create_pipeline_topics(settings)
    return settings


def deployment(
    bootstrap: str,
    work: Path,
    config: Path,
    slack: FakeSlack,
    smtp: SmtpServer | None = None,
    partitions: int = 3,
) -> tuple[Deployment, KafkaSettings]:
    """A Deployment on its own topic prefix (topics created up front), sending to `slack` and `smtp`."""
    prefix = f"e2e-{uuid.uuid4().hex[:8]}."
    settings = create_topics(bootstrap, prefix, partitions)
    env = {
        "NEWSMON_KAFKA_BOOTSTRAP": bootstrap,
        "NEWSMON_KAFKA_TOPIC_PREFIX": prefix,
        "NEWSMON_KAFKA_PARTITIONS": str(partitions),
        "NEWSMON_CONFIG": str(config),
        "NEWSMON_STATE_DIR": str(work / "var"),
        "NEWSMON_METRICS_HOST": "127.0.0.1",
        "NEWSMON_SLACK_WEBHOOK_URL": slack.url,
    }
    if smtp is not None:
        env |= {
            "NEWSMON_SMTP_HOST": "127.0.0.1",
            "NEWSMON_SMTP_PORT": str(smtp.port),
            "NEWSMON_SMTP_SECURITY": "none",
            "NEWSMON_SMTP_RECIPIENTS": "desk@newsroom.example",
        }
    return Deployment.create(work / "logs", **env), settings


def wait_ready(process: ServiceProcess, timeout: float = 150) -> None:
    """Until the service answers /readyz with 200; fails early, with its log, when it exits."""
    url = f"http://127.0.0.1:{process.metrics_port}/readyz"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not process.running:
            raise AssertionError(f"{process.name} exited\n{process.log()}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except (OSError, urllib.error.HTTPError):
            time.sleep(0.2)
    raise AssertionError(f"{process.name} not ready within {timeout:.0f}s\n{process.log()}")


def samples(process: ServiceProcess, name: str) -> list[tuple[dict[str, str], float]]:
    """Current samples of one metric of a running service: (labels, value)."""
    with urllib.request.urlopen(process.metrics_url, timeout=5) as response:
        text = response.read().decode()
    return [
        (sample.labels, sample.value)
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == name
    ]


@dataclass(frozen=True)
class SlackMessage:
    """One delivered webhook post, read back: rule id, header and every mrkdwn text."""

    rule: str
    header: str
    text: str
    at: float

    @classmethod
    def parse(cls, received: Received) -> SlackMessage:
        payload: dict[str, Any] = received.json
        texts: list[str] = [payload.get("text", "")]
        header = ""
        for block in payload.get("blocks", []):
            if block["type"] == "header":
                header = block["text"]["text"]
            if "text" in block and block["type"] != "header":
                texts.append(block["text"]["text"])
            texts += [f["text"] for f in block.get("fields", [])]
            texts += [e["text"] for e in block.get("elements", [])]
        rule = next((t.split("rule `", 1)[1].split("`", 1)[0] for t in texts if "rule `" in t), "")
        return cls(rule, header, "\n".join(texts), received.at)


def slack_messages(slack: FakeSlack) -> list[SlackMessage]:
    return [SlackMessage.parse(r) for r in slack.delivered]


def by_rule(messages: Iterable[SlackMessage]) -> dict[str, list[SlackMessage]]:
    grouped: dict[str, list[SlackMessage]] = {}
    for message in messages:
        grouped.setdefault(message.rule, []).append(message)
    return grouped


def article_links(text: str) -> set[str]:
    """The article URLs a Slack message links (`<url|title>`), dates and mentions left out."""
    return {part.split("|", 1)[0] for part in text.split("<")[1:] if part.startswith("https://")}


def notified_urls(slack: FakeSlack, marked: bool | None = None) -> list[str]:
    """Every article link in every delivered Slack message, once per message that carried it; only those
    of messages marked as possible repeats (`marked=True`) or only of the others (`False`)."""
    return [
        url
        for received in slack.delivered
        if marked is None or marked_repeat(received) == marked
        for url in article_links(SlackMessage.parse(received).text)
    ]


def marked_repeat(received: Received) -> bool:
    """Whether a delivered message says it may repeat an earlier one: in its text and in its first block
    (the headline), as the alert service marks a re-send after a crash between the 200 and its record."""
    payload: dict[str, Any] = received.json
    blocks = payload.get("blocks") or [{"text": {"text": payload.get("text", "")}}]
    first = blocks[0].get("text", {}).get("text", "")
    return REPEAT_WORDS in payload.get("text", "") and REPEAT_WORDS in first
