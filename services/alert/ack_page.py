"""The acknowledge page: plain HTML, everything escaped, no scripts, no external assets. Pure.

GET shows the situation and a form; only the form's POST acknowledges, because chat and mail link
scanners fetch every link they see. The page works without a browser too:
`curl -X POST -d by=NAME <link>` acknowledges and answers with the same page.
"""

from __future__ import annotations

import html
from datetime import datetime

from schemas import Acknowledgement
from schemas.alert import MAX_ACK_BY, MAX_ACK_COMMENT
from services.alert.ack_tokens import REFUSED
from services.alert.acks import SituationView
from services.alert.names import DisplayNames

HEADERS: tuple[tuple[str, str], ...] = (
    ("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'"),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "no-referrer"),
    ("Cache-Control", "no-store"),
)
"""The link is the credential: it must not leak through a Referer, a cache or a frame."""
CONTENT_TYPE = "text/html; charset=utf-8"
STYLE = (
    "body{font-family:sans-serif;max-width:40em;margin:2em auto;padding:0 1em;color:#111}"
    "th{text-align:left;padding-right:1em;vertical-align:top}label{display:block;margin-top:1em}"
    "input,textarea{width:100%;box-sizing:border-box;font:inherit;padding:.3em}"
    "button{margin-top:1em;font:inherit;padding:.4em 1.2em}.note{color:#555}.error{color:#b91c1c}"
)


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _document(title: str, body: str) -> bytes:
    e = html.escape
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width,initial-scale=1'>"
        f"<meta name='robots' content='noindex'><title>{e(title)}</title><style>{STYLE}</style></head>"
        f"<body>{body}</body></html>"
    ).encode()


def _facts(view: SituationView, names: DisplayNames) -> str:
    e = html.escape
    rows = [
        ("Situation", view.situation),
        ("Topic", names.topic(view.topic) if view.topic else "-"),
        ("Severity", view.severity.value.upper() if view.severity else "-"),
        ("Distinct sources", str(view.distinct_sources)),
        ("Notified", f"{_when(view.first_notified_at)} to {_when(view.last_notified_at)}"),
        ("Sent to", ", ".join(view.receivers)),
    ]
    return "<table>" + "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in rows) + "</table>"


def _previous(ack: Acknowledgement | None, now: datetime) -> str:
    if ack is None or now >= ack.holds_until:
        return ""
    e = html.escape
    comment = f" ({e(ack.comment)})" if ack.comment else ""
    return (
        f"<p class='note'>Already acknowledged by {e(ack.by)}{comment} at {_when(ack.at)}; "
        "acknowledging again replaces it.</p>"
    )


def confirm_page(
    view: SituationView,
    names: DisplayNames,
    holds_for: str,
    now: datetime,
    previous: Acknowledgement | None = None,
    error: str = "",
    by: str = "",
    comment: str = "",
) -> bytes:
    """The situation and the form; `error` (with what was typed) when a POST was not accepted."""
    e = html.escape
    title = view.title or "Situation " + view.situation
    problem = f"<p class='error'>{e(error)}</p>" if error else ""
    body = (
        f"<h1>Acknowledge: {e(title)}</h1>{_facts(view, names)}{_previous(previous, now)}"
        f"<p class='note'>Acknowledging keeps this situation quiet for {e(holds_for)}, unless a new "
        "independent source or a higher severity comes in; whoever got it hears who acknowledged.</p>"
        f"{problem}<form method='post'>"
        f"<label for='by'>Your name</label><input id='by' name='by' required maxlength='{MAX_ACK_BY}' "
        f"value='{e(by)}' autocomplete='name'>"
        f"<label for='comment'>Comment (optional)</label><textarea id='comment' name='comment' rows='3' "
        f"maxlength='{MAX_ACK_COMMENT}'>{e(comment)}</textarea>"
        "<button type='submit'>Acknowledge</button></form>"
    )
    return _document(f"Acknowledge: {title}", body)


def done_page(ack: Acknowledgement, holds_for: str) -> bytes:
    e = html.escape
    comment = f" ({e(ack.comment)})" if ack.comment else ""
    title = ack.title or "Situation " + ack.situation
    body = (
        f"<h1>Acknowledged by {e(ack.by)}</h1><p>{e(title)}{comment}</p>"
        f"<p class='note'>Situation {e(ack.situation)}, at {_when(ack.at)}. It stays quiet for "
        f"{e(holds_for)} unless a new independent source or a higher severity comes in.</p>"
    )
    return _document(f"Acknowledged by {ack.by}", body)


def refused_page() -> bytes:
    """The same bytes for every refusal: forged, expired, replayed or malformed."""
    return _document(REFUSED, f"<h1>{html.escape(REFUSED)}</h1>")


def message_page(title: str, text: str) -> bytes:
    return _document(title, f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>")
