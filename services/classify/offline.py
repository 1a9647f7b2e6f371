"""The offline commands' pure half: JSON lines in, results and readable explanations out.

An input line holds at least `id`, `title` and `text` (optionally `source`, `url` and `published_at`), or
is a whole raw article (it has `feed_id`) or a classified one (it has `article`), whose raw article is read.
The text classified is the title, a newline and the text, exactly as the stream classifies a raw article, so
offsets in the output index into that string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from schemas.article import RawArticle
from services.classify.engine import Analysis

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadRecord(ValueError):
    """An input line that is not a usable record; the message says what is wrong."""


@dataclass(frozen=True)
class Record:
    article: RawArticle
    gold_signals: frozenset[str] | None
    gold_topics: frozenset[str] | None


def parse_record(line: str) -> Record:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise BadRecord("expected a JSON object with id, title and text")
    return Record(_article(data), _labels(data, "signals"), _labels(data, "topics"))


def _article(data: dict[str, Any]) -> RawArticle:
    try:
        if "feed_id" in data:
            return RawArticle.model_validate(data)
        if isinstance(data.get("article"), dict):
            return RawArticle.model_validate(data["article"])
        missing = [k for k in ("id", "title", "text") if k not in data]
        if missing:
            raise BadRecord(f"missing field(s): {', '.join(missing)} (need id, title and text)")
        if not all(isinstance(data[k], str) for k in ("title", "text")):
            raise BadRecord("title and text must be strings")
        published = data.get("published_at") or _EPOCH
        return RawArticle(
            id=str(data["id"]),
            feed_id="offline",
            source=str(data.get("source") or "offline"),
            url=data.get("url"),
            title=data["title"],
            content=data["text"],
            published_at=published,
            fetched_at=_EPOCH,
        )
    except ValidationError as exc:
        problems = [f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in exc.errors()]
        raise BadRecord("; ".join(problems)) from None


def _labels(data: dict[str, Any], key: str) -> frozenset[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRecord(f"{key} must be a list of ids")
    return frozenset(value)


def result(article_id: str, analysis: Analysis) -> dict[str, Any]:
    """The output line of `newsmon classify` for one input."""
    return {
        "id": article_id,
        "topics": list(analysis.topics),
        "signals": [
            {
                "id": s.id,
                "evidence": [
                    {"text": e.text, "sentence": e.sentence, "start": e.start, "end": e.end}
                    for e in s.evidence
                ],
            }
            for s in analysis.signals
        ],
        "actors": list(analysis.actors),
        "escalation_score": analysis.score,
    }


def explain(article: RawArticle, analysis: Analysis, gold: Record | None = None) -> str:
    """A view for people tuning rules: each signal with its passages marked inside their sentences."""
    lines = [f"== {article.id}  score {analysis.score:.2f}  {article.title[:80]}".rstrip()]
    lines.append(
        f"   topics: {', '.join(analysis.topics) or '-'}   actors: {', '.join(analysis.actors) or '-'}"
    )
    if gold is not None and gold.gold_signals is not None:
        missed = sorted(gold.gold_signals - set(analysis.signal_ids()))
        extra = sorted(set(analysis.signal_ids()) - gold.gold_signals)
        lines.append(f"   gold: missed {', '.join(missed) or '-'}; not in gold {', '.join(extra) or '-'}")
    for signal in analysis.signals:
        lines.append(f"   {signal.id} ({signal.polarity}, {signal.severity}, weight {signal.weight:g})")
        for e in signal.evidence:
            marked = e.sentence.replace(e.text, f"[{e.text}]", 1)
            lines.append(f"      {e.start}-{e.end}: {_clip(marked)}")
    if not analysis.signals:
        lines.append("   no signals")
    return "\n".join(lines)


def _clip(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    if len(text) <= width:
        return text
    mark = text.find("[")
    start = max(0, min(mark - width // 3, len(text) - width))
    return ("…" if start else "") + text[start : start + width] + ("…" if start + width < len(text) else "")
