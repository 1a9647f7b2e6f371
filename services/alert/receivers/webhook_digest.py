"""A digest as a signed webhook body (`"type": "digest"`, `"kind": "digest"`; docs/webhook.md): the
period, its counts, and per topic the situations with their first evidence. Bounded under
`webhook.MAX_BODY_BYTES` by listing fewer situations per topic (counted in `situations_omitted`). Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.alert.digest import Digest, SituationLine, TopicSection
from services.alert.receivers.digest_text import fit_digest
from services.alert.receivers.webhook import BODY_VERSION, MAX_BODY_BYTES, encode


def _line(line: SituationLine) -> dict[str, Any]:
    first = line.first
    return {
        "situation": line.situation,
        "title": line.title,
        "rule_id": line.rule_id,
        "severity": line.severity.value,
        "alerts": line.alerts,
        "distinct_sources": line.distinct_sources,
        "first_seen": line.first_seen.isoformat(),
        "last_seen": line.last_seen.isoformat(),
        "acknowledged_by": line.acknowledged_by,
        "acknowledged_at": line.acknowledged_at.isoformat() if line.acknowledged_at else None,
        "first_evidence": None
        if first is None
        else {
            "title": first.title,
            "url": first.url,
            "source": first.source,
            "published_at": first.published_at.isoformat(),
        },
    }


def _topic(section: TopicSection, shown: tuple[SituationLine, ...] = ()) -> dict[str, Any]:
    trend = section.trend
    return {
        "topic": section.topic,
        "topic_label": section.label,
        "alerts": section.alerts,
        "alerts_by_severity": {s.value: n for s, n in section.counts},
        "situations_total": section.situations,
        "distinct_sources": section.sources,
        "trend": None
        if trend is None
        else {
            "direction": trend.direction,
            "index_at_start": trend.opening,
            "index_at_end": trend.closing,
            "index_peak": trend.peak,
        },
        "situations": [_line(x) for x in shown],
        "situations_omitted": section.situations - len(shown),
    }


def digest_body(digest: Digest, sent_at: datetime) -> dict[str, Any]:
    document: dict[str, Any] = {
        "version": BODY_VERSION,
        "type": "digest",
        "kind": "digest",
        "id": digest.id,
        "receiver": digest.receiver,
        "sent_at": sent_at.isoformat(),
        "possible_repeat": digest.possible_repeat,
        "period_start": digest.period.start.isoformat(),
        "period_end": digest.period.end.isoformat(),
        "period": digest.span,
        "summary": digest.summary,
        "missed_periods": digest.missed,
        "alerts": digest.alerts,
        "alerts_by_severity": {s.value: n for s, n in digest.counts},
        "situations": digest.situations,
        "topics": [],
        "topics_omitted": digest.topics_omitted,
    }
    room = MAX_BODY_BYTES - len(encode(document)) - 64
    fitted = fit_digest(
        digest, room, lambda t: len(encode(_topic(t))) + 1, lambda x: len(encode(_line(x))) + 1
    )
    document["topics"] = [_topic(t, shown) for t, shown in fitted.sections]
    document["topics_omitted"] = fitted.topics_omitted
    return document
