"""The Teams, Mattermost and signed-webhook receivers against real local HTTP servers: every answer becomes
the right verdict, feed text arrives inert and within each service's limits, a possible repeat says so,
and no URL or secret shows in a verdict."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from services.alert.receivers import Receiver
from services.alert.receivers.mattermost import MAX_ATTACHMENTS_JSON, MattermostReceiver
from services.alert.receivers.mattermost import MAX_TEXT as MATTERMOST_TEXT
from services.alert.receivers.teams import TeamsReceiver
from services.alert.receivers.text import REPEAT_NOTE
from services.alert.receivers.webhook import MAX_ALERTS, WebhookReceiver, signature
from services.alert.retry import Delivered, Permanent, Retry, Verdict
from streambase.clock import ManualClock
from tests.integration.alert.test_receivers import EVIL_TITLE, all_texts, notification
from tests.servers.slack import Reply
from tests.servers.teams import MAX_REQUEST, card_problems
from tests.servers.webhook import WebhookServer
from tests.unit.alert.factories import T0

SIGNING_SECRET = "whsec-Very-Secret-Signing-Key-91"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "webhook.md"
KINDS = ("teams", "mattermost", "webhook")
SERVICE = {"teams": "Teams", "mattermost": "Mattermost", "webhook": "the webhook"}


def receiver(kind: str, url: str, timeout: float = 5.0) -> Receiver:
    clock = ManualClock(T0)
    if kind == "teams":
        return TeamsReceiver("desk-teams", SecretStr(url), timeout, clock)
    if kind == "mattermost":
        return MattermostReceiver("desk-mm", SecretStr(url), timeout=timeout, clock=clock)
    return WebhookReceiver("desk-hook", SecretStr(url), SecretStr(SIGNING_SECRET), timeout, clock)


def server_for(kind: str, make: Callable[..., WebhookServer]) -> WebhookServer:
    return make(teams=kind == "teams")


STATUS_TABLE: list[tuple[Reply, Verdict]] = [
    (Reply(200, "1"), Delivered()),
    (Reply(202, ""), Delivered()),
    (Reply(400, "bad payload"), Permanent("http_400", "{service} answered 400: bad payload")),
    (Reply(401, "unauthorized"), Permanent("http_401", "{service} answered 401: unauthorized")),
    (Reply(403, "forbidden"), Permanent("http_403", "{service} answered 403: forbidden")),
    (Reply(404, "no such hook"), Permanent("http_404", "{service} answered 404: no such hook")),
    (Reply(408, "timeout"), Retry("http_408")),
    (Reply(413, "too large"), Permanent("http_413", "{service} answered 413: too large")),
    (Reply(429, "slow down", {"Retry-After": "7"}), Retry("rate_limited", 7.0)),
    (Reply(500, "oops"), Retry("http_500")),
    (Reply(502, "bad gateway"), Retry("http_502")),
    (Reply(503, "unavailable", {"Retry-After": "2"}), Retry("http_503", 2.0)),
    (
        Reply(302, "", {"Location": "http://127.0.0.1:9/elsewhere"}),
        Permanent("http_302", "{service} answered 302"),
    ),
]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("reply", "verdict"), STATUS_TABLE, ids=[str(r.status) for r, _ in STATUS_TABLE])
def test_each_answer_becomes_the_right_verdict(
    kind: str, reply: Reply, verdict: Verdict, webhook_factory: Callable[..., WebhookServer]
) -> None:
    server = server_for(kind, webhook_factory)
    server.respond(reply)
    if isinstance(verdict, Permanent):
        verdict = Permanent(verdict.reason, verdict.detail.format(service=SERVICE[kind]))
    assert receiver(kind, server.url).send(notification(kind)) == verdict
    assert len(server.requests) == 1, "nothing is re-sent or followed here; the delivery queue retries"
    assert server.requests[0].problems == ()


@pytest.mark.parametrize("kind", KINDS)
def test_a_server_slower_than_the_timeout_is_retried_as_a_possible_repeat(
    kind: str, webhook_factory: Callable[..., WebhookServer]
) -> None:
    server = server_for(kind, webhook_factory)
    server.delay = 1.5
    assert receiver(kind, server.url, timeout=0.3).send(notification(kind)) == Retry("timeout")


@pytest.mark.parametrize("kind", KINDS)
def test_no_url_or_secret_shows_in_a_verdict(
    kind: str, webhook_factory: Callable[..., WebhookServer]
) -> None:
    unreachable = "http://127.0.0.1:9/hooks/very-secret-token-4411"
    verdict = receiver(kind, unreachable, timeout=2).send(notification(kind))
    assert verdict == Retry("connection_error")
    server = server_for(kind, webhook_factory)
    echo = f"unknown hook {server.url} (path {server.path})"
    server.respond(Reply(404, echo + (f" secret={SIGNING_SECRET}" if kind == "webhook" else "")))
    refused = receiver(kind, server.url).send(notification(kind))
    assert isinstance(refused, Permanent)
    for secret in (server.url, server.path, "very-secret-token", SIGNING_SECRET):
        assert secret not in repr(verdict) + repr(refused)
    assert SIGNING_SECRET not in server.requests[0].body.decode()


# -- Teams -------------------------------------------------------------------------------------------------


def card(server: WebhookServer) -> dict[str, Any]:
    content: dict[str, Any] = server.delivered[-1].json["attachments"][0]["content"]
    return content


def facts(content: dict[str, Any]) -> list[dict[str, str]]:
    return [f for b in content["body"] if b["type"] == "FactSet" for f in b["facts"]]


def test_a_teams_card_is_a_valid_adaptive_card_1_5_with_the_alert_and_its_quotes(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    teams = webhook_factory(teams=True)
    note = notification("teams", title="Port city told to evacuate", stories=2)
    assert receiver("teams", teams.url).send(note) == Delivered()
    print("\n----- Teams request as received by the webhook -----\n" + teams.delivered[0].body.decode())
    assert card_problems(teams.delivered[0].json) == []
    content = card(teams)
    texts = "\n".join(all_texts(content))
    assert content["version"] == "1.5"
    assert "HIGH: Evacuation notice confirmed by two sources" in texts
    assert {"title": "Topic", "value": "Iran–Israel conflict"} in facts(content)
    assert {"title": "Signals", "value": "Evacuation \\(ordered\\)"} in facts(content)  # markdown escaped
    assert "iran_israel" not in texts
    assert "evacuation_notice" not in texts
    assert "residents were told to evacuate the district" in texts
    links = [
        i["selectAction"]["url"] for b in content["body"] for i in b.get("inlines", []) if "selectAction" in i
    ]
    assert links == ["https://news.example/a1", "https://news.example/a0"]


def test_feed_text_in_a_teams_card_is_never_markdown_or_a_link(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    teams = webhook_factory(teams=True)
    title = "**Ceasefire** [click](http://evil.example) <at>everyone</at> " + EVIL_TITLE
    note = notification("teams", title=title, headline=title, url="javascript:alert(1)")
    assert receiver("teams", teams.url).send(note) == Delivered()
    content = card(teams)
    text_blocks = " ".join(b["text"] for b in content["body"] if b["type"] == "TextBlock")
    assert "Ceasefire" not in text_blocks, "feed text goes only into TextRuns, which render no markdown"
    runs = [i for b in content["body"] for i in b.get("inlines", [])]
    assert any(title in r["text"] for r in runs)
    assert not any("selectAction" in r for r in runs), "a javascript: URL is never a link"


def test_a_huge_teams_notification_stays_a_valid_card_under_28_kb(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    teams = webhook_factory(teams=True)
    note = notification(
        "teams", title="&<*_" * 500, stories=80, sentence_words=900, url="https://news.example/" + "x" * 1500
    )
    assert receiver("teams", teams.url).send(note) == Delivered()
    request = teams.delivered[0]
    assert len(request.body) <= MAX_REQUEST
    assert card_problems(request.json) == []
    texts = "\n".join(all_texts(card(teams)))
    assert re.search(r"\d+ more quote\(s\) not shown", texts)
    assert "(link too long to show)" in texts


def test_a_possible_repeat_says_so_on_the_teams_card(webhook_factory: Callable[..., WebhookServer]) -> None:
    teams = webhook_factory(teams=True)
    assert receiver("teams", teams.url).send(notification("teams", possible_repeat=True)) == Delivered()
    texts = all_texts(card(teams))
    assert any(t.startswith("(possible repeat) HIGH:") for t in texts)
    assert REPEAT_NOTE in texts


# -- Mattermost --------------------------------------------------------------------------------------------


def test_feed_text_in_mattermost_mentions_nobody_and_renders_no_markdown(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    server = webhook_factory()
    title = "@channel @all **urgent** [click](http://evil.example) " + EVIL_TITLE
    assert receiver("mattermost", server.url).send(
        notification("mattermost", title=title, headline=title)
    ) == (Delivered())
    print("\n----- Mattermost payload as received -----\n" + server.delivered[0].body.decode())
    payload = server.delivered[0].json
    fallback = payload["attachments"][0].pop("fallback")  # plain text: shown as written
    texts = " ".join(all_texts(payload))
    for raw in ("@channel", "@all", "<!channel>", "**urgent**", "[click](", "<http://evil"):
        assert raw not in texts
    for raw in ("@channel", "@all", "<!channel>", "<http://evil"):
        assert raw not in fallback
    assert "@\u200bchannel" in texts
    assert "&lt;\\!channel&gt;" in texts
    assert "\\*\\*urgent\\*\\*" in texts
    assert "[Port city" not in texts


def test_a_mattermost_message_carries_facts_quotes_and_links(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    server = webhook_factory()
    note = notification("mattermost", title="Port city told to evacuate", stories=2)
    assert receiver("mattermost", server.url).send(note) == Delivered()
    payload = server.delivered[0].json
    assert payload["text"].startswith("#### HIGH: Evacuation notice confirmed by two sources")
    [attachment] = payload["attachments"]
    assert {f["title"] for f in attachment["fields"]} >= {"Severity", "Topic", "Distinct sources"}
    assert "**residents were told to evacuate the district**" in attachment["text"]
    assert "](https://news.example/a1)" in attachment["text"]


def test_a_huge_mattermost_notification_stays_within_its_limits(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    server = webhook_factory()
    note = notification("mattermost", title="@&<" * 800, stories=80, sentence_words=900)
    assert receiver("mattermost", server.url).send(note) == Delivered()
    payload = server.delivered[0].json
    assert len(payload["text"]) <= MATTERMOST_TEXT
    assert len(json.dumps(payload["attachments"], ensure_ascii=False)) <= MAX_ATTACHMENTS_JSON
    assert re.search(r"\d+ more quote\(s\) not shown", payload["attachments"][0]["footer"])


def test_a_possible_repeat_says_so_in_mattermost(webhook_factory: Callable[..., WebhookServer]) -> None:
    server = webhook_factory()
    assert (
        receiver("mattermost", server.url).send(notification("mattermost", possible_repeat=True))
        == Delivered()
    )
    text = server.delivered[0].json["text"]
    assert text.startswith("#### \\(possible repeat\\) HIGH:")
    assert "Possible repeat" in text


# -- the signed webhook ------------------------------------------------------------------------------------


def verification_snippet() -> Callable[..., bool]:
    """The `verify` function exactly as docs/webhook.md shows it."""
    text = DOCS.read_text(encoding="utf-8")
    block = text.split("<!-- verify-snippet -->", 1)[1].split("<!-- /verify-snippet -->", 1)[0]
    code = block.strip().removeprefix("```python").removesuffix("```")
    namespace: dict[str, Any] = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # our own documentation
    verify: Callable[..., bool] = namespace["verify"]
    return verify


def test_the_documented_snippet_accepts_a_real_signed_request_and_refuses_forgeries_and_replays(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    server = webhook_factory()
    note = notification("desk-hook", stories=2)
    assert receiver("webhook", server.url).send(note) == Delivered()
    [request] = server.delivered
    header, body = request.headers["X-Newsmon-Signature"], request.body
    print(f"\n----- signed webhook request -----\nX-Newsmon-Signature: {header}\n{body.decode()}")
    verify = verification_snippet()
    sent = T0.timestamp()
    assert verify(SIGNING_SECRET.encode(), header, body, now=sent + 10)
    assert not verify(b"another-secret", header, body, now=sent + 10)
    assert not verify(SIGNING_SECRET.encode(), header, body.replace(b'"high"', b'"low"'), now=sent + 10)
    forged = signature(b"another-secret", int(sent), body)
    assert not verify(SIGNING_SECRET.encode(), forged, body, now=sent + 10)
    assert not verify(SIGNING_SECRET.encode(), header, body, now=sent + 301), "older than 5 minutes"
    assert not verify(SIGNING_SECRET.encode(), "garbage", body, now=sent)
    assert request.headers["X-Newsmon-Delivery"] == note.id == json.loads(body)["id"]


def documented_fields() -> set[str]:
    return set(re.findall(r"^\| `(\w+)` \|", DOCS.read_text(encoding="utf-8"), re.MULTILINE))


def test_every_field_of_the_webhook_body_is_documented(webhook_factory: Callable[..., WebhookServer]) -> None:
    server = webhook_factory()
    assert receiver("webhook", server.url).send(notification("desk-hook", stories=2)) == Delivered()
    document = server.delivered[0].json
    fields = set(document) | set(document["alerts"][0]) | set(document["alerts"][0]["evidence"][0])
    assert document["version"] == 1
    assert fields - documented_fields() == set()


def test_a_resent_webhook_keeps_its_delivery_id_and_says_it_may_repeat(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    server = webhook_factory()
    first, again = notification("desk-hook"), notification("desk-hook", possible_repeat=True)
    hook = receiver("webhook", server.url)
    assert hook.send(first) == Delivered()
    assert hook.send(again) == Delivered()
    ids = [r.headers["X-Newsmon-Delivery"] for r in server.delivered]
    assert ids[0] == ids[1]
    assert [r.json["possible_repeat"] for r in server.delivered] == [False, True]


def test_a_huge_batch_is_cut_to_a_bounded_body_that_counts_what_it_left_out(
    webhook_factory: Callable[..., WebhookServer],
) -> None:
    server = webhook_factory()
    note = notification("desk-hook", stories=120, sentence_words=200)
    assert receiver("webhook", server.url).send(note) == Delivered()
    document = server.delivered[0].json
    assert len(document["alerts"]) <= MAX_ALERTS
    assert len(document["alerts"]) + document["alerts_omitted"] == len(note.alerts)
    assert len(server.delivered[0].body) <= 256_000
