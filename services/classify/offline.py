"""The offline commands' pure half: JSON lines in, results and readable explanations out.

An input line holds at least `id`, `title` and `text` (optionally `source`, `url` and `published_at`), or
is a whole raw article (it has `feed_id`) or a classified one (it has `article`), whose raw article is read.
The text classified is the title, a newline and the text, exactly as the stream classifies a raw article, so
offsets in the output index into that string.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from schemas.article import RawArticle
from schemas.offline import BadRecord, offline_article
from services.classify.engine import Analysis

__all__ = ["BadRecord", "Record", "explain", "parse_record", "result"]


@dataclass(frozen=True)
class Record:
    article: RawArticle
    gold_signals: frozenset[str] | None
    gold_topics: frozenset[str] | None
    conflict: bool | None = None
    """A person's reading of whether the text is about armed conflict, where the corpus records it."""
    register: str = ""
    """The corpus's section or genre (sport, business ...), where it records one."""


def parse_record(line: str) -> Record:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BadRecord(f"not JSON: {exc.msg} at column {exc.colno}") from None
    if not isinstance(data, dict):
        raise BadRecord("expected a JSON object with id, title and text")
    conflict, register = data.get("conflict"), data.get("register", "")
    if conflict is not None and not isinstance(conflict, bool):
        raise BadRecord("conflict must be true or false")
    if not isinstance(register, str):
        raise BadRecord("register must be a string")
    return Record(
        offline_article(data), _labels(data, "signals"), _labels(data, "topics"), conflict, register[:64]
    )


def _labels(data: dict[str, Any], key: str) -> frozenset[str] | None:
    value = data.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise BadRecord(f"{key} must be a list of ids")
    return frozenset(value)


def result(article_id: str, analysis: Analysis, language: str = "en") -> dict[str, Any]:
    """The output line of `newsmon classify` for one input."""
    return {
        "id": article_id,
        "language": language,
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


def explain(article: RawArticle, analysis: Analysis, gold: Record | None = None, language: str = "en") -> str:
    """A view for people tuning rules: each signal with its passages marked inside their sentences."""
    lines = [f"== {article.id}  [{language}]  score {analysis.score:.2f}  {article.title[:80]}".rstrip()]
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
