"""Every receiver renders a digest within its own limits whatever the feed text (checked against the same
limits the stand-in servers enforce), with feed text inert, and says what a reader needs: the period, the
topics with their counts and trend, the situations with their first evidence, and what was left out."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from schemas import Severity
from services.alert.digest import (
    Digest,
    FirstEvidence,
    SituationLine,
    TopicSection,
    TrendLine,
)
from services.alert.digest_schedule import Period
from services.alert.receivers.console import ConsoleReceiver
from services.alert.receivers.digest_text import (
    MAX_HTML_BODY,
    MAX_TEXT_BODY,
    render_digest_html,
    render_digest_text,
)
from services.alert.receivers.email import MAX_SUBJECT, digest_email
from services.alert.receivers.mattermost import MAX_TEXT as MATTERMOST_TEXT
from services.alert.receivers.mattermost_digest import render_digest as mattermost_digest
from services.alert.receivers.slack_digest import render_digest as slack_digest
from services.alert.receivers.teams_digest import render_digest as teams_digest
from services.alert.receivers.webhook import MAX_BODY_BYTES, encode
from services.alert.receivers.webhook_digest import digest_body
from streambase.clock import ManualClock
from tests.servers.slack import payload_problems
from tests.servers.teams import card_problems

PERIOD = Period(datetime(2025, 6, 17, 5, tzinfo=UTC), datetime(2025, 6, 18, 5, tzinfo=UTC))
SPAN = "17 Jun 07:00 – 18 Jun 07:00 CEST"
NOON = datetime(2025, 6, 17, 12, tzinfo=UTC)
HOSTILE = "<!channel> @all &<>*_`[x](http://evil.example) " * 10
LONG_URL = "https://news.example/" + "|>&" * 700


def line(n: int, title: str = "Evacuation ordered in the north", url: str | None = "https://n.example/1",
         by: str | None = None) -> SituationLine:  # fmt: skip
    return SituationLine(
        situation=f"{n:016x}",
        title=title,
        rule_id="evacuation_corroborated",
        severity=Severity.CRITICAL if n % 3 == 0 else Severity.HIGH,
        alerts=2 + n,
        distinct_sources=3,
        first_seen=NOON,
        last_seen=NOON + timedelta(hours=1),
        first=FirstEvidence(title, url, "Wire One", NOON - timedelta(minutes=5)),
        acknowledged_by=by,
        acknowledged_at=NOON + timedelta(minutes=10) if by else None,
    )


def section(label: str, lines: list[SituationLine], situations: int | None = None) -> TopicSection:
    return TopicSection(
        topic="iran_israel",
        label=label,
        counts=((Severity.CRITICAL, 1), (Severity.HIGH, 4), (Severity.MEDIUM, 0), (Severity.LOW, 0)),
        alerts=5,
        situations=situations if situations is not None else len(lines),
        sources=4,
        shown=tuple(lines),
        trend=TrendLine(0.4, 1.4, 2.0),
    )


ORDINARY = Digest(
    receiver="standards",
    period=PERIOD,
    span=SPAN,
    topics=(section("Iran–Israel conflict", [line(0, by="Dana"), line(1)], situations=5),),
)
HUGE = Digest(
    receiver="standards",
    period=PERIOD,
    span=SPAN,
    topics=tuple(
        section(HOSTILE[:100], [line(n, HOSTILE * 2, LONG_URL, by=HOSTILE) for n in range(50)], 80)
        for _ in range(20)
    ),
    topics_omitted=3,
    missed=2,
    possible_repeat=True,
)


def test_the_email_says_the_period_topics_counts_trend_and_first_evidence() -> None:
    mail = digest_email(ORDINARY, "newsmon@example.org", ["standards@example.org"], NOON)
    assert mail["Subject"] == (
        f"[newsmon digest] {SPAN}: 5 situations in 1 topic, 5 alerts (1 critical, 4 high)"
    )
    assert mail["Message-ID"] == "<standards.digest-20250617T050000Z@example.org>"
    text = render_digest_text(ORDINARY)
    for expected in [
        f"newsmon digest, {SPAN}",
        "== Iran–Israel conflict ==",
        "5 situations, 5 alerts (1 critical, 4 high), 4 distinct sources",
        "Trend: rising: escalation index 0.4 → 1.4 (peak 2.0)",
        "  - CRITICAL Evacuation ordered in the north",
        "    2 alerts, 3 distinct sources · acknowledged by Dana (2025-06-17 12:10 UTC)",
        "    first report: Evacuation ordered in the north (Wire One, 2025-06-17 11:55 UTC) https://n.example/1",
        "    situation 0000000000000000",
        "  … and 3 more situations",
    ]:
        assert expected in text.splitlines(), expected
    html = render_digest_html(ORDINARY)
    assert "<a href='https://n.example/1'>" in html
    assert "and 3 more situations" in html


def test_every_receiver_says_a_possible_repeat_and_missed_digests() -> None:
    marked = Digest("standards", PERIOD, SPAN, (), missed=2, possible_repeat=True)
    rendered = [
        render_digest_text(marked),
        render_digest_html(marked),
        json.dumps(slack_digest(marked)),
        json.dumps(teams_digest(marked)),
        mattermost_digest(marked)["text"],
    ]
    for text in rendered:
        assert "possible repeat" in text.lower()
        assert "2 earlier digests were not sent" in text
    body = digest_body(marked, NOON)
    assert (body["possible_repeat"], body["missed_periods"]) == (True, 2)
    assert "(possible repeat)" in str(digest_email(marked, "a@b.c", ["d@e.f"], NOON)["Subject"])


def test_slack_stays_within_block_kit_limits_and_feed_text_is_inert() -> None:
    payload = slack_digest(HUGE)
    assert payload_problems(payload) == []
    flat = json.dumps(payload)
    assert "<!channel>" not in flat
    assert "<http://evil.example" not in flat
    assert "more situations" in flat
    assert "3 more topics not shown" in flat


def test_teams_gets_a_valid_adaptive_card_under_its_size_limit() -> None:
    assert card_problems(teams_digest(ORDINARY)) == []
    huge = teams_digest(HUGE)
    assert card_problems(huge) == []
    assert "more situations" in json.dumps(huge, ensure_ascii=False)


def test_mattermost_text_stays_within_the_post_limit_with_no_mention_or_link_token() -> None:
    text = mattermost_digest(HUGE, channel="standards")["text"]
    assert len(text) <= MATTERMOST_TEXT
    assert "@all" not in text
    assert "<!channel>" not in text
    assert "](http://evil.example)" not in text
    assert "more situations" in text
    assert "Iran–Israel conflict" in mattermost_digest(ORDINARY)["text"]


def test_the_webhook_body_is_a_digest_under_its_size_limit() -> None:
    body = digest_body(HUGE, NOON)
    assert len(encode(body)) <= MAX_BODY_BYTES
    assert (body["type"], body["kind"], body["id"]) == (
        "digest",
        "digest",
        "standards:digest-20250617T050000Z",
    )
    assert body["topics"][0]["situations_omitted"] > 30, "fewer listed, the rest counted"
    ordinary = digest_body(ORDINARY, NOON)
    (topic,) = ordinary["topics"]
    assert topic["trend"] == {
        "direction": "rising",
        "index_at_start": 0.4,
        "index_at_end": 1.4,
        "index_peak": 2.0,
    }
    assert topic["situations"][0]["first_evidence"]["url"] == "https://n.example/1"
    assert topic["situations"][0]["acknowledged_by"] == "Dana"


def test_the_email_bodies_and_subject_stay_within_their_budgets() -> None:
    assert len(render_digest_text(HUGE)) <= MAX_TEXT_BODY
    html = render_digest_html(HUGE)
    assert len(html) <= MAX_HTML_BODY
    assert "<!channel>" not in html
    assert "&lt;!channel&gt;" in html
    subject = str(digest_email(HUGE, "a@b.c", ["d@e.f"], NOON)["Subject"])
    assert len(subject) <= MAX_SUBJECT
    assert "\n" not in subject


@pytest.mark.parametrize("digest", [ORDINARY, HUGE], ids=["ordinary", "huge"])
def test_the_console_prints_the_digest_and_logs_one_json_line(digest: Digest, tmp_path: Path) -> None:
    out: list[str] = []

    class Stream:
        def write(self, text: str) -> int:
            out.append(text)
            return len(text)

        def flush(self) -> None:
            return

    console = ConsoleReceiver(tmp_path, Stream(), ManualClock(NOON), name="standards")  # type: ignore[arg-type]
    console.send_digest(digest)
    (entry,) = [json.loads(x) for x in console.path.read_text().splitlines()]
    assert (entry["type"], entry["notification_id"]) == ("digest", digest.id)
    assert re.search(r"newsmon digest, 17 Jun", "".join(out))
