"""A digest as a Slack message: a header, the summary, one section per topic with its situations.

Within Slack's limits whatever the feed text: each topic's section stays under 3,000 characters after
escaping (situations that do not fit are counted), at most 50 blocks, header 150. Pure: no I/O.
"""

from __future__ import annotations

from typing import Any

from services.alert.digest import Digest, SituationLine, TopicSection
from services.alert.receivers.digest_text import (
    facts_of,
    first_of,
    headline,
    more_situations,
    more_topics,
    notes,
    title_of,
    trend_of,
)
from services.alert.receivers.slack_render import (
    MAX_BLOCKS,
    MAX_FIELD,
    MAX_HEADER,
    MAX_SECTION,
    MAX_TEXT,
    escape,
    fit,
    fit_plain,
    inline,
    link,
    section,
    size,
)

MAX_TOPIC_SECTIONS = (MAX_BLOCKS - 5) // 2
"""Room for a divider and a section per topic beside the header, notes, summary and footer."""


def _line(line: SituationLine) -> str:
    first = first_of(line)
    said = f"• *{line.severity.value.upper()}* {escape(title_of(line))} — {escape(facts_of(line))}"
    if first is not None:
        label, url = first
        said += f"\n    first report: {link(url, label) if url else escape(inline(label))}"
    return said + f" · `{escape(line.situation)}`"


def _topic(section_: TopicSection) -> str:
    """The topic's section: label, counts and trend, then the situations that fit, then how many not."""
    text = f"*{escape(inline(section_.label))}*\n{escape(section_.line)}\n_{escape(trend_of(section_))}_"
    shown = 0
    for line in section_.shown:
        candidate = f"{text}\n{_line(line)}"
        if size(candidate) > MAX_SECTION - 60:
            break
        text, shown = candidate, shown + 1
    more = more_situations(section_, shown)
    return text + (f"\n_{escape(more)}_" if more else "")


def render_digest(digest: Digest) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": fit_plain(headline(digest), MAX_HEADER)}},
    ]
    if notes(digest):
        context = [
            {"type": "mrkdwn", "text": fit(f":warning: {escape(n)}", MAX_FIELD)} for n in notes(digest)
        ]
        blocks.append({"type": "context", "elements": context})
    blocks.append(section(f":newspaper: {escape(digest.summary)}"))
    topics = digest.topics[:MAX_TOPIC_SECTIONS]
    for topic in topics:
        blocks += [{"type": "divider"}, section(_topic(topic))]
    tail = more_topics(digest.topics_omitted + len(digest.topics) - len(topics))
    footer = f"digest `{escape(digest.id)}`" + (f" · {escape(tail)}" if tail else "")
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": fit(footer, MAX_FIELD)}]})
    preview = fit(f"{escape(headline(digest))} — {escape(digest.summary)}", MAX_TEXT)
    return {"text": preview, "blocks": blocks}
