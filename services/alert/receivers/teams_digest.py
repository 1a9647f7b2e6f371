"""A digest as an Adaptive Card 1.5 for a Teams Workflows webhook.

Feed text and taxonomy labels go only into TextRuns (shown as written); only our own words go into
TextBlocks. The request stays under `teams.MAX_PAYLOAD` bytes: as many situations per topic as fit are
listed, the rest counted. Pure: no I/O.
"""

from __future__ import annotations

import json
from typing import Any

from services.alert.digest import Digest, SituationLine, TopicSection
from services.alert.receivers.digest_text import (
    facts_of,
    first_of,
    fit_digest,
    headline,
    more_situations,
    more_topics,
    notes,
    title_of,
    trend_of,
)
from services.alert.receivers.teams import (
    CARD_VERSION,
    COLOURS,
    MAX_PAYLOAD,
    escape_markdown,
    message,
    rich,
    run,
    safe_url,
)


def _size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def _topic_blocks(section: TopicSection) -> list[dict[str, Any]]:
    colour = COLOURS.get(section.severity.value, "Attention")
    return [
        rich(run(section.label, weight="Bolder", size="Medium", color=colour), separator=True),
        rich(run(section.line), run(" · "), run(trend_of(section), isSubtle=True), spacing="None"),
    ]


def _line_blocks(line: SituationLine) -> list[dict[str, Any]]:
    colour = COLOURS.get(line.severity.value, "Attention")
    said = [
        run(f"{line.severity.value.upper()} ", weight="Bolder", color=colour),
        run(title_of(line)),
        run(f" — {facts_of(line)} · situation {line.situation}", isSubtle=True),
    ]
    blocks = [rich(*said)]
    first = first_of(line)
    if first is not None:
        label, url = first
        url = safe_url(url) if url else None
        target = run(label, selectAction={"type": "Action.OpenUrl", "url": url}) if url else run(label)
        blocks.append(rich(run("First report: ", isSubtle=True), target, spacing="None"))
    return blocks


def render_digest(digest: Digest) -> dict[str, Any]:
    body: list[dict[str, Any]] = [rich(run(headline(digest), weight="Bolder", size="Large"))]
    body += [{"type": "TextBlock", "text": n, "wrap": True, "color": "Warning"} for n in notes(digest)]
    body.append(rich(run(digest.summary)))
    card: dict[str, Any] = {
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "type": "AdaptiveCard",
        "version": CARD_VERSION,
        "fallbackText": escape_markdown(headline(digest)),
        "body": body,
    }
    room = MAX_PAYLOAD - _size(message(card)) - 600
    fitted = fit_digest(
        digest, room, lambda t: _size(_topic_blocks(t)) + 200, lambda x: _size(_line_blocks(x)) + 2
    )
    for section, shown in fitted.sections:
        body += _topic_blocks(section)
        for line in shown:
            body += _line_blocks(line)
        more = more_situations(section, len(shown))
        if more:
            body.append(rich(run(more, isSubtle=True, italic=True)))
    footer = f"digest {digest.id}"
    tail = more_topics(fitted.topics_omitted)
    body.append(
        rich(run(footer + (f" · {tail}" if tail else ""), isSubtle=True, size="Small"), separator=True)
    )
    return message(card)
