from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from schemas import (
    Alert,
    ClassifiedArticle,
    Evidence,
    FeedSpec,
    InvalidMessage,
    Polarity,
    RawArticle,
    Severity,
    SignalHit,
    decode,
    encode,
)
from schemas.export import stale_files

NOW = datetime(2025, 6, 17, 9, 30, tzinfo=UTC)


def raw(**overrides: object) -> RawArticle:
    fields: dict[str, object] = {
        "id": "a1b2c3d4e5f6",
        "feed_id": "wire-world",
        "source": "Example Wire",
        "url": "https://news.example/world/1",
        "title": "Moscow warns of a wider war",
        "summary": "Officials spoke of a galloping escalation.",
        "published_at": NOW,
        "fetched_at": NOW,
        "language": "en",
    }
    return RawArticle.model_validate(fields | overrides)


def test_raw_article_round_trips_through_the_codec() -> None:
    article = raw()
    assert decode(RawArticle, encode(article)) == article


def test_classified_article_round_trips_with_its_evidence() -> None:
    hit = SignalHit(
        id="escalation_warning",
        polarity=Polarity.ESCALATORY,
        severity=Severity.HIGH,
        weight=0.8,
        evidence=(
            Evidence(text="galloping escalation", sentence="a galloping escalation.", start=2, end=22),
        ),
    )
    classified = ClassifiedArticle(
        article=raw(),
        topics=("iran_israel",),
        signals=(hit,),
        actors=("RU",),
        escalation_score=0.7,
        classifier_version="test",
        classified_at=NOW,
    )
    back = decode(ClassifiedArticle, encode(classified))
    assert back == classified
    assert back.signal("escalation_warning") == hit


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError, match="timezone"):
        raw(published_at=datetime(2025, 6, 17, 9, 30))  # noqa: DTZ001 - the point of the test


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError, match="Extra inputs"):
        raw(colour="red")


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"{not json", "invalid_json"),
        (b'{"id": "x"}', "schema"),
        (encode(raw()).replace(b'"schema_version":1', b'"schema_version":99'), "unsupported_schema_version"),
        (None, "empty"),
    ],
)
def test_decode_names_the_reason_a_message_is_invalid(payload: bytes | None, reason: str) -> None:
    with pytest.raises(InvalidMessage) as caught:
        decode(RawArticle, payload)
    assert caught.value.reason == reason


def test_severity_orders_from_low_to_critical() -> None:
    assert Severity.LOW < Severity.MEDIUM < Severity.HIGH < Severity.CRITICAL
    assert max([Severity.HIGH, Severity.LOW]) is Severity.HIGH


def test_feed_durations_accept_operator_units() -> None:
    feed = FeedSpec(id="f", url="https://x.example/rss", outlet="X", interval="90s")  # type: ignore[arg-type]
    assert feed.interval == timedelta(seconds=90)
    with pytest.raises(ValidationError, match="invalid duration"):
        FeedSpec(id="f", url="https://x.example/rss", outlet="X", interval="soon")  # type: ignore[arg-type]


def test_alert_requires_aware_times_and_a_known_kind() -> None:
    with pytest.raises(ValidationError):
        Alert(
            id="a",
            fingerprint="f",
            rule_id="r",
            rule_kind="weekly",  # type: ignore[arg-type]
            severity=Severity.HIGH,
            title="t",
            first_seen=NOW,
            last_seen=NOW,
            fired_at=NOW,
        )


def test_exported_json_schemas_are_current() -> None:
    assert stale_files() == [], "run `newsmon schemas export` and commit schemas/json/"
