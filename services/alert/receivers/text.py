"""The plain-text form of a notification, shared by the console and the text part of email."""

from __future__ import annotations

from datetime import datetime

from services.alert.notification import Notification

MAX_QUOTES = 10


def when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment.utcoffset() is not None else moment.isoformat()


def facts(notification: Notification) -> list[tuple[str, str]]:
    """The fields every receiver shows, as (label, value)."""
    return [
        ("Severity", notification.severity.value.upper()),
        ("Topic", notification.topic or "-"),
        ("Signals", ", ".join(notification.signals) or "-"),
        ("Distinct sources", str(notification.distinct_sources)),
        ("First seen", when(notification.first_seen)),
        ("Rule", notification.rule_id),
    ]


def render_text(notification: Notification) -> str:
    lines = [f"[{notification.severity.value.upper()}] {notification.title}", notification.summary, ""]
    lines += [f"{label}: {value}" for label, value in facts(notification)]
    evidence = notification.evidence
    if evidence:
        lines += ["", "Evidence:"]
    for item in evidence[:MAX_QUOTES]:
        lines.append(f'  "{item.sentence or item.quote}"')
        lines.append(f"    - {item.title} ({item.source}, {when(item.published_at)})")
        if item.url:
            lines.append(f"      {item.url}")
    if len(evidence) > MAX_QUOTES:
        lines.append(f"  ... and {len(evidence) - MAX_QUOTES} more")
    lines += ["", f"Alert ids: {', '.join(notification.alert_ids)}"]
    return "\n".join(lines)
