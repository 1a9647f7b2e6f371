"""A digest as one Mattermost post: markdown text, every piece of feed text escaped (no markdown, mention
or link token survives), within the post limit; situations that do not fit are counted. Pure: no I/O."""

from __future__ import annotations

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
from services.alert.receivers.mattermost import MAX_TEXT, escape, link
from services.alert.receivers.text import clip


def _topic(section: TopicSection) -> str:
    return f"\n#### {escape(section.label)}\n{escape(section.line)}  \n_{escape(trend_of(section))}_"


def _line(line: SituationLine) -> str:
    said = f"- **{line.severity.value.upper()}** {escape(title_of(line))} — {escape(facts_of(line))}"
    first = first_of(line)
    if first is not None:
        label, url = first
        said += f"  \n  first report: {link(url, escape(label)) if url else escape(label)}"
    return said + f" · situation `{escape(line.situation)}`"


def render_digest(digest: Digest, channel: str | None = None, username: str | None = None) -> dict[str, Any]:
    head = [
        f"### {escape(headline(digest))}",
        *(f"_{escape(n)}_" for n in notes(digest)),
        escape(digest.summary),
    ]
    room = MAX_TEXT - sum(len(h) + 1 for h in head) - 300
    fitted = fit_digest(digest, room, lambda t: len(_topic(t)) + 80, lambda x: len(_line(x)) + 1)
    lines = list(head)
    for section, shown in fitted.sections:
        lines.append(_topic(section))
        lines += [_line(x) for x in shown]
        more = more_situations(section, len(shown))
        if more:
            lines.append(f"_{escape(more)}_")
    tail = more_topics(fitted.topics_omitted)
    lines.append(f"\n_digest {escape(digest.id)}" + (f" · {escape(tail)}" if tail else "") + "_")
    payload: dict[str, Any] = {"text": clip("\n".join(lines), MAX_TEXT)}
    if channel:
        payload["channel"] = channel
    if username:
        payload["username"] = username
    return payload
