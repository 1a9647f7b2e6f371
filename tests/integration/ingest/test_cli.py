"""Operator commands against the real feed server and the real broker."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from kafka import KafkaConsumer

from newsmon.cli import cli
from schemas import FeedSpec
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.ingest.replicas import ThreadReplica, config, health
from tests.integration.ingest.test_service import feed, rss
from tests.servers.http_feeds import FeedServer
from tests.support import wait_until

pytestmark = pytest.mark.kafka


def env(settings: KafkaSettings, config_path: Path) -> dict[str, str]:
    return {
        "NEWSMON_KAFKA_BOOTSTRAP": settings.bootstrap,
        "NEWSMON_KAFKA_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSMON_KAFKA_PARTITIONS": str(settings.partitions),
        "NEWSMON_CONFIG": str(config_path),
    }


@pytest.fixture
def loopback(tmp_path: Path) -> dict[str, str]:
    """The environment of a parse-feed run whose config lets it fetch from the feed server on 127.0.0.1."""
    path = tmp_path / "newsmon.yaml"
    path.write_text("ingest: {allow_private_networks: true}\n")
    return {"NEWSMON_CONFIG": str(path)}


def test_parse_feed_fetches_a_url_through_the_service_fetcher(
    feed_server: FeedServer, loopback: dict[str, str]
) -> None:
    feed_server.add("/feed.xml", rss("cli", range(3)), gzip=True)
    url = feed_server.redirect("/old.xml", "/feed.xml", code=301)
    result = CliRunner().invoke(cli, ["parse-feed", url, "--feed-id", "cli-test"], env=loopback)
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["title"] for a in lines] == ["cli story 0", "cli story 1", "cli story 2"]
    assert {a["feed_id"] for a in lines} == {"cli-test"}
    assert "redirected 1 time(s)" in result.stderr


def test_parse_feed_reports_a_failing_url_and_exits_1(
    feed_server: FeedServer, loopback: dict[str, str]
) -> None:
    result = CliRunner().invoke(cli, ["parse-feed", feed_server.redirect_loop("/loop")], env=loopback)
    assert result.exit_code == 1
    assert "more than 5 redirects" in result.output


def test_feeds_status_shows_what_the_replicas_reported(
    feed_server: FeedServer,
    kafka_settings: KafkaSettings,
    topics: Topics,
    reader: Callable[[str], KafkaConsumer],
    tmp_path: Path,
) -> None:
    feeds = [
        feed(feed_server, "fine", range(2)),
        FeedSpec(id="down", url=feed_server.status("/down", 500), outlet="Down"),
    ]
    cfg = config(feeds)
    path = tmp_path / "newsmon.yaml"
    path.write_text(json.dumps(cfg.model_dump(mode="json", exclude_defaults=True)))
    status = reader(topics.feed_health)
    replica = ThreadReplica(kafka_settings, cfg, "status-test").start()
    try:
        reported: dict[str, object] = {}
        wait_until(
            lambda: reported.update(health(status, 1)) or len(reported) == 2, timeout=60, what="health"
        )
    finally:
        replica.stop()
    result = CliRunner().invoke(cli, ["feeds", "status"], env=env(kafka_settings, path))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FEED")
    assert lines[1].startswith("down")
    assert "http_error" in lines[1]
    assert "HTTP 500" in lines[1]
    assert lines[2].startswith("fine")
    assert " ok " in lines[2] or " not_modified " in lines[2]
    assert "status-test" in lines[2]
    as_json = CliRunner().invoke(
        cli, ["feeds", "status", "--json", "--failing"], env=env(kafka_settings, path)
    )
    assert [json.loads(line)["feed_id"] for line in as_json.stdout.splitlines()] == ["down"]


def test_feeds_publish_writes_only_the_changes(
    feed_server: FeedServer, kafka_settings: KafkaSettings, tmp_path: Path
) -> None:
    path = tmp_path / "newsmon.yaml"
    feeds = [feed(feed_server, "one", range(1)), feed(feed_server, "two", range(1))]
    path.write_text(json.dumps(config(feeds).model_dump(mode="json", exclude_defaults=True)))
    first = CliRunner().invoke(cli, ["feeds", "publish"], env=env(kafka_settings, path))
    assert first.exit_code == 0, first.output
    assert "2 added or changed, 0 removed" in first.stdout
    path.write_text(json.dumps(config(feeds[:1]).model_dump(mode="json", exclude_defaults=True)))
    second = CliRunner().invoke(cli, ["feeds", "publish"], env=env(kafka_settings, path))
    assert "0 added or changed, 1 removed" in second.stdout
