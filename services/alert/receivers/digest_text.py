"""A digest in words, shared by every receiver: the lines each one shows, and how many situations fit.

Every receiver has a size limit (Slack's 3,000 characters a section, Teams' 28 KB request, an email body
budget), so `fit_digest` decides how many situations of each topic are listed: the same number for every
topic, as many as fit, the rest counted ("and 4 more situations"); topics that do not fit even without
situations are counted too. Feed text is bounded here (titles, sources, links) and escaped by each
receiver. Pure: no I/O.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass

from services.alert.digest import Digest, SituationLine, TopicSection
from services.alert.receivers.text import REPEAT_NOTE, clip, one_line, when
from services.alert.wording import count

MAX_TITLE = 300
MAX_SOURCE = 100
MAX_URL = 1000
MAX_BY = 100
MAX_TEXT_BODY = 20_000
MAX_HTML_BODY = 100_000
DIGEST_REPEAT_NOTE = REPEAT_NOTE.replace("this notification", "this digest")
COLOURS = {"low": "#3b82f6", "medium": "#ca8a04", "high": "#ea580c", "critical": "#dc2626"}


@dataclass(frozen=True)
class Fitted:
    sections: tuple[tuple[TopicSection, tuple[SituationLine, ...]], ...]
    topics_omitted: int


def fit_digest(
    digest: Digest,
    budget: int,
    topic_size: Callable[[TopicSection], int],
    line_size: Callable[[SituationLine], int],
) -> Fitted:
    """The most situations per topic (the same cap for every topic) whose sizes, with every topic's
    header, stay within `budget`, then more for the first topics while they fit; topics dropped from the
    end if even their headers do not fit."""
    topics = list(digest.topics)
    sizes = [[line_size(line) for line in t.shown] for t in topics]
    heads = [topic_size(t) for t in topics]

    def total(cap: int, upto: int) -> int:
        return sum(heads[:upto]) + sum(sum(s[:cap]) for s in sizes[:upto])

    upto = len(topics)
    while upto and total(0, upto) > budget:
        upto -= 1
    low, high = 0, max((len(s) for s in sizes), default=0)
    while low < high:  # the largest cap that fits
        middle = (low + high + 1) // 2
        low, high = (middle, high) if total(middle, upto) <= budget else (low, middle - 1)
    counts = [min(low, len(s)) for s in sizes[:upto]]
    left = budget - total(low, upto)
    for i, lines in enumerate(sizes[:upto]):  # what is left goes to the first (most severe) topics
        while counts[i] < len(lines) and lines[counts[i]] <= left:
            left -= lines[counts[i]]
            counts[i] += 1
    return Fitted(
        tuple((t, t.shown[:n]) for t, n in zip(topics, counts, strict=False)),
        digest.topics_omitted + len(topics) - upto,
    )


def more_situations(section: TopicSection, shown: int) -> str | None:
    left = section.situations - shown
    return f"and {count(left, 'more situation')}" if left > 0 else None


def more_topics(omitted: int) -> str | None:
    return f"{count(omitted, 'more topic')} not shown" if omitted else None


def headline(digest: Digest) -> str:
    mark = "(possible repeat) " if digest.possible_repeat else ""
    return f"{mark}newsmon digest, {digest.span}"


def notes(digest: Digest) -> list[str]:
    """What a reader must know first: a possible repeat, digests missed while the service was down."""
    found = [DIGEST_REPEAT_NOTE] if digest.possible_repeat else []
    if digest.missed_note:
        found.append(digest.missed_note)
    return found


def title_of(line: SituationLine) -> str:
    return clip(one_line(line.title), MAX_TITLE) or "(untitled)"


def facts_of(line: SituationLine) -> str:
    """ "2 alerts, 3 distinct sources · acknowledged by Dana (2025-06-17 12:10 UTC)"."""
    said = f"{count(line.alerts, 'alert')}, {count(line.distinct_sources, 'distinct source')}"
    if line.acknowledged_by:
        by = clip(one_line(line.acknowledged_by), MAX_BY)
        at = f" ({when(line.acknowledged_at)})" if line.acknowledged_at else ""
        said += f" · acknowledged by {by}{at}"
    return said


def first_of(line: SituationLine) -> tuple[str, str | None] | None:
    """The first evidence as ("title (source, date)", url or None)."""
    first = line.first
    if first is None:
        return None
    label = (
        f"{clip(one_line(first.title), MAX_TITLE) or '(untitled)'} "
        f"({clip(one_line(first.source), MAX_SOURCE)}, {when(first.published_at)})"
    )
    url = first.url.strip() if first.url else None
    return label, url if url and len(url) <= MAX_URL and url.lower().startswith(
        ("http://", "https://")
    ) else None


def trend_of(section: TopicSection) -> str:
    return f"Trend: {section.trend.text}" if section.trend else "Trend: no trend windows in this period"


# -- plain text (console, the text part of email) --------------------------------------------------


def _text_topic(section: TopicSection) -> str:
    return f"\n== {one_line(section.label)} ==\n{section.line}\n{trend_of(section)}"


def _text_line(line: SituationLine) -> str:
    lines = [f"  - {line.severity.value.upper()} {title_of(line)}", f"    {facts_of(line)}"]
    first = first_of(line)
    if first is not None:
        label, url = first
        lines.append(f"    first report: {label}" + (f" {url}" if url else ""))
    lines.append(f"    situation {line.situation}")
    return "\n".join(lines)


def render_digest_text(digest: Digest) -> str:
    head = [headline(digest), *notes(digest), digest.summary]
    fitted = fit_digest(
        digest, MAX_TEXT_BODY - 1000, lambda t: len(_text_topic(t)) + 40, lambda x: len(_text_line(x)) + 1
    )
    body: list[str] = []
    for section, shown in fitted.sections:
        body.append(_text_topic(section))
        body += [_text_line(line) for line in shown]
        more = more_situations(section, len(shown))
        if more:
            body.append(f"  … {more}")
    tail = more_topics(fitted.topics_omitted)
    return "\n".join(head + body + ([f"\n… {tail}"] if tail else []))


# -- HTML (email) ------------------------------------------------------------------------------------


def _html_topic(section: TopicSection) -> str:
    e = html.escape
    colour = COLOURS.get(section.severity.value, "#dc2626")
    return (
        f"<h3 style='margin:18px 0 4px;border-bottom:2px solid {colour}'>{e(one_line(section.label))}</h3>"
        f"<p style='margin:2px 0'>{e(section.line)}<br><small>{e(trend_of(section))}</small></p>"
    )


def _html_line(line: SituationLine) -> str:
    e = html.escape
    colour = COLOURS.get(line.severity.value, "#dc2626")
    first = first_of(line)
    evidence = ""
    if first is not None:
        label, url = first
        shown = f"<a href='{e(url)}'>{e(label)}</a>" if url else e(label)
        evidence = f"<br><small>First report: {shown}</small>"
    return (
        f"<li style='margin:6px 0'><strong style='color:{colour}'>{e(line.severity.value.upper())}</strong> "
        f"{e(title_of(line))}<br><small>{e(facts_of(line))} · situation {e(line.situation)}</small>"
        f"{evidence}</li>"
    )


def render_digest_html(digest: Digest) -> str:
    e = html.escape
    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        "<body style='font-family:sans-serif;max-width:46em'>"
        f"<h2>{e(headline(digest))}</h2>"
        + "".join(f"<p><strong>{e(note)}</strong></p>" for note in notes(digest))
        + f"<p>{e(digest.summary)}</p>"
    )
    fitted = fit_digest(
        digest,
        MAX_HTML_BODY - len(head) - 2000,
        lambda t: len(_html_topic(t)) + 200,
        lambda x: len(_html_line(x)),
    )
    body = []
    for section, shown in fitted.sections:
        items = "".join(_html_line(line) for line in shown)
        more = more_situations(section, len(shown))
        if more:
            items += f"<li><em>{e(more)}</em></li>"
        body.append(_html_topic(section) + f"<ul style='padding-left:18px'>{items}</ul>")
    tail = more_topics(fitted.topics_omitted)
    ending = (f"<p><em>{e(tail)}</em></p>" if tail else "") + "</body></html>"
    return head + "".join(body) + ending
