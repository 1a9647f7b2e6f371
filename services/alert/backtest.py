"""Replay articles through the rules and the handling with a simulated clock: what would have fired, and
what would have been sent, when. No Kafka, no receivers; the same engine and grouping as the service.

The clock is each article's fetch time (when the service would have seen it); trend windows use their end.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Protocol

from pydantic import ValidationError

from schemas import Alert, ClassifiedArticle, RawArticle, TrendWindow
from schemas.offline import BadRecord, describe, offline_article
from services.alert.engine import RuleEngine
from services.alert.grouping import Batch, Grouper, Outcome, Timing
from services.alert.notification import Notification
from services.alert.rules import Rule


class Classifies(Protocol):
    def classify(self, article: RawArticle, now: datetime) -> ClassifiedArticle: ...


class Stamps(Protocol):
    """Gives articles without a story the one the story stage would (articles arrive in order)."""

    def stamp(self, article: ClassifiedArticle, now: datetime) -> ClassifiedArticle: ...


Item = ClassifiedArticle | RawArticle | TrendWindow


@dataclass(frozen=True)
class Sent:
    at: datetime
    notification: Notification


@dataclass
class BacktestResult:
    read: int = 0
    classified: int = 0
    problems: list[str] = field(default_factory=list)
    fired: list[Alert] = field(default_factory=list)
    sent: list[Sent] = field(default_factory=list)
    suppressed: Counter[str] = field(default_factory=Counter)
    first: datetime | None = None
    last: datetime | None = None


def parse_line(line: str) -> Item:
    """A JSON line holding a trend window, a classified article, or an article in any form the offline
    commands read (raw, or just id, title and text); what is wrong is named field by field."""
    data = json.loads(line)
    if not isinstance(data, dict):
        raise ValueError("a line must hold one JSON object")
    try:
        if "window_start" in data:
            return TrendWindow.model_validate(data)
        if "article" in data and "classified_at" in data:
            return ClassifiedArticle.model_validate(data)
    except ValidationError as exc:
        raise BadRecord(describe(exc)) from None
    return offline_article(data)


def read_items(lines: Iterable[str], result: BacktestResult, where: str) -> Iterator[Item]:
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        result.read += 1
        try:
            yield parse_line(line)
        except (ValueError, ValidationError) as exc:
            first = str(exc).splitlines()
            result.problems.append(f"{where}:{number}: {first[0] if first else type(exc).__name__}")


def text_article(path: Path, fetched_at: datetime) -> RawArticle:
    """A plain-text article file: the title on the first line, the body below."""
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    if not lines:
        raise ValueError("empty file")
    return RawArticle(
        id=f"file:{path.stem}"[:128],
        feed_id="backtest",
        source=path.stem,
        title=lines[0],
        content="\n".join(lines[1:]),
        published_at=fetched_at,
        fetched_at=fetched_at,
    )


def _when(item: ClassifiedArticle | TrendWindow) -> datetime:
    return item.article.fetched_at if isinstance(item, ClassifiedArticle) else item.window_end


def backtest(
    items: Iterable[Item],
    rules: Iterable[Rule],
    timing: Timing,
    classifier: Callable[[], Classifies] | None = None,
    result: BacktestResult | None = None,
    stories: Stamps | None = None,
) -> BacktestResult:
    """Run `items` (any order) through the rules and grouping on a clock that follows their times;
    articles without a story get theirs from `stories`, in that order, as the service's would."""
    result = result or BacktestResult()
    engine = RuleEngine(rules)
    grouper: Grouper[None] = Grouper(timing)
    model: Classifies | None = None
    ready: list[ClassifiedArticle | TrendWindow] = []
    for item in items:
        if isinstance(item, RawArticle):
            model = model or _need(classifier)()
            item = model.classify(item, item.fetched_at)
            result.classified += 1
        ready.append(item)
    for item in sorted(ready, key=_when):
        now = _when(item)
        result.first = result.first or now
        result.last = now
        _flush(grouper, now, result)
        if isinstance(item, ClassifiedArticle):
            if item.story is None and stories is not None:
                item = stories.stamp(item, now)
            alerts = engine.observe_article(item, now)
        else:
            alerts = engine.observe_trend(item, now)
        for alert in alerts:
            result.fired.append(alert)
            outcome = grouper.add(alert, now)
            if outcome is not Outcome.QUEUED:
                result.suppressed[outcome.value] += 1
    while (due := grouper.next_flush()) is not None:
        _flush(grouper, due, result)
    return result


def _need(classifier: Callable[[], Classifies] | None) -> Callable[[], Classifies]:
    if classifier is None:
        raise ValueError("raw articles need a classifier (the taxonomy)")
    return classifier


def _flush(grouper: Grouper[None], now: datetime, result: BacktestResult) -> None:
    batches: list[Batch[None]] = grouper.due(now)
    for batch in batches:
        result.sent.append(
            Sent(batch.flush_at, Notification("backtest", batch.fingerprint, tuple(batch.alerts)))
        )
