"""What a digest says: a period's situations per topic with taxonomy labels, counts per severity, distinct
sources, who acknowledged, the escalation trend and the first evidence; bounded, and only the periods still
to be sent kept."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import Acknowledgement, Alert, AlertEvidence, Severity
from services.alert.config import AlertingOptions, Route
from services.alert.digest import FALLING, RISING, STEADY, TrendLine
from services.alert.digest_book import DigestBook
from services.alert.digest_config import DigestOptions
from services.alert.digest_schedule import Period, period_containing
from services.alert.names import DisplayNames
from services.alert.routing import Router
from tests.unit.alert.factories import trend

DAILY = DigestOptions(every=timedelta(days=1), at="07:00", timezone="UTC", max_per_topic=2)
DAY = Period(datetime(2025, 6, 17, 7, tzinfo=UTC), datetime(2025, 6, 18, 7, tzinfo=UTC))
NOON = datetime(2025, 6, 17, 12, tzinfo=UTC)
SENDING = DAY.end + timedelta(minutes=1)
NAMES = DisplayNames.of(
    [("iran_israel", "Iran–Israel conflict"), ("russia_ukraine", "Russia–Ukraine war")],
    [("evacuation_notice", "Evacuation")],
)


def alert(
    alert_id: str,
    situation: str,
    topic: str | None = "iran_israel",
    severity: Severity = Severity.HIGH,
    at: datetime = NOON,
    sources: tuple[str, ...] = ("Wire One",),
    distinct: int = 1,
) -> Alert:
    evidence = tuple(
        AlertEvidence(
            article_id=f"{alert_id}-{n}",
            source=source,
            title=f"Report {alert_id} by {source}",
            url=f"https://news.example/{alert_id}/{n}",
            signal="evacuation_notice",
            quote="residents were told to evacuate",
            published_at=at - timedelta(minutes=10 - n),
        )
        for n, source in enumerate(sources)
    )
    labels = {"rule": "evac", "severity": severity.value} | ({"topic": topic} if topic else {})
    return Alert(
        id=alert_id,
        fingerprint=situation,
        rule_id="evac",
        rule_kind="window",
        severity=severity,
        title=f"Headline of {alert_id}",
        topic=topic,
        signals=("evacuation_notice",),
        labels=labels,
        evidence=evidence,
        distinct_sources=distinct,
        first_seen=at - timedelta(minutes=10),
        last_seen=at,
        fired_at=at,
    )


def book(options: DigestOptions = DAILY, routes: tuple[Route, ...] = (), muted: bool = False) -> DigestBook:
    router = Router(AlertingOptions(routes=routes), ["standards", "europe"], ["standards"])
    return DigestBook({"standards": options}, router.routed_to, lambda _labels, _at: muted)


def no_acks(_situation: str) -> Acknowledgement | None:
    return None


def test_situations_are_grouped_per_topic_with_labels_counts_and_sources() -> None:
    digests = book()
    for item in [
        alert("a1", "s-evac", severity=Severity.CRITICAL, sources=("Wire One", "BBC")),
        alert("a2", "s-evac", sources=("Wire One", "Reuters"), distinct=3),
        alert("a3", "s-other", severity=Severity.MEDIUM, sources=("AFP",)),
        alert("a4", "s-kyiv", topic="russia_ukraine", severity=Severity.LOW),
    ]:
        digests.add_alert(item, NOON)
    digest = digests.compose("standards", DAY, NAMES, no_acks)
    iran, europe = digest.topics
    assert (iran.label, europe.label) == ("Iran–Israel conflict", "Russia–Ukraine war")
    assert iran.line == "2 situations, 3 alerts (1 critical, 1 high, 1 medium), 4 distinct sources"
    evac = iran.shown[0]
    assert (evac.situation, evac.severity, evac.alerts, evac.distinct_sources) == (
        "s-evac", Severity.CRITICAL, 2, 3,
    )  # fmt: skip
    assert evac.first is not None
    assert evac.first.url == "https://news.example/a1/0", "the earliest quote"
    assert digest.summary == "3 situations in 2 topics, 4 alerts (1 critical, 1 high, 1 medium, 1 low)"


def test_copies_of_one_alert_from_every_rule_replica_count_once() -> None:
    digests = book()
    for _ in range(3):
        digests.add_alert(alert("a1", "s-evac"), NOON)
    assert digests.compose("standards", DAY, NAMES, no_acks).alerts == 1


def test_each_topic_lists_at_most_max_per_topic_situations_and_counts_the_rest() -> None:
    digests = book()
    for n in range(5):
        digests.add_alert(alert(f"a{n}", f"s{n}"), NOON)
    (topic,) = digests.compose("standards", DAY, NAMES, no_acks).topics
    assert (len(topic.shown), topic.more, topic.situations) == (2, 3, 5)


def test_only_alerts_of_the_period_routed_to_the_receiver_at_its_severity_and_unmuted_count() -> None:
    options = DigestOptions(every=timedelta(days=1), at="07:00", timezone="UTC", min_severity=Severity.HIGH)
    europe_only = (Route(topics=("russia_ukraine",), receivers=("europe",)),)
    digests = book(options, europe_only)
    digests.add_alert(alert("in", "s1"), NOON)
    digests.add_alert(alert("low", "s2", severity=Severity.MEDIUM), NOON)
    digests.add_alert(alert("elsewhere", "s3", topic="russia_ukraine"), NOON)
    digests.add_alert(alert("before", "s4", at=DAY.start - timedelta(seconds=1)), NOON)
    digests.add_alert(alert("after", "s5", at=DAY.end), NOON)
    digest = digests.compose("standards", DAY, NAMES, no_acks)
    assert [line.situation for t in digest.topics for line in t.shown] == ["s1"]
    muted = book(muted=True)
    muted.add_alert(alert("in", "s1"), NOON)
    assert muted.compose("standards", DAY, NAMES, no_acks).topics == ()


def test_who_acknowledged_a_situation_is_shown() -> None:
    digests = book()
    digests.add_alert(alert("a1", "s-evac"), NOON)
    ack = Acknowledgement(
        situation="s-evac",
        by="Dana",
        at=NOON + timedelta(minutes=5),
        channel="cli",
        holds_until=NOON + timedelta(hours=24),
        remember_until=NOON + timedelta(days=7),
    )
    digest = digests.compose("standards", DAY, NAMES, {"s-evac": ack}.get)
    line = digest.topics[0].shown[0]
    assert (line.acknowledged_by, line.acknowledged_at) == ("Dana", ack.at)


def test_the_trend_is_the_index_of_the_periods_first_and_last_window_with_its_peak() -> None:
    digests = book()
    digests.add_alert(alert("a1", "s-evac"), NOON)
    for hour, index in [(8, 0.4), (12, 2.0), (20, 1.3), (6, 1.4)]:
        start = DAY.start.replace(hour=hour) - timedelta(hours=1) + timedelta(days=hour < 7)
        digests.add_trend(trend("iran_israel", start, index), NOON)
    digests.add_trend(trend("iran_israel", DAY.start - timedelta(hours=1), 9.0), NOON)  # ends at 07:00
    digests.add_trend(trend("iran_israel", DAY.end, 9.0), NOON)  # the next period's
    section = digests.compose("standards", DAY, NAMES, no_acks).topics[0]
    assert section.trend == TrendLine(opening=0.4, closing=1.4, peak=2.0)
    assert section.trend.direction == RISING
    assert section.trend.text == "rising: escalation index 0.4 → 1.4 (peak 2.0)"


def test_a_trend_rises_or_falls_only_by_a_clear_margin() -> None:
    assert TrendLine(1.0, 1.1, 1.1).direction == STEADY
    assert TrendLine(0.1, 0.2, 0.2).direction == STEADY, "doubled, but by too little to matter"
    assert TrendLine(1.5, 0.5, 1.5).direction == FALLING


def test_only_the_last_complete_and_the_current_period_are_kept() -> None:
    digests = book()
    for day in range(10):
        digests.add_alert(alert(f"a{day}", "s", at=NOON + timedelta(days=day)), NOON + timedelta(days=day))
        digests.prune(NOON + timedelta(days=day))
    kept = digests.periods("standards")
    now = NOON + timedelta(days=9)
    assert kept == [period_containing(DAILY, now - timedelta(days=1)), period_containing(DAILY, now)]
    digests.add_alert(alert("old", "s", at=NOON), now)
    assert digests.periods("standards") == kept, "an alert of a period already sent is not kept"


def test_an_empty_period_gives_a_digest_that_says_so() -> None:
    digest = book().compose("standards", DAY, NAMES, no_acks)
    assert (digest.topics, digest.summary) == ((), "No alerts in this period.")
    assert digest.id == "standards:digest-20250617T070000Z"
