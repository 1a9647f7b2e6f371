from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import FeedHealth, FeedSpec, decode
from services.ingest.feedlist import diff
from services.ingest.health import PollReport, record_poll

T0 = datetime(2025, 6, 17, 12, tzinfo=UTC)


def report(outcome: str, minutes: int, **kw: object) -> PollReport:
    return PollReport("f", "https://a.example/", "r1", T0 + timedelta(minutes=minutes), outcome, **kw)  # type: ignore[arg-type]


def test_failures_accumulate_until_a_success_resets_them() -> None:
    health = record_poll(None, report("ok", 0, status=200, items=10, new_articles=10))
    health = record_poll(health, report("timeout", 5, error="no complete answer within 60s"))
    health = record_poll(health, report("http_error", 10, status=500, error="HTTP 500"))
    assert (health.consecutive_failures, health.last_error, health.last_status) == (2, "HTTP 500", 500)
    assert health.last_success_at == T0
    assert health.items_seen == 10
    health = record_poll(health, report("not_modified", 15, status=304))
    assert (health.consecutive_failures, health.last_success_at) == (0, T0 + timedelta(minutes=15))
    assert health.last_error == "HTTP 500"  # kept for the record, with its time
    assert health.last_error_at == T0 + timedelta(minutes=10)
    assert health.new_articles == 10


def feed(feed_id: str, url: str = "https://a.example/") -> FeedSpec:
    return FeedSpec(id=feed_id, url=url, outlet="A")


def test_publishing_writes_only_new_and_changed_feeds_and_removes_the_rest() -> None:
    published = {"same": feed("same"), "edited": feed("edited"), "gone": feed("gone"), "broken": None}
    wanted = [feed("same"), feed("edited", "https://b.example/"), feed("new"), feed("broken")]
    changes = diff(published, wanted)
    assert [f.id for f in changes.upserts] == ["edited", "new", "broken"]
    assert changes.removals == ("gone",)
    assert not diff({"same": feed("same")}, [feed("same")])


def test_each_poll_records_the_validators_the_next_one_will_send() -> None:
    health = record_poll(None, report("ok", 0, status=200, etag='"v1"', last_modified="Tue, 17 Jun 2025"))
    assert (health.etag, health.last_modified) == ('"v1"', "Tue, 17 Jun 2025")
    health = record_poll(health, report("timeout", 5, etag='"v1"'))
    assert (health.etag, health.last_modified) == ('"v1"', None)


def test_a_health_record_written_before_the_validators_existed_still_decodes() -> None:
    old = (
        b'{"schema_version": 1, "feed_id": "f", "url": "https://a.example/", "instance": "r1",'
        b' "last_poll_at": "2025-06-17T12:00:00Z", "last_outcome": "ok", "last_status": 200,'
        b' "consecutive_failures": 0, "items_seen": 3, "new_articles": 3, "interval_seconds": 300.0,'
        b' "next_poll_at": "2025-06-17T12:05:00Z"}'
    )
    health = decode(FeedHealth, old)
    assert (health.feed_id, health.etag, health.last_modified) == ("f", None, None)
