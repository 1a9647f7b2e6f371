"""The ingest service against a real local HTTP server and the real local Kafka broker."""

from __future__ import annotations

import urllib.request
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer

from schemas import FeedSpec, RawArticle, decode
from services.ingest import metrics
from services.ingest.health import FeedHealth
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.feed_fixtures import FEEDS, expected
from tests.integration.ingest.replicas import ProcessReplica, ThreadReplica, articles, config, health
from tests.servers.http_feeds import FeedServer
from tests.support import drain, wait_until

pytestmark = pytest.mark.kafka

Reader = Callable[[str], KafkaConsumer]


def rss(name: str, items: range) -> bytes:
    entries = "".join(
        f"<item><title>{name} story {i}</title><link>https://example.org/{name}/{i}?utm_source=rss</link>"
        f"<guid>{name}-{i}</guid><description>&lt;p&gt;Report {i} from {name}.&lt;/p&gt;</description></item>"
        for i in items
    )
    channel = f"<channel><title>{name}</title>{entries}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'.encode()


def feed(server: FeedServer, name: str, items: range, **kw: object) -> FeedSpec:
    url = server.add(f"/{name}.xml", rss(name, items), etag=f'"{name}-{items.stop}"', **kw)  # type: ignore[arg-type]
    return FeedSpec(id=name, url=url, outlet=f"Outlet {name}", tags=("test",))


def assert_once(found: list[RawArticle]) -> None:
    ids = [a.id for a in found]
    assert len(ids) == len(set(ids)), f"duplicates on the topic: {sorted(i for i in ids if ids.count(i) > 1)}"


def test_each_article_reaches_the_topic_once_across_a_restart(
    feed_server: FeedServer, kafka_settings: KafkaSettings, topics: Topics, reader: Reader
) -> None:
    feeds = [feed(feed_server, "alpha", range(3)), feed(feed_server, "beta", range(2))]
    news = reader(topics.articles)
    first = ThreadReplica(kafka_settings, config(feeds), "first").start()
    try:
        produced = articles(news, 5)
    finally:
        first.stop()
    assert sorted(a.title for a in produced) == sorted(
        ["alpha story 0", "alpha story 1", "alpha story 2", "beta story 0", "beta story 1"]
    )
    assert produced[0].source.startswith("Outlet ")
    assert produced[0].url is not None
    assert "utm_source" not in produced[0].url

    feeds[0] = feed(feed_server, "alpha", range(4))  # one new story; the old ones are still in the feed
    second = ThreadReplica(kafka_settings, config(feeds), "second").start()
    try:
        produced += articles(news, 1)
        wait_until(lambda: feed_server.hits("/beta.xml") >= 3, timeout=30, what="beta polled after restart")
        produced += articles(news, 0, timeout=3)
    finally:
        second.stop()
    assert_once(produced)
    assert len(produced) == 6


def test_a_second_poll_is_a_conditional_get_answered_with_304(
    feed_server: FeedServer, kafka_settings: KafkaSettings, topics: Topics, reader: Reader
) -> None:
    feeds = [feed(feed_server, "gamma", range(2))]
    before = metrics.POLLS.labels(feed="gamma", outcome="not_modified")._value.get()
    replica = ThreadReplica(kafka_settings, config(feeds), "solo").start()
    try:
        wait_until(
            lambda: metrics.POLLS.labels(feed="gamma", outcome="not_modified")._value.get() >= before + 2,
            timeout=30,
            what="two polls answered 304 and counted",  # the server sees a poll before ingest counts it
        )
    finally:
        replica.stop()
    conditional = [r for r in feed_server.requests if r.path == "/gamma.xml"][1:]
    assert len(conditional) >= 2
    assert all(r.headers.get("If-None-Match") == '"gamma-2"' for r in conditional)
    assert len(articles(reader(topics.articles), 2)) == 2


BAD_FEEDS: dict[str, tuple[str, Callable[[FeedServer], str]]] = {
    "html": (
        "not_a_feed",
        lambda s: s.add("/html", b"<!DOCTYPE html><html><body>hi</body></html>", content_type="text/html"),
    ),
    "huge": ("too_large", lambda s: s.huge("/huge", 3_000_000)),
    "drip": ("timeout", lambda s: s.drip("/drip", rss("drip", range(3)), interval=1.0)),
    "loop": ("http_error", lambda s: s.redirect_loop("/loop")),
    "gone": ("http_error", lambda s: s.status("/gone", 410)),
    "busy": ("http_error", lambda s: s.status("/busy", 503, retry_after="3600")),
    "junk": ("parse_error", lambda s: s.add("/junk", b"\x00\x01 this is not xml at all")),
    "refused": ("connection_error", lambda s: "http://127.0.0.1:9/feed.xml"),
}


def serve_fixtures(server: FeedServer) -> dict[str, tuple[FeedSpec, bytes]]:
    """Every file of tests/fixtures/feeds (entity bomb, external entity, wrong encodings, bad dates, no links,
    duplicate GUIDs, malformed XML, an HTML page...) as a feed, with its bytes; no charset in the headers, so
    the file's own declaration (or its lack) is what the service meets."""
    served = {}
    for path in sorted(FEEDS.iterdir()):
        name = path.stem
        kind = "text/html" if path.suffix == ".html" else "application/xml"
        url = server.add(f"/fixture/{path.name}", path.read_bytes(), content_type=kind)
        served[name] = (FeedSpec(id=name, url=url, outlet=f"Fixture {name}"), path.read_bytes())
    return served


def test_bad_feeds_are_reported_and_the_service_keeps_running(
    feed_server: FeedServer, kafka_settings: KafkaSettings, topics: Topics, reader: Reader
) -> None:
    fixtures = serve_fixtures(feed_server)
    feeds = [feed(feed_server, "good", range(2)), *(spec for spec, _ in fixtures.values())]
    feeds += [FeedSpec(id=name, url=make(feed_server), outlet=name) for name, (_, make) in BAD_FEEDS.items()]
    status = reader(topics.feed_health)
    replica = ThreadReplica(
        kafka_settings,
        # the fixtures' entries are dated years back: a long retention keeps them news
        config(feeds, max_body_bytes=1_000_000, total_timeout="3s", max_backoff="1h", seen_retention="3650d"),
        "bad-input",
    ).start()
    try:
        seen: dict[str, object] = {}

        def all_reported() -> bool:
            seen.update(health(status, timeout=1))
            return len(seen) == len(feeds)

        try:
            wait_until(all_reported, timeout=90, what="a health record for every feed")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; missing: {sorted({f.id for f in feeds} - set(seen))}") from None
        good_hits = feed_server.hits("/good.xml")
        wait_until(lambda: feed_server.hits("/good.xml") > good_hits, timeout=30, what="polling goes on")
    finally:
        replica.stop()
    latest = {k: v for k, v in seen.items()}
    for name, (outcome, _) in BAD_FEEDS.items():
        record = latest[name]
        assert record.last_outcome == outcome, (name, record)  # type: ignore[attr-defined]
        assert record.consecutive_failures >= 1  # type: ignore[attr-defined]
        assert record.last_error  # type: ignore[attr-defined]
    assert latest["busy"].last_status == 503  # type: ignore[attr-defined]
    for name, (_, data) in fixtures.items():
        assert latest[name].last_outcome == expected(data, "outcome"), name  # type: ignore[attr-defined]
    wanted = Counter({name: int(expected(data, "articles")) for name, (_, data) in fixtures.items()})
    wanted["good"] = 2
    produced = articles(reader(topics.articles), wanted.total())
    assert Counter(a.feed_id for a in produced) == +wanted
    assert_once(produced)
    assert feed_server.hits("/busy") == 1  # Retry-After: 3600 is honoured


def test_two_replicas_split_the_feeds_and_a_dead_ones_feeds_are_taken_over(
    feed_server: FeedServer,
    kafka_settings: KafkaSettings,
    topics: Topics,
    reader: Reader,
    tmp_path: Path,
) -> None:
    names = [f"feed{i:02d}" for i in range(12)]
    feeds = [feed(feed_server, name, range(3)) for name in names]
    cfg = config(feeds)
    news = reader(topics.articles)
    status = reader(topics.feed_health)
    a = ProcessReplica(kafka_settings, cfg, "replica-a", tmp_path).start()
    b = ProcessReplica(kafka_settings, cfg, "replica-b", tmp_path).start()
    try:
        produced = articles(news, 36, timeout=90)
        pollers: dict[str, set[str]] = {}

        def both_replicas_polling() -> bool:
            for record in health(status, timeout=1).values():
                pollers.setdefault(record.instance, set()).add(record.feed_id)
            return {"replica-a", "replica-b"} <= set(pollers)

        wait_until(both_replicas_polling, timeout=60, what="both replicas reporting feed health")
        exposition = urllib.request.urlopen(b.metrics_url() + "/metrics", timeout=10).read().decode()
        assert 'newsmon_ingest_build_info{instance="replica-b"' in exposition
        assert "newsmon_ingest_polls_total{" in exposition
        assert urllib.request.urlopen(b.metrics_url() + "/readyz", timeout=10).status == 200
        assert set().union(*pollers.values()) == set(names)  # every feed polled
        a.kill()
        taken_over = set(pollers["replica-a"])
        for name in names:  # every feed publishes one more story; replica-a's feeds now need replica-b
            feed(feed_server, name, range(4))
        produced += articles(news, 12, timeout=90)
        latest = health(status, timeout=2)
        assert {latest[name].instance for name in taken_over} == {"replica-b"}
    finally:
        a.stop()
        assert b.stop() == 0, (tmp_path / "replica-b.log").read_text()[-3000:]
    assert_once(produced)
    assert len(produced) == 48


def test_a_body_identical_to_the_last_one_is_not_parsed_again(
    feed_server: FeedServer, kafka_settings: KafkaSettings, topics: Topics, reader: Reader
) -> None:
    url = feed_server.add("/plain.xml", rss("plain", range(2)))  # no ETag, no Last-Modified
    before = metrics.UNCHANGED_BODIES._value.get()
    replica = ThreadReplica(
        kafka_settings, config([FeedSpec(id="plain", url=url, outlet="P")]), "digest"
    ).start()
    try:
        wait_until(lambda: feed_server.hits("/plain.xml") >= 3, timeout=30, what="three polls")
    finally:
        replica.stop()
    assert metrics.UNCHANGED_BODIES._value.get() >= before + 2
    assert len(articles(reader(topics.articles), 2)) == 2


def test_remembered_ids_expire_with_the_retention_and_old_entries_are_not_news(
    feed_server: FeedServer,
    kafka_settings: KafkaSettings,
    topics: Topics,
    reader: Reader,
    producer_factory: Callable[..., Any],
) -> None:
    from datetime import UTC, datetime, timedelta

    from schemas import SeenArticle, encode
    from services.ingest.normalise import article_id, canonical_url

    def link(name: str) -> str:
        return f"https://example.org/retention/{name}"

    def uid(name: str) -> str:
        return article_id("retention", canonical_url(link(name)), None, "", "")

    now = datetime.now(UTC)
    producer = producer_factory()
    for name, age in (
        ("recent", timedelta(days=1)),
        ("expired", timedelta(days=40)),
        ("gone", timedelta(days=90)),
    ):
        mark = SeenArticle(article_id=uid(name), feed_id="retention", first_seen_at=now - age)
        producer.send(topics.seen, key=uid(name).encode(), value=encode(mark)).get(timeout=30)
    items = "".join(
        f"<item><title>{name}</title><link>{link(name)}</link>{date}</item>"
        for name, date in (
            ("recent", ""),
            ("expired", ""),
            ("ancient", "<pubDate>Mon, 02 Jan 2023 10:00:00 GMT</pubDate>"),
            ("new", ""),
        )
    )
    url = feed_server.add(
        "/retention.xml", f'<rss version="2.0"><channel><title>r</title>{items}</channel></rss>'.encode()
    )
    spec = FeedSpec(id="retention", url=url, outlet="R")
    replica = ThreadReplica(kafka_settings, config([spec], seen_retention="30d"), "retention").start()
    try:
        wait_until(lambda: feed_server.hits("/retention.xml") >= 2, timeout=30, what="a second poll")
        produced = articles(reader(topics.articles), 2)
        marks = reader(topics.seen)
        latest: dict[str, bytes | None] = {}  # what compaction will keep: the last record of each key

        def gone_is_forgotten() -> bool:
            latest.update((r.key.decode(), r.value) for r in drain(marks, 10**9, 1.0))
            return uid("gone") in latest and latest[uid("gone")] is None

        wait_until(gone_is_forgotten, timeout=30, what="a tombstone for the expired mark")
    finally:
        replica.stop()
    assert sorted(a.title for a in produced) == ["expired", "new"]
    assert latest[uid("expired")] is not None  # produced again: its fresh mark outlives any tombstone


def test_a_replica_waiting_for_an_unreachable_kafka_still_stops_on_request(feed_server: FeedServer) -> None:
    settings = KafkaSettings(bootstrap="127.0.0.1:9", topic_prefix="nowhere.", partitions=1)
    replica = ThreadReplica(settings, config([feed(feed_server, "lonely", range(1))]), "unreachable").start()
    wait_until(lambda: not replica.service.check()[0], timeout=5, what="not ready")
    assert "loading" in replica.service.check()[1]
    replica.stop()
    assert feed_server.hits("/lonely.xml") == 0  # nothing is polled before the shared state is loaded


def test_a_feed_refused_by_the_private_network_guard_reports_why_and_harms_no_other(
    feed_server: FeedServer, kafka_settings: KafkaSettings, topics: Topics, reader: Reader
) -> None:
    """Only the name `localhost` is allowed: the same server by its address, the metadata address, and a
    redirect from the allowed name to the address are all refused, each with its reason in feed health."""
    from newsmon.ingest_cli import render_status

    port = feed_server.base.rsplit(":", 1)[1]
    good = feed(feed_server, "good", range(2)).model_copy(update={"url": f"http://localhost:{port}/good.xml"})
    internal = feed(feed_server, "internal", range(2))  # http://127.0.0.1:port/internal.xml
    feed_server.redirect("/hop.xml", internal.url)
    feeds = [
        good,
        internal,
        FeedSpec(id="metadata", url="http://169.254.169.254/latest/meta-data/", outlet="M"),
        FeedSpec(id="hop", url=f"http://localhost:{port}/hop.xml", outlet="H"),
    ]
    status = reader(topics.feed_health)
    cfg = config(feeds, allow_private_networks=["localhost"], max_backoff="1h")
    replica = ThreadReplica(kafka_settings, cfg, "guarded").start()
    try:
        seen: dict[str, Any] = {}
        wait_until(
            lambda: seen.update(health(status, timeout=1)) or len(seen) == len(feeds),
            timeout=60,
            what="a health record for every feed",
        )
        produced = articles(reader(topics.articles), 2)
    finally:
        replica.stop()
    hint = "set ingest.allow_private_networks to allow it"
    outcomes = {name: record.last_outcome for name, record in seen.items()}
    assert outcomes.pop("good") in ("ok", "not_modified")  # polled again on a slow machine: a 304
    assert outcomes == {
        "internal": "blocked",
        "metadata": "blocked",
        "hop": "blocked",
    }
    assert seen["internal"].last_error == f"refused: 127.0.0.1 is a loopback address; {hint}"
    assert seen["metadata"].last_error == f"refused: 169.254.169.254 is a link-local address; {hint}"
    assert seen["hop"].last_error == f"refused at redirect 1: 127.0.0.1 is a loopback address; {hint}"
    assert feed_server.hits("/internal.xml") == 0
    assert sorted(a.title for a in produced) == ["good story 0", "good story 1"]
    table = render_status([(spec, seen[spec.id]) for spec in feeds], seen["good"].last_poll_at)
    assert f"refused: 169.254.169.254 is a link-local address; {hint}" in table


@pytest.mark.parametrize("second", ["restarted", "other-replica"])
def test_the_first_poll_after_a_restart_or_a_takeover_is_conditional_and_answered_304(
    feed_server: FeedServer, kafka_settings: KafkaSettings, topics: Topics, reader: Reader, second: str
) -> None:
    """Validators travel with the feed's health: the next poller sends them, on its very first poll too."""
    date = "Tue, 17 Jun 2025 10:00:00 GMT"
    feeds = [
        feed(feed_server, "tagged", range(2)),  # ETag "tagged-2"
        FeedSpec(
            id="dated",
            url=feed_server.add("/dated.xml", rss("dated", range(1)), last_modified=date),
            outlet="D",
        ),
    ]
    status = reader(topics.feed_health)
    latest: dict[str, FeedHealth] = {}

    def validators_published() -> bool:
        latest.update(health(status, timeout=1))
        return bool(latest.get("tagged") and latest["tagged"].etag and latest.get("dated"))

    first = ThreadReplica(kafka_settings, config(feeds), "restarted").start()
    try:
        wait_until(validators_published, timeout=60, what="health with validators")
    finally:
        first.stop()
    latest.update(health(status, timeout=2))  # everything the first replica published, read before the next
    assert (latest["tagged"].etag, latest["dated"].last_modified) == ('"tagged-2"', date)
    before = {path: feed_server.hits(path) for path in ("/tagged.xml", "/dated.xml")}
    replica = ThreadReplica(kafka_settings, config(feeds), second).start()
    try:
        wait_until(
            lambda: all(feed_server.hits(path) > hits for path, hits in before.items()),
            timeout=60,
            what="a poll of each feed after the restart",
        )
        after: list[FeedHealth] = []
        wait_until(
            lambda: (
                after.extend(
                    h for h in health_records(status) if h.instance == second and h.last_status is not None
                )
                or {h.feed_id for h in after} == {"tagged", "dated"}
            ),
            timeout=30,
            what="health of the first polls after the restart",
        )
    finally:
        replica.stop()
    tagged = [r for r in feed_server.requests if r.path == "/tagged.xml"][before["/tagged.xml"]]
    dated = [r for r in feed_server.requests if r.path == "/dated.xml"][before["/dated.xml"]]
    assert tagged.headers.get("If-None-Match") == '"tagged-2"'
    assert dated.headers.get("If-Modified-Since") == date
    first_polls = {h.feed_id: h for h in reversed(after)}  # the earliest record of each feed
    assert {f: (h.last_outcome, h.last_status) for f, h in first_polls.items()} == {
        "tagged": ("not_modified", 304),
        "dated": ("not_modified", 304),
    }


def health_records(consumer: KafkaConsumer) -> list[FeedHealth]:
    """Every health record read so far, in order (latest per feed is `health`)."""
    return [decode(FeedHealth, r.value) for r in drain(consumer, 10**9, 1.0) if r.value is not None]
