"""The example scenario: the two articles the project started from appear on local feeds among everyday news,
while ingest, classify and alert run as separate processes on the real broker; Slack and email receive.

The Kremlin story is wire copy: two outlets publish it, which is one source, not two; an Arabic outlet's own
report of the evacuation corroborates it (two independent sources in two languages; its feed declares
English, as misconfigured feeds do). The warning to Washington comes later from a fourth outlet. Each
of the three expected alerts must arrive once, quoting its evidence and linking its articles, soon after the
item appears; everyday news raises nothing.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.e2e.harness import Deployment
from tests.e2e.scenario import (
    Item,
    SlackMessage,
    by_rule,
    deployment,
    rss,
    slack_messages,
    wait_ready,
    write_config,
)
from tests.servers.http_feeds import FeedServer
from tests.servers.slack import FakeSlack
from tests.servers.smtp import SmtpServer
from tests.support import remove_topics, wait_until

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

DELIVERY_BOUND = 45.0
"""Seconds from an item appearing on a feed to its alert in Slack: polls, lazy start-up, group_wait."""
SETTLE = 8.0
"""Seconds to keep listening after the last expected alert, so a duplicate would be seen."""

# Stand-ins with the same kinds of statements, for clones without the example articles beside them.
STAND_IN_KREMLIN = (
    "Kremlin warns of galloping escalation as war on Iran enters fifth day\n"
    "Moscow said on Tuesday the conflict was in a state of galloping escalation. Israeli air strikes hit "
    "targets near Tehran overnight and Iran retaliated with missile strikes. The Russian embassy in Tehran "
    "is organising the evacuation of Russian nationals. Citizens who want to leave the country are offered "
    "routes through neighbouring Azerbaijan."
)
STAND_IN_US_WARNING = (
    "Russia warns U.S. against military action in Iran-Israel conflict\n"
    "In a sharp warning to Washington, Russia has cautioned the United States against any military "
    "intervention in the escalating conflict between Iran and Israel. Israel carried out a major airstrike "
    "on Iranian targets last week."
)
OWN_REPORT = (
    "السفارة الروسية تبدأ إجلاء رعاياها من إيران",
    "بدأت السفارة الروسية في طهران إجلاء المواطنين الروس من إيران مع دخول الحرب بين إسرائيل وإيران يومها "
    "الخامس، وفق ما أفاد مسؤول قنصلي الثلاثاء. وتنقل حافلات العائلات شمالاً إلى المعبر الحدودي مع أذربيجان.",
)
"""An independent report of the evacuation, in Arabic and its own words: what corroborates the wire story."""
NOISE = (
    ("Council approves new cycle lanes", "The city council voted to add cycle lanes on three avenues."),
    ("Rain expected over the weekend", "Forecasters expect showers on Saturday and a dry Sunday."),
    ("Local team wins cup final", "The home side won the final two goals to one after extra time."),
    ("Bakery opens second shop", "A family bakery opened a second shop near the station."),
    ("Library extends opening hours", "The central library will open until nine on weekdays."),
    ("Markets edge higher", "Shares rose slightly in quiet trading as investors awaited earnings."),
)


@dataclass(frozen=True)
class Stories:
    kremlin: tuple[str, str]
    us_warning: tuple[str, str]


def split(text: str) -> tuple[str, str]:
    title, _, body = text.strip().partition("\n")
    return title.strip(), body.strip()


def load_stories() -> Stories:
    """The example articles when present (first line title, rest body), else the stand-ins."""
    files = {p.stem: p.read_text("utf-8") for p in EXAMPLES.glob("*.txt")} if EXAMPLES.is_dir() else {}
    kremlin = next((t for name, t in files.items() if "kremlin" in name), STAND_IN_KREMLIN)
    warning = next((t for name, t in files.items() if "intervention" in name), STAND_IN_US_WARNING)
    return Stories(split(kremlin), split(warning))


@dataclass
class Scenario:
    feeds: FeedServer
    deployment: Deployment
    items: dict[str, list[Item]]

    def publish(self, feed: str, item: Item) -> None:
        self.items[feed].insert(0, item)
        self.feeds.add(f"/{feed}.xml", rss(OUTLETS[feed], self.items[feed]))


@dataclass
class Played:
    """What the receivers got, and when each story appeared."""

    messages: dict[str, list[SlackMessage]]
    emails: list[str]
    before_the_stories: int
    wire_copies: list[Item]
    own_report: Item
    warning: Item
    kremlin_at: float
    warning_at: float
    logs: str


OUTLETS = {
    "levant": "Levant Wire",
    "caspian": "Caspian Daily",
    "defense": "World Defense",
    "city": "City Post",
    "gulf": "Gulf Herald",
}


@contextmanager
def running(bootstrap: str, work: Path, slack: FakeSlack, smtp: SmtpServer) -> Iterator[Scenario]:
    now = datetime.now(UTC)
    with FeedServer() as feeds:
        items: dict[str, list[Item]] = {feed: [] for feed in OUTLETS}
        for index, (title, body) in enumerate(NOISE):
            feed = list(OUTLETS)[index % len(OUTLETS)]
            items[feed].append(Item(f"{feed}.example/noise-{index}", title, body, now - timedelta(hours=1)))
        for feed, outlet in OUTLETS.items():
            feeds.add(f"/{feed}.xml", rss(outlet, items[feed]))
        listed = [(feed, outlet, feeds.url(f"/{feed}.xml")) for feed, outlet in OUTLETS.items()]
        config = write_config(work / "config", listed, packs=["ar"])  # the Arabic outlet's report
        deploy, settings = deployment(bootstrap, work, config, slack, smtp)
        try:
            for process in deploy.start("ingest", "classify", "alert"):
                wait_ready(process)
            yield Scenario(feeds, deploy, items)
        finally:
            deploy.stop_all()
            remove_topics(settings)


def play(scenario: Scenario, slack: FakeSlack, smtp: SmtpServer) -> Played:
    """Everyday news first; then the Kremlin story as wire copy on two outlets and an own report of its
    evacuation, in Arabic, on a third; later the US warning."""
    stories = load_stories()
    logs = scenario.deployment.logs
    time.sleep(4)  # the everyday news goes through first
    before = len(slack.requests)

    now = datetime.now(UTC)
    wire_copies = [Item(f"{feed}.example/kremlin", *stories.kremlin, now) for feed in ("levant", "caspian")]
    scenario.publish("levant", wire_copies[0])
    scenario.publish("caspian", wire_copies[1])
    scenario.publish("city", Item("city.example/late", "Road works on the ring road", "Expect delays.", now))
    own_report = Item("gulf.example/evacuation", *OWN_REPORT, now)
    scenario.publish("gulf", own_report)
    kremlin_at = time.monotonic()
    early = {"evacuation_corroborated", "escalation_with_strikes"}
    wait_until(
        lambda: early <= set(by_rule(slack_messages(slack))),
        timeout=DELIVERY_BOUND,
        interval=0.2,
        what=f"alerts {sorted(early)}",
        context=logs,
    )

    warning = Item("defense.example/russia-warns-us", *stories.us_warning, datetime.now(UTC))
    scenario.publish("defense", warning)
    warning_at = time.monotonic()
    wait_until(
        lambda: "us_intervention_warning" in by_rule(slack_messages(slack)),
        timeout=DELIVERY_BOUND,
        interval=0.2,
        what="the US-intervention alert",
        context=logs,
    )
    wait_until(lambda: len(smtp.messages) >= 3, timeout=DELIVERY_BOUND, what="3 emails", context=logs)
    time.sleep(SETTLE)
    with smtp.lock:
        emails = [str(m.message["Subject"]) for m in smtp.messages]
    return Played(
        by_rule(slack_messages(slack)),
        emails,
        before,
        wire_copies,
        own_report,
        warning,
        kremlin_at,
        warning_at,
        logs(),
    )


@pytest.fixture(scope="module")
def played(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    slack, smtp = FakeSlack().start(), SmtpServer().start()
    try:
        with running(kafka_bootstrap, tmp_path_factory.mktemp("scenario"), slack, smtp) as scenario:
            yield play(scenario, slack, smtp)
    finally:
        slack.stop()
        smtp.stop()


def test_everyday_news_raises_nothing(played: Played) -> None:
    assert played.before_the_stories == 0


def test_each_expected_alert_reaches_slack_exactly_once(played: Played) -> None:
    counts = {rule: len(messages) for rule, messages in played.messages.items()}
    assert counts == {
        "evacuation_corroborated": 1,
        "escalation_with_strikes": 1,
        "us_intervention_warning": 1,
    }, played.logs


def test_the_corroborated_evacuation_quotes_each_independent_report_once(played: Played) -> None:
    evacuation = played.messages["evacuation_corroborated"][0]
    assert "Azerbaijan" in evacuation.text
    assert "evacuation" in evacuation.text
    assert played.own_report.link in evacuation.text
    assert "إجلاء" in evacuation.text  # the Arabic report's own quote ...
    assert "\u2068" in evacuation.text  # ... between Unicode isolates
    assert sum(copy.link in evacuation.text for copy in played.wire_copies) == 1  # two copies, one report
    # one alert says it in its summary; a group of two (the rule fired again on the next copy) counts it
    assert "2 independent reports" in evacuation.text or "from 2 sources" in evacuation.text, evacuation.text


def test_the_escalation_quotes_galloping_escalation_with_its_link(played: Played) -> None:
    escalation = played.messages["escalation_with_strikes"][0]
    assert "galloping escalation" in escalation.text
    assert any(copy.link in escalation.text for copy in played.wire_copies)


def test_the_us_intervention_warning_quotes_the_warning_to_washington_with_its_link(played: Played) -> None:
    us = played.messages["us_intervention_warning"][0]
    assert "warning to Washington" in us.text
    assert played.warning.link in us.text


def test_alerts_arrive_within_the_bound_after_the_item_appears(played: Played) -> None:
    kremlin = max(played.messages[r][0].at for r in ("evacuation_corroborated", "escalation_with_strikes"))
    assert kremlin - played.kremlin_at < DELIVERY_BOUND
    assert played.messages["us_intervention_warning"][0].at - played.warning_at < DELIVERY_BOUND


def test_email_receives_each_alert_once(played: Played) -> None:
    assert len(played.emails) == 3, played.emails
    for title in ("Evacuation notice confirmed", "Escalation warning alongside", "Warning against US"):
        assert sum(title in subject for subject in played.emails) == 1, played.emails
