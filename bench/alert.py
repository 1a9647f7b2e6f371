"""Alert service core speed: classified articles/s through the shipped rules and grouping, beside the cost of
decoding the same articles from JSON (what the service pays per message anyway); Slack and email rendering
per notification.

The stream: 6 topics, 40 outlets, one article a second of simulated time, 15 % carrying one of the signals
the shipped rules watch. The service must keep up with the classify stage (thousands of articles/s), so the
rules should cost well under the JSON decode of each message.

    .venv/bin/python -m bench.alert [--quick]
"""

from __future__ import annotations

import argparse
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from newsmon.config import load_config
from schemas import ClassifiedArticle, Evidence, Polarity, RawArticle, Severity, SignalHit
from services.alert.backtest import backtest
from services.alert.engine import RuleEngine
from services.alert.grouping import Grouper, Timing
from services.alert.notification import Notification
from services.alert.receivers.email import render_email
from services.alert.receivers.slack import render

CONFIG = Path(__file__).resolve().parents[1] / "config" / "newsmon.yaml"
START = datetime(2026, 1, 1, tzinfo=UTC)
TOPICS = (
    "iran_israel",
    "russia_ukraine",
    "israel_gaza",
    "china_taiwan",
    "korean_peninsula",
    "india_pakistan",
)
SIGNALS = ("us_intervention_warning", "evacuation_notice", "escalation_warning", "military_strike")


def stream(count: int, seed: int = 11) -> list[ClassifiedArticle]:
    rng = random.Random(seed)
    articles = []
    for n in range(count):
        at = START + timedelta(seconds=n)
        signals = (rng.choice(SIGNALS),) if rng.random() < 0.15 else ()
        sentence = "Officials said the situation could deteriorate quickly, according to several reports."
        raw = RawArticle(
            id=f"bench-{n}",
            feed_id="bench",
            source=f"Outlet {rng.randrange(40)}",
            url=f"https://news.example/{n}",
            title=f"Report number {n} on the situation",
            summary=sentence,
            published_at=at,
            fetched_at=at,
        )
        hits = tuple(
            SignalHit(
                id=s,
                polarity=Polarity.ESCALATORY,
                severity=Severity.HIGH,
                weight=1.0,
                evidence=(Evidence(text="deteriorate quickly", sentence=sentence, start=40, end=59),),
            )
            for s in signals
        )
        articles.append(
            ClassifiedArticle(
                article=raw,
                topics=(rng.choice(TOPICS),),
                signals=hits,
                escalation_score=rng.random(),
                classifier_version="bench",
                classified_at=at,
            )
        )
    return articles


def run(quick: bool = False) -> dict[str, Any]:
    config = load_config(CONFIG)
    count = 20_000 if quick else 200_000
    articles = stream(count)
    encoded = [a.model_dump_json().encode() for a in articles]

    started = time.perf_counter()
    for data in encoded:
        ClassifiedArticle.model_validate_json(data)
    decode_seconds = time.perf_counter() - started

    options = config.alerting
    timing = Timing(options.group_wait, options.group_interval, options.repeat_interval)
    engine = RuleEngine(config.rules)
    grouper: Grouper[None] = Grouper(timing)
    fired = sent = 0
    started = time.perf_counter()
    for article in articles:
        now = article.article.fetched_at
        sent += len(grouper.due(now))
        for alert in engine.observe_article(article, now):
            fired += 1
            grouper.add(alert, now)
    rules_seconds = time.perf_counter() - started

    backtest_started = time.perf_counter()
    result = backtest(articles[: count // 10], config.rules, timing)
    backtest_seconds = time.perf_counter() - backtest_started

    sample = _rich_notification(config.rules)
    renders = 200 if quick else 2000
    started = time.perf_counter()
    for _ in range(renders):
        render(sample)
    slack_us = (time.perf_counter() - started) / renders * 1e6
    started = time.perf_counter()
    for _ in range(renders):
        render_email(sample, "newsmon@desk.example", ["desk@desk.example"], START).as_bytes()
    email_us = (time.perf_counter() - started) / renders * 1e6

    figures = {
        "articles": count,
        "rules_articles_per_second": round(count / rules_seconds),
        "decode_articles_per_second": round(count / decode_seconds),
        "rules_cost_vs_decode": round(rules_seconds / decode_seconds, 3),
        "alerts_fired": fired,
        "notifications": sent,
        "backtest_articles_per_second": round((count // 10) / backtest_seconds),
        "backtest_alerts": len(result.fired),
        "slack_render_microseconds": round(slack_us, 1),
        "email_render_microseconds": round(email_us, 1),
    }
    return figures


def _rich_notification(rules: Any) -> Notification:
    """A window alert carrying ten quotes from ten outlets: the largest message the shipped rules send."""
    engine = RuleEngine(rules)
    alerts = []
    for n in range(10):
        article = stream(1, seed=n)[0]
        hit = SignalHit(
            id="evacuation_notice",
            polarity=Polarity.ESCALATORY,
            severity=Severity.HIGH,
            weight=1.0,
            evidence=(
                Evidence(
                    text="evacuate", sentence="Residents were told to evacuate <now> & go.", start=22, end=30
                ),
            ),
        )
        raw = article.article.model_copy(update={"id": f"rich-{n}", "source": f"Outlet {n}"})
        article = article.model_copy(update={"article": raw, "signals": (hit,), "topics": ("iran_israel",)})
        alerts += engine.observe_article(article, START)
    return Notification("bench", alerts[-1].fingerprint, tuple(alerts))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smaller run for a quick look")
    figures = run(quick=parser.parse_args().quick)
    print(
        f"alert rules + grouping: {figures['rules_articles_per_second']:,} articles/s "
        f"({figures['articles']:,} articles, {figures['alerts_fired']:,} alerts, "
        f"{figures['notifications']:,} notifications)"
    )
    print(
        f"JSON decode of the same articles: {figures['decode_articles_per_second']:,} articles/s; "
        f"rules cost {figures['rules_cost_vs_decode']:.0%} of decoding"
    )
    print(f"backtest (rules + grouping + sort): {figures['backtest_articles_per_second']:,} articles/s")
    print(
        f"render one 10-quote notification: Slack {figures['slack_render_microseconds']} µs, "
        f"email {figures['email_render_microseconds']} µs"
    )
    print("(2-core machine shared with other work: expect run-to-run noise of 10-20 %; compare ratios)")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
