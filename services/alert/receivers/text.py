"""The plain-text form of a notification, shared by the console and the text part of email.

Every piece of feed text is bounded, and quotes are taken only while the body stays within its budget, so
one enormous article cannot make a message a mail server or a reader refuses; what is left out is counted.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import datetime

from schemas import AlertEvidence
from services.alert.names import DisplayNames
from services.alert.notification import FollowUp, Notification

MAX_QUOTES = 10
MAX_TITLE = 300
MAX_SUMMARY = 2000
MAX_SENTENCE = 1000
MAX_URL = 2000
MAX_NAME = 200
"""A source name, or a fact's value (topic, signals, rule). Topic and signal labels are bounded where they are
read too (`names.MAX_LABEL`), but a fact may join several."""
MAX_ALERT_IDS = 20
MAX_TEXT_BODY = 20_000
"""Characters of the text form; quotes beyond it are counted, not shown."""

REPEAT_NOTE = (
    "Possible repeat: the alert service stopped while sending this notification, "
    "so it may have arrived once already."
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment.utcoffset() is not None else moment.isoformat()


def one_line(text: str) -> str:
    """Control characters (CR and LF included) and runs of whitespace become one space."""
    return " ".join(_CONTROL.sub(" ", text).split())


def clip(text: str, limit: int) -> str:
    """At most `limit` characters, ending with "…" when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def take_within(
    items: Sequence[str], budget: int, measure: Callable[[str], int] = len, most: int | None = None
) -> tuple[list[str], int]:
    """The leading items (at most `most`) whose sizes, plus a separator each, fit in `budget`; and how
    many were left out."""
    kept: list[str] = []
    used = 0
    for item in items[:most]:
        used += measure(item) + 1
        if used > budget:
            break
        kept.append(item)
    return kept, len(items) - len(kept)


def not_shown(count: int) -> str:
    return f"… {count} more quote{'s' if count != 1 else ''} not shown"


DATES = {"First seen": "first_seen", "Last seen": "last_seen"}
"""Facts that are moments, by the Notification attribute holding them (Slack shows them in the reader's
time zone)."""


def facts(notification: Notification) -> list[tuple[str, str]]:
    """The fields every receiver shows, as (label, value), each value one bounded line. Topics and signals
    by their labels: the ids are for routes and silences, not for readers. "Last seen" only when the
    evidence spans time, so a group of alerts hours apart does not read as one moment."""
    span = (
        [("Last seen", when(notification.last_seen))]
        if notification.last_seen != notification.first_seen
        else []
    )
    return [
        (label, clip(one_line(value), MAX_NAME))
        for label, value in (
            ("Severity", notification.severity.value.upper()),
            ("Topic", notification.topic_label or "-"),
            ("Signals", ", ".join(notification.signal_labels) or "-"),
            ("Distinct sources", str(notification.distinct_sources)),
            ("First seen", when(notification.first_seen)),
            *span,
            ("Rule", notification.rule_id),
        )
    ]


def alert_ids(notification: Notification) -> str:
    ids = notification.alert_ids
    shown = ", ".join(ids[:MAX_ALERT_IDS])
    return shown + (f" and {len(ids) - MAX_ALERT_IDS} more" if len(ids) > MAX_ALERT_IDS else "")


RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur", "yi", "ps", "ckb", "dv", "sd", "ug"})
"""Languages written right to left: their quotes are isolated (text) or set right to left (HTML, cards)."""


def right_to_left(item: AlertEvidence) -> bool:
    return item.language in RIGHT_TO_LEFT


def isolated(text: str, item: AlertEvidence) -> str:
    """A right-to-left quote between Unicode isolates (FSI ... PDI): Slack, email text and the console then
    lay it out right to left without reordering the quotation marks and attribution around it."""
    return f"\u2068{text}\u2069" if right_to_left(item) and text else text


def quote_parts(item: AlertEvidence, sentence_limit: int = MAX_SENTENCE) -> tuple[str, str, str]:
    """The quoted sentence on one line, cut to `sentence_limit`, split around the words that prove the
    signal: (before, proof, after); the proof is empty when the sentence does not hold it."""
    sentence = clip(one_line(item.sentence or item.quote), sentence_limit)
    proof = one_line(item.quote)
    return sentence.partition(proof) if proof else (sentence, "", "")


def signal_note(item: AlertEvidence, names: DisplayNames) -> str:
    """ " · Evacuation": which signal the quote proves, by its label; empty when it names none."""
    return f" · {clip(one_line(names.signal(item.signal)), MAX_NAME)}" if item.signal else ""


def _quote(item: AlertEvidence, names: DisplayNames) -> str:
    lines = [
        f'  "{isolated(clip(one_line(item.sentence or item.quote), MAX_SENTENCE), item)}"',
        f"    - {clip(one_line(item.title), MAX_TITLE)} "
        f"({clip(one_line(item.source), MAX_NAME)}, {when(item.published_at)}){signal_note(item, names)}",
    ]
    if item.url:
        lines.append(f"      {clip(one_line(item.url), MAX_URL)}")
    return "\n".join(lines)


ACK_LABEL = "Acknowledge"
MAX_ACK_NOTE = 800
"""An acknowledger's name and comment with our words around them (the schema bounds them to 600)."""


def ack_note(notification: Notification) -> str | None:
    """ "Acknowledged earlier by Dana (...); sent again: a new independent source.", one bounded line."""
    note = notification.acknowledged
    return clip(one_line(note.text), MAX_ACK_NOTE) if note is not None else None


def situation_line(notification: Notification | FollowUp) -> str:
    """The situation's id, as `newsmon ack` takes it and the logs print it."""
    return f"Situation: {notification.fingerprint}"


def follow_up_text(follow_up: FollowUp) -> str:
    """The follow-up as plain text: who acknowledged (and their comment), then which situation."""
    return "\n".join(
        [
            clip(one_line(follow_up.text), MAX_ACK_NOTE),
            clip(one_line(follow_up.about), MAX_TITLE + MAX_NAME),
            f"Acknowledged at {when(follow_up.at)}",
        ]
    )


def render_text(notification: Notification) -> str:
    lines = [f"[{notification.severity.value.upper()}] {clip(one_line(notification.title), MAX_TITLE)}"]
    if notification.possible_repeat:
        lines.append(REPEAT_NOTE)
    note = ack_note(notification)
    if note:
        lines.append(note)
    lines += [clip(one_line(notification.summary), MAX_SUMMARY), ""]
    lines += [f"{label}: {value}" for label, value in facts(notification)]
    ending = ["", f"Alert ids: {alert_ids(notification)}", situation_line(notification)]
    if notification.ack_url:
        ending.append(f"{ACK_LABEL}: {notification.ack_url}")
    evidence = [_quote(item, notification.names) for item in notification.evidence]
    if evidence:
        room = MAX_TEXT_BODY - sum(len(line) + 1 for line in lines + ending) - 100
        kept, omitted = take_within(evidence, room, most=MAX_QUOTES)
        lines += ["", "Evidence:", *kept] + ([f"  {not_shown(omitted)}"] if omitted else [])
    return "\n".join(lines + ending)
