"""Slack payloads for a notification, within Slack's limits whatever the feed text.

Feed text is untrusted: `&`, `<` and `>` are escaped everywhere it lands in mrkdwn, so a headline cannot
mention `<!channel>` or disguise a link. Escaping can multiply a text's length by five, so every field is
bounded after escaping, in UTF-16 code units (the stricter reading of Slack's "characters": an emoji counts
twice), and cut only between entities and `<...|...>` tokens. A payload Slack would refuse loses the whole
notification (400 is permanent), so a limit is never left to chance. Pure: no I/O.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from schemas import AlertEvidence
from services.alert.names import NO_NAMES, DisplayNames
from services.alert.notification import FollowUp, Notification
from services.alert.receivers.text import (
    ACK_LABEL,
    DATES,
    REPEAT_NOTE,
    ack_note,
    facts,
    isolated,
    quote_parts,
    take_within,
)

MAX_HEADER = 150
"""A header block's plain_text."""
MAX_SECTION = 3000
"""A section's text (and any text object)."""
MAX_FIELD = 2000
"""Each of a section's fields."""
MAX_FIELDS = 10
MAX_CONTEXT_ELEMENTS = 10
MAX_BLOCKS = 50
MAX_TEXT = 3000
"""The top-level `text`: the notification preview, or the whole message when blocks are refused. Slack
truncates beyond 40,000 and advises staying under 4,000."""
MAX_URL = 1000
"""A longer link URL is left out and the title shown without it."""
MAX_LABEL = 300
"""An article title, as a link's label."""
MAX_NAME = 100
"""A source, rule or signal name."""
MAX_QUOTE_IN_TEXT = 400
MAX_URL_IN_TEXT = 500
"""A quote and a link URL in the plain-text form, where several quotes must share `MAX_TEXT`."""

ELLIPSIS = "…"
REPEAT_MARK = "(possible repeat) "
SEVERITY_MARK = {
    "low": ":large_blue_circle:",
    "medium": ":large_yellow_circle:",
    "high": ":large_orange_circle:",
}
_UNSAFE_IN_URL = re.compile(r"[\s\x00-\x1f\x7f|]")


def size(text: str) -> int:
    """Length in UTF-16 code units."""
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def escape(text: str) -> str:
    """Slack's three control characters as entities, so text is shown, never interpreted."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def inline(text: str) -> str:
    """One line: runs of whitespace (newlines included) become one space."""
    return " ".join(text.split())


def _prefix(text: str, units: int) -> str:
    cut = text[:units]
    while (excess := size(cut) - units) > 0:  # each character is one or two units
        cut = cut[: len(cut) - (excess + 1) // 2]
    return cut


def _close_tokens(cut: str) -> str:
    """Drop a trailing `<...` or `&...` left open by a cut: escaped text has no raw `<` or `&` of its own,
    so an open one is always our link, date or entity."""
    for opener, closer in (("<", ">"), ("&", ";")):
        start = cut.rfind(opener)
        if start != -1 and closer not in cut[start:]:
            cut = cut[:start]
    return cut


def fit(text: str, limit: int = MAX_SECTION) -> str:
    """Cut already escaped mrkdwn to `limit` units, never inside an entity or a `<...>` token."""
    if size(text) <= limit:
        return text
    return _close_tokens(_prefix(text, limit - 1)) + ELLIPSIS


def fit_plain(text: str, limit: int) -> str:
    """Cut plain_text (not escaped: Slack shows it as it is) to `limit` units."""
    return text if size(text) <= limit else _prefix(text, limit - 1) + ELLIPSIS


def link(url: str, label: str, max_url: int = MAX_URL) -> str:
    """`<url|label>`, or only the label when the URL is too long to show; neither can break out."""
    shown = fit(escape(inline(label)).replace("|", "¦"), MAX_LABEL) or "(untitled)"
    url = url.strip()
    safe_url = "" if len(url) > max_url else _UNSAFE_IN_URL.sub(lambda m: quote(m.group()), escape(url))
    if not safe_url or size(safe_url) > max_url:
        return f"{shown} (link too long to show)" if url else shown
    return f"<{safe_url}|{shown}>"


def name(text: str) -> str:
    """A source, rule or signal name, escaped and bounded."""
    return fit(escape(inline(text)), MAX_NAME)


def slack_date(moment: datetime) -> str:
    """A date Slack shows in the reader's time zone, with a UTC fallback."""
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def _marked_quote(item: AlertEvidence) -> str:
    """The sentence, escaped, with the quote that proves the signal in bold."""
    before, found, after = quote_parts(item, sentence_limit=MAX_TEXT)
    return isolated(escape(before) + (f"*{escape(found)}*" if found else "") + escape(after), item)


def _attribution(item: AlertEvidence, names: DisplayNames, max_url: int = MAX_URL) -> str:
    """`— title (source, date) · signal label`, every part bounded: at most ~1,600 units."""
    source = link(item.url, item.title, max_url) if item.url else fit(escape(inline(item.title)), MAX_LABEL)
    signal = f" · {name(names.signal(item.signal))}" if item.signal else ""
    return f"— {source} ({name(item.source)}, {slack_date(item.published_at)}){signal}"


def quote_block(item: AlertEvidence, names: DisplayNames = NO_NAMES) -> dict[str, Any]:
    footer = _attribution(item, names)
    quoted = fit(_marked_quote(item), MAX_SECTION - size(footer) - 2)
    return section(f">{quoted}\n{footer}")


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": fit(text, MAX_SECTION)}}


def headline(notification: Notification) -> str:
    """Severity and title, marked first when this may repeat an earlier message."""
    mark = REPEAT_MARK if notification.possible_repeat else ""
    return f"{mark}{notification.severity.value.upper()}: {inline(notification.title)}"


def _header(notification: Notification) -> dict[str, Any]:
    text = fit_plain(headline(notification), MAX_HEADER)
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _fields(notification: Notification) -> dict[str, Any]:
    fields = [
        {"type": "mrkdwn", "text": f"*{label}*\n{slack_date(getattr(notification, DATES[label]))}"}
        if label in DATES
        else {"type": "mrkdwn", "text": fit(f"*{label}*\n{escape(inline(value))}", MAX_FIELD)}
        for label, value in facts(notification)
    ]
    return {"type": "section", "fields": fields[:MAX_FIELDS]}


def _context(notification: Notification, not_shown: int) -> dict[str, Any]:
    text = (
        f"{len(notification.alerts)} alert(s) · rule `{name(notification.rule_id)}` · "
        f"situation `{name(notification.fingerprint)}`"
    )
    if not_shown:
        text += f" · {not_shown} more quote(s) not shown"
    elements = [{"type": "mrkdwn", "text": fit(text, MAX_FIELD)}]
    if notification.ack_url:
        elements.append(
            {"type": "mrkdwn", "text": fit(f"*{link(notification.ack_url, ACK_LABEL)}*", MAX_FIELD)}
        )
    if notification.possible_repeat:
        elements.insert(0, {"type": "mrkdwn", "text": f":warning: {escape(REPEAT_NOTE)}"})
    return {"type": "context", "elements": elements[:MAX_CONTEXT_ELEMENTS]}


def _ack_note(notification: Notification) -> list[dict[str, Any]]:
    """The acknowledger's name is typed by a person: escaped like feed text."""
    note = ack_note(notification)
    return [section(f":information_source: {escape(note)}")] if note else []


def preview(notification: Notification) -> str:
    """The top-level `text` beside blocks: what notifications and screen readers show."""
    summary = escape(inline(notification.summary))
    return fit(f"{escape(headline(notification))} — {summary}", MAX_TEXT)


def render(notification: Notification) -> dict[str, Any]:
    """The webhook payload: `text` (notifications, fallback) and `blocks`."""
    mark = SEVERITY_MARK.get(notification.severity.value, ":red_circle:")
    blocks: list[dict[str, Any]] = [
        _header(notification),
        *_ack_note(notification),
        section(f"{mark} {escape(inline(notification.summary))}"),
        _fields(notification),
    ]
    evidence = notification.evidence
    shown = min(len(evidence), MAX_BLOCKS - len(blocks) - 2)  # the divider and the context block
    if evidence:
        blocks.append({"type": "divider"})
        blocks += [quote_block(item, notification.names) for item in evidence[:shown]]
    blocks.append(_context(notification, len(evidence) - shown))
    return {"text": preview(notification), "blocks": blocks}


def _quote_line(item: AlertEvidence, names: DisplayNames) -> str:
    quoted = fit(_marked_quote(item), MAX_QUOTE_IN_TEXT)
    return f">{quoted}\n{_attribution(item, names, MAX_URL_IN_TEXT)}"


def render_plain(notification: Notification) -> dict[str, Any]:
    """The message as `text` alone (mrkdwn, no blocks), for when Slack refuses the blocks: headline,
    facts, then as many quotes as fit in `MAX_TEXT`, and how many did not."""
    lines = [f"*{escape(headline(notification))}*", escape(inline(notification.summary))]
    if notification.possible_repeat:
        lines.append(f"_{escape(REPEAT_NOTE)}_")
    note = ack_note(notification)
    if note:
        lines.append(f"_{escape(note)}_")
    lines.append(" · ".join(f"{label}: {escape(inline(value))}" for label, value in facts(notification)))
    head = fit("\n".join(lines), MAX_TEXT // 2)
    quotes = [_quote_line(item, notification.names) for item in notification.evidence]
    kept, omitted = take_within(quotes, MAX_TEXT - size(head) - 40, size)
    tail = [f"_{omitted} more quote(s) not shown_"] if omitted else []
    if notification.ack_url:
        tail.append(link(notification.ack_url, ACK_LABEL))
    return {"text": fit("\n".join([head, *kept, *tail]), MAX_TEXT)}


def render_follow_up(follow_up: FollowUp) -> dict[str, Any]:
    """The short follow-up: who acknowledged, their comment, which situation; all escaped and bounded."""
    said = escape(inline(follow_up.text))
    about = escape(inline(follow_up.about))
    mark = REPEAT_MARK if follow_up.possible_repeat else ""
    return {
        "text": fit(f"{escape(mark)}{said} — {about}", MAX_TEXT),
        "blocks": [section(f":white_check_mark: {escape(mark)}*{fit(said, 1500)}*\n{fit(about, 1000)}")],
    }
