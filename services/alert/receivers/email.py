"""Email over SMTP: STARTTLS or implicit TLS, optional login, multipart text and escaped HTML.

The Message-ID is derived from the notification id, so a message re-sent after a crash threads with (and
can be recognised as) the first; such a re-send says "possible repeat" in its subject. Feed text is
bounded: the subject is one line of at most 200 characters, the bodies stay within a budget and count the
quotes left out. The password is a secret: it never appears in a log, error or metric.
"""

from __future__ import annotations

import html
import smtplib
import ssl
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from pydantic import SecretStr

from schemas import AlertEvidence
from services.alert.digest import Digest
from services.alert.names import DisplayNames
from services.alert.notification import FollowUp, Notification
from services.alert.receivers.digest_text import render_digest_html, render_digest_text
from services.alert.receivers.text import (
    ACK_LABEL,
    MAX_NAME,
    MAX_QUOTES,
    MAX_SUMMARY,
    MAX_TITLE,
    MAX_URL,
    REPEAT_NOTE,
    ack_note,
    alert_ids,
    clip,
    facts,
    follow_up_text,
    not_shown,
    one_line,
    quote_parts,
    render_text,
    right_to_left,
    signal_note,
    take_within,
    when,
)
from services.alert.retry import Delivered, Permanent, Retry, Verdict
from streambase.clock import Clock, SystemClock

MAX_SUBJECT = 200
MAX_HTML_BODY = 100_000
"""Characters of the HTML part (escaping included); quotes beyond it are counted, not shown."""
COLOURS = {"low": "#3b82f6", "medium": "#ca8a04", "high": "#ea580c", "critical": "#dc2626"}


def _email(
    identifier: str,
    title: str,
    text: str,
    html_body: str,
    sender: str,
    recipients: list[str],
    now: datetime,
) -> EmailMessage:
    """Text and HTML alternatives; the Message-ID comes from the notification id, so a re-sent email after a
    crash threads with (and in some clients replaces) the first."""
    message = EmailMessage()
    message["Subject"] = title
    message["From"] = sender
    message["To"] = ", ".join(recipients)
    message["Date"] = format_datetime(now)
    domain = sender.rpartition("@")[2] or "newsmon.invalid"
    message["Message-ID"] = f"<{identifier.replace(':', '.')}@{domain}>"
    message["X-Newsmon-Notification"] = identifier
    message.set_content(text)
    message.add_alternative(html_body, subtype="html")
    return message


def _html_quote(item: AlertEvidence, colour: str, names: DisplayNames) -> str:
    e = html.escape
    before, found, after = quote_parts(item)
    title = e(clip(one_line(item.title), MAX_TITLE))
    url = clip(item.url.strip(), MAX_URL) if item.url else ""
    label = f"<a href='{e(url)}'>{title}</a>" if url else title
    origin = f"{clip(one_line(item.source), MAX_NAME)}, {when(item.published_at)}"
    return (
        f"<blockquote{_direction(item, colour)}>"
        f"{e(before)}<strong>{e(found)}</strong>{e(after)}<br>"
        f"<small>{label} ({e(origin)}){e(signal_note(item, names))}</small>"
        "</blockquote>"
    )


def _direction(item: AlertEvidence, colour: str) -> str:
    """The quote's language and direction: a right-to-left quote reads from the right, its bar there too."""
    side = "right" if right_to_left(item) else "left"
    attributes = f" style='border-{side}:3px solid {colour};margin:8px 0;padding-{side}:8px'"
    if item.language and item.language.isalpha():
        attributes += f" lang='{item.language}'"
    return attributes + (" dir='rtl'" if right_to_left(item) else "")


def render_html(notification: Notification) -> str:
    e = html.escape
    colour = COLOURS.get(notification.severity.value, "#dc2626")
    rows = "".join(
        f"<tr><th align='left' valign='top' style='padding-right:12px;white-space:nowrap'>{e(k)}</th>"
        f"<td>{e(v)}</td></tr>"
        for k, v in facts(notification)
    )
    title = e(clip(one_line(notification.title), MAX_TITLE))
    note = ack_note(notification)
    head = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        "<body style='font-family:sans-serif;max-width:46em'>"
        f"<h2 style='color:{colour}'>{e(notification.severity.value.upper())}: {title}</h2>"
        + (f"<p><strong>{e(REPEAT_NOTE)}</strong></p>" if notification.possible_repeat else "")
        + (f"<p><em>{e(note)}</em></p>" if note else "")
        + f"<p>{e(clip(one_line(notification.summary), MAX_SUMMARY))}</p><table>{rows}</table>"
    )
    ending = (
        _ack_button(notification.ack_url) + f"<p><small>Alert ids: {e(alert_ids(notification))}<br>"
        f"Situation: {e(notification.fingerprint)}</small></p></body></html>"
    )
    quotes = [_html_quote(item, colour, notification.names) for item in notification.evidence]
    room = MAX_HTML_BODY - len(head) - len(ending) - 200
    kept, omitted = take_within(quotes, room, most=MAX_QUOTES)
    evidence = "<h3>Evidence</h3>" + "".join(kept) if kept else ""
    if omitted:
        evidence += f"<p><em>{e(not_shown(omitted))}</em></p>"
    return head + evidence + ending


def _ack_button(url: str | None) -> str:
    if not url:
        return ""
    return (
        f"<p><a href='{html.escape(url)}' style='display:inline-block;padding:6px 14px;border-radius:4px;"
        f"background:#1f2937;color:#ffffff;text-decoration:none'>{ACK_LABEL}</a></p>"
    )


def render_follow_up_html(follow_up: FollowUp) -> str:
    e = html.escape
    said = e(clip(one_line(follow_up.text), 800))
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'></head>"
        "<body style='font-family:sans-serif;max-width:46em'>"
        f"<p><strong>{said}</strong></p><p>{e(clip(one_line(follow_up.about), MAX_TITLE + MAX_NAME))}</p>"
        f"<p><small>Acknowledged at {e(when(follow_up.at))}</small></p></body></html>"
    )


def follow_up_email(follow_up: FollowUp, sender: str, recipients: list[str], now: datetime) -> EmailMessage:
    """The follow-up: "[newsmon] Acknowledged by Dana: <headline>", text and HTML."""
    mark = "(possible repeat) " if follow_up.possible_repeat else ""
    title = clip(one_line(f"[newsmon] {mark}{follow_up.text}: {follow_up.title}"), MAX_SUBJECT)
    text, html_body = follow_up_text(follow_up), render_follow_up_html(follow_up)
    return _email(follow_up.id, title, text, html_body, sender, recipients, now)


def digest_email(digest: Digest, sender: str, recipients: list[str], now: datetime) -> EmailMessage:
    """ "[newsmon digest] 17 Jun 07:00 – 18 Jun 07:00 CEST: 4 situations in 2 topics, ...", text and HTML."""
    mark = "(possible repeat) " if digest.possible_repeat else ""
    title = clip(one_line(f"[newsmon digest] {mark}{digest.span}: {digest.summary}"), MAX_SUBJECT)
    text, html_body = render_digest_text(digest), render_digest_html(digest)
    return _email(digest.id, title, text, html_body, sender, recipients, now)


def subject(notification: Notification) -> str:
    """One line (no CR or LF from a headline can start another header), at most `MAX_SUBJECT` long."""
    mark = "(possible repeat) " if notification.possible_repeat else ""
    topic = f"[{notification.topic_label}] " if notification.topic_label else ""
    text = f"[newsmon {notification.severity.value.upper()}] {mark}{topic}{notification.title}"
    return clip(one_line(text), MAX_SUBJECT)


def render_email(
    notification: Notification, sender: str, recipients: list[str], now: datetime
) -> EmailMessage:
    text, html_body = render_text(notification), render_html(notification)
    return _email(notification.id, subject(notification), text, html_body, sender, recipients, now)


class EmailReceiver:
    def __init__(
        self,
        host: str,
        port: int,
        sender: str,
        recipients: list[str],
        security: str = "starttls",
        username: str | None = None,
        password: SecretStr | None = None,
        timeout: float = 20.0,
        tls_context: ssl.SSLContext | None = None,
        clock: Clock | None = None,
        name: str = "email",
    ) -> None:
        self.name = name
        if not recipients:
            raise ValueError("the email receiver needs at least one recipient")
        self._host, self._port, self._security = host, port, security
        self._sender, self._recipients = sender, recipients
        self._username, self._password = username, password
        self._timeout = timeout
        self._tls = tls_context or ssl.create_default_context()
        self._clock = clock or SystemClock()

    def send(self, notification: Notification) -> Verdict:
        return self._send(render_email(notification, self._sender, self._recipients, self._clock.now()))

    def send_follow_up(self, follow_up: FollowUp) -> Verdict:
        return self._send(follow_up_email(follow_up, self._sender, self._recipients, self._clock.now()))

    def send_digest(self, digest: Digest) -> Verdict:
        return self._send(digest_email(digest, self._sender, self._recipients, self._clock.now()))

    def _send(self, message: EmailMessage) -> Verdict:
        try:
            with self._connect() as smtp:
                if self._username and self._password is not None:
                    smtp.login(self._username, self._password.get_secret_value())
                smtp.send_message(message)
        except smtplib.SMTPAuthenticationError as exc:
            return Permanent("smtp_auth", f"login refused ({exc.smtp_code})")
        except smtplib.SMTPRecipientsRefused:
            return Permanent("smtp_recipients_refused", "every recipient was refused")
        except smtplib.SMTPNotSupportedError:
            return Permanent("smtp_unsupported", "the server does not offer STARTTLS or AUTH as configured")
        except smtplib.SMTPResponseException as exc:
            reason = f"smtp_{exc.smtp_code}"
            return Retry(reason) if 400 <= exc.smtp_code < 500 else Permanent(reason, "the server refused")
        except ssl.SSLError:
            return Permanent("tls_error", "TLS handshake or certificate check failed")
        except (smtplib.SMTPException, OSError) as exc:
            return Retry("timeout" if isinstance(exc, TimeoutError) else "connection_error")
        return Delivered()

    def _connect(self) -> smtplib.SMTP:
        if self._security == "ssl":
            return smtplib.SMTP_SSL(self._host, self._port, timeout=self._timeout, context=self._tls)
        smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
        try:
            if self._security == "starttls":
                smtp.starttls(context=self._tls)
        except BaseException:
            smtp.close()
            raise
        return smtp
