"""The Slack and email receivers against real servers: a webhook stand-in over HTTP and aiosmtpd."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from datetime import timedelta

import pytest
from pydantic import SecretStr

from services.alert.engine import RuleEngine
from services.alert.names import DisplayNames
from services.alert.notification import Notification
from services.alert.receivers.email import MAX_HTML_BODY, MAX_SUBJECT, EmailReceiver
from services.alert.receivers.slack import SlackReceiver
from services.alert.receivers.slack_render import MAX_BLOCKS, MAX_SECTION, MAX_TEXT
from services.alert.receivers.text import MAX_TEXT_BODY
from services.alert.retry import Delivered, Permanent, Retry, Verdict
from services.alert.rules import WindowRule
from streambase.clock import ManualClock
from tests.servers.slack import FakeSlack, Reply, payload_problems
from tests.servers.smtp import SmtpServer
from tests.unit.alert.factories import T0, classified

NAMES = DisplayNames.of(
    [("iran_israel", "Iran–Israel conflict")], [("evacuation_notice", "Evacuation (ordered)")]
)
"""Labels as in the taxonomy; the signal's has markdown punctuation, to show that labels are escaped."""
EVIL_TITLE = "Ceasefire talks <!channel> collapse, see <http://evil.example|click> & more"


def notification(
    receiver: str,
    title: str = EVIL_TITLE,
    stories: int = 1,
    sentence_words: int = 0,
    url: str | None = None,
    headline: str | None = None,
    possible_repeat: bool = False,
) -> Notification:
    rule = WindowRule(
        id="evac",
        kind="window",
        title="Evacuation notice confirmed by two sources",
        signals=("evacuation_notice",),
        min_sources=1,
    )
    engine = RuleEngine([rule])
    alerts = []
    for n in range(stories):
        article = classified(
            f"a{n}",
            "evacuation_notice",
            source=f"Outlet {n}",
            title=f"{title} #{n}",
            at=T0 + timedelta(seconds=n),
            url=url,
        )
        if sentence_words:
            hit = article.signals[0]
            long = hit.evidence[0].model_copy(
                update={"sentence": "word " * sentence_words + hit.evidence[0].text}
            )
            article = article.model_copy(update={"signals": (hit.model_copy(update={"evidence": (long,)}),)})
        alerts += engine.observe_article(article, T0)
    if headline is not None:
        alerts = [a.model_copy(update={"title": headline}) for a in alerts]
    return Notification(receiver, alerts[-1].fingerprint, tuple(alerts), possible_repeat, NAMES)


def all_texts(value: object) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in all_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in all_texts(v)]
    return [value] if isinstance(value, str) else []


def test_a_title_with_a_mention_and_a_disguised_link_arrives_inert(fake_slack: FakeSlack) -> None:
    verdict = SlackReceiver(SecretStr(fake_slack.url)).send(notification("slack", stories=2))
    assert verdict == Delivered()
    payload = fake_slack.delivered[0].json
    print("\n----- Slack payload as received by the webhook -----\n" + fake_slack.delivered[0].body.decode())
    texts = " ".join(all_texts(payload))
    assert "<!channel>" not in texts
    assert "<http://evil.example" not in texts
    assert "&lt;!channel&gt;" in texts
    assert "&lt;http://evil.example" in texts


def test_the_slack_message_carries_headline_severity_topic_signals_quotes_and_sources(
    fake_slack: FakeSlack,
) -> None:
    SlackReceiver(SecretStr(fake_slack.url)).send(
        notification("slack", title="Port city told to evacuate", stories=2)
    )
    payload = fake_slack.delivered[0].json
    texts = "\n".join(all_texts(payload))
    assert payload["blocks"][0]["type"] == "header"
    assert "HIGH" in texts
    assert "*Topic*\nIran–Israel conflict" in texts
    assert "*Signals*\nEvacuation (ordered)" in texts
    assert "iran_israel" not in texts
    assert "evacuation_notice" not in texts
    assert "*Distinct sources*\n2" in texts
    assert "*residents were told to evacuate the district*" in texts
    assert "<https://news.example/a1|Port city told to evacuate #1>" in texts
    assert "<!date^" in texts


def test_a_huge_notification_stays_within_slack_limits(fake_slack: FakeSlack) -> None:
    note = notification("slack", stories=80, sentence_words=900)
    assert SlackReceiver(SecretStr(fake_slack.url)).send(note) == Delivered()
    blocks = fake_slack.delivered[0].json["blocks"]
    assert len(blocks) <= MAX_BLOCKS
    for block in blocks:
        text = block.get("text", {}).get("text", "")
        assert len(text) <= MAX_SECTION
    assert "more quote(s) not shown" in blocks[-1]["elements"][0]["text"]


def test_a_headline_and_url_made_of_slack_control_characters_are_delivered_within_limits(
    fake_slack: FakeSlack,
) -> None:
    note = notification(
        "slack", title="&<" * 750, stories=3, url="https://news.example/" + "&<|>" * 494
    )  # 1,500 characters of headline, 2,000 of URL (the longest an alert keeps): once a 5,000-character
    # section, refused with 400
    assert SlackReceiver(SecretStr(fake_slack.url)).send(note) == Delivered()
    [request] = fake_slack.requests
    assert request.problems == ()
    assert "(link too long to show)" in request.body.decode()


def test_blocks_slack_refuses_are_sent_once_more_as_plain_text(fake_slack: FakeSlack) -> None:
    fake_slack.reject_blocks = True
    assert SlackReceiver(SecretStr(fake_slack.url)).send(notification("slack", stories=2)) == Delivered()
    refused, plain = fake_slack.requests
    assert (refused.status, "blocks" in refused.json) == (400, True)
    assert (plain.status, "blocks" in plain.json) == (200, False)
    assert payload_problems(plain.json) == []
    assert len(plain.json["text"]) <= MAX_TEXT
    assert "Evacuation notice confirmed by two sources" in plain.json["text"]
    assert "&lt;!channel&gt;" in plain.json["text"]
    assert "<https://news.example/a1|" in plain.json["text"]


@pytest.mark.parametrize(
    ("replies", "verdict"),
    [
        ((Reply(200, "ok"),), Delivered()),
        ((Reply(400, "invalid_payload"), Reply(200, "ok")), Delivered()),
        (
            (Reply(400, "invalid_blocks"), Reply(400, "invalid_payload")),
            Permanent(
                "http_400",
                "blocks refused (Slack answered 400: invalid_blocks); "
                "plain text refused too (Slack answered 400: invalid_payload)",
            ),
        ),
        ((Reply(400, "invalid_blocks"), Reply(503, "service_unavailable")), Retry("http_503")),
        ((Reply(403, "action_prohibited"),), Permanent("http_403", "Slack answered 403: action_prohibited")),
        ((Reply(404, "no_service"),), Permanent("http_404", "Slack answered 404: no_service")),
        (
            (Reply(410, "channel_is_archived"),),
            Permanent("http_410", "Slack answered 410: channel_is_archived"),
        ),
        ((Reply(429, "rate_limited", {"Retry-After": "3"}),), Retry("rate_limited", 3.0)),
        ((Reply(500, "internal_error"),), Retry("http_500")),
        ((Reply(503, "service_unavailable"),), Retry("http_503")),
    ],
)
def test_each_slack_answer_becomes_the_right_verdict(
    fake_slack: FakeSlack, replies: tuple[Reply, ...], verdict: Verdict
) -> None:
    fake_slack.respond(*replies)
    assert SlackReceiver(SecretStr(fake_slack.url)).send(notification("slack")) == verdict
    assert len(fake_slack.requests) == len(replies), "a 400 falls back once; nothing else is re-sent here"


def test_an_unreachable_webhook_is_retried_and_the_error_does_not_name_the_url() -> None:
    secret_url = "http://127.0.0.1:9/services/T1/B1/very-secret-token"
    verdict = SlackReceiver(SecretStr(secret_url), timeout=2).send(notification("slack"))
    assert isinstance(verdict, Retry)
    assert "very-secret-token" not in repr(verdict)


def test_email_over_starttls_with_login_arrives_as_text_and_escaped_html(
    smtp_server_factory: Callable[..., SmtpServer],
) -> None:
    server = smtp_server_factory(username="desk", password="hunter2-pass", tls=True)
    receiver = EmailReceiver(
        "127.0.0.1",
        server.port,
        "newsmon@desk.example",
        ["editor@desk.example"],
        security="starttls",
        username="desk",
        password=SecretStr("hunter2-pass"),
        tls_context=server.client_tls_context(),
        clock=ManualClock(T0),
    )
    assert (
        receiver.send(notification("email", title="Strikes <script>alert(1)</script> reported", stories=2))
        == Delivered()
    )
    [mail] = server.messages
    assert server.logins == ["desk"]
    assert mail.envelope_to == ["editor@desk.example"]
    assert mail.message["Message-ID"].startswith("<email.")
    assert mail.message["Date"] == "Tue, 17 Jun 2025 12:00:00 +0000"
    # a subject just over 78 characters is folded after "Subject:"; readers drop the leading space
    assert (
        mail.message["Subject"].strip()
        == "[newsmon HIGH] [Iran–Israel conflict] Evacuation notice confirmed by two sources"
    )
    html = mail.part("html")
    assert "&lt;script&gt;" in html
    assert "<script>" not in html
    assert "Strikes <script>alert(1)</script> reported #0" in mail.part("plain")
    print("\n----- email as received by the SMTP server -----\n" + mail.raw.decode())


def test_a_wrong_smtp_password_is_permanent_and_not_repeated_in_the_error(
    smtp_server_factory: Callable[..., SmtpServer],
) -> None:
    server = smtp_server_factory(username="desk", password="right-one")
    receiver = EmailReceiver(
        "127.0.0.1", server.port, "n@d.example", ["e@d.example"], security="none",
        username="desk", password=SecretStr("wrong-secret-pw"),
    )  # fmt: skip
    verdict = receiver.send(notification("email"))
    assert isinstance(verdict, Permanent)
    assert verdict.reason == "smtp_auth"
    assert "wrong-secret-pw" not in repr(verdict)
    assert server.messages == []


def test_an_smtp_server_that_is_down_is_retried() -> None:
    receiver = EmailReceiver("127.0.0.1", 9, "n@d.example", ["e@d.example"], security="none", timeout=2)
    assert receiver.send(notification("email")) == Retry("connection_error")


def test_starttls_with_an_untrusted_certificate_is_refused(
    smtp_server_factory: Callable[..., SmtpServer],
) -> None:
    server = smtp_server_factory(tls=True)
    receiver = EmailReceiver(
        "127.0.0.1", server.port, "n@d.example", ["e@d.example"], tls_context=ssl.create_default_context()
    )
    assert receiver.send(notification("email")) == Permanent(
        "tls_error", "TLS handshake or certificate check failed"
    )


def test_email_over_implicit_tls_arrives(smtp_server_factory: Callable[..., SmtpServer]) -> None:
    server = smtp_server_factory(username="desk", password="pw-ssl-1", ssl=True)
    receiver = EmailReceiver(
        "127.0.0.1", server.port, "newsmon@desk.example", ["editor@desk.example"], security="ssl",
        username="desk", password=SecretStr("pw-ssl-1"), tls_context=server.client_tls_context(),
    )  # fmt: skip
    assert receiver.send(notification("email", title="Port closed")) == Delivered()
    assert server.logins == ["desk"]
    assert len(server.messages) == 1


def plain_receiver(server: SmtpServer) -> EmailReceiver:
    return EmailReceiver(
        "127.0.0.1", server.port, "newsmon@desk.example", ["editor@desk.example"], security="none",
        clock=ManualClock(T0),
    )  # fmt: skip


def test_an_email_subject_is_one_bounded_line_whatever_the_headline(smtp_server: SmtpServer) -> None:
    headline = "Port closed\r\nBcc: everyone@desk.example\r\nX-Injected: yes\n" + "& " * 3000
    assert plain_receiver(smtp_server).send(notification("email", headline=headline)) == Delivered()
    [mail] = smtp_server.messages
    subject = mail.message["Subject"]
    assert "\n" not in str(subject).replace("\r\n ", "").strip()
    assert len(str(subject).strip()) <= MAX_SUBJECT
    assert str(subject).startswith(
        "[newsmon HIGH] [Iran–Israel conflict] Port closed Bcc: everyone@desk.example"
    )
    assert mail.message["Bcc"] is None
    assert mail.message["X-Injected"] is None
    assert mail.envelope_to == ["editor@desk.example"]


def test_email_bodies_stay_within_their_budget_and_count_the_quotes_left_out(smtp_server: SmtpServer) -> None:
    note = notification(
        "email", stories=30, sentence_words=900, url="https://news.example/" + "&'<" * 700, title="&<" * 800
    )
    assert plain_receiver(smtp_server).send(note) == Delivered()
    [mail] = smtp_server.messages
    text, html = mail.part("plain"), mail.part("html")
    assert len(text) <= MAX_TEXT_BODY
    assert len(html) <= MAX_HTML_BODY
    for body in (text, html):
        shown = body.count("Outlet ")
        assert 1 <= shown < 30
        assert f"… {30 - shown} more quotes not shown" in body


def test_a_possible_repeat_says_so_in_the_email_subject_and_bodies(smtp_server: SmtpServer) -> None:
    note = notification("email", title="Port closed", possible_repeat=True)
    assert plain_receiver(smtp_server).send(note) == Delivered()
    [mail] = smtp_server.messages
    assert (
        str(mail.message["Subject"])
        .strip()
        .startswith("[newsmon HIGH] (possible repeat) [Iran–Israel conflict]")
    )
    assert "Possible repeat:" in mail.part("plain")
    assert "Possible repeat:" in mail.part("html")
