"""The acknowledge link over plain HTTP, against the real service and broker: GET (what link scanners do)
shows the page and acknowledges nothing; POST acknowledges; a replayed, forged, expired or malformed link
gets 403 and the same few words."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from schemas import Acknowledgement, decode
from services.alert.ack_tokens import REFUSED, issue
from services.alert.config import AckOptions
from services.alert.metrics import AlertMetrics
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import FAST, alert_service, publish, runtime
from tests.integration.alert.process import free_port
from tests.servers.slack import FakeSlack
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka]

SECRET = "integration-secret-0123456789abcdef"
LINK = re.compile(r"<(http://[^|>]+/ack/([A-Za-z0-9_-]+))\|Acknowledge>")


def fetch(url: str, data: bytes | None = None) -> tuple[int, str]:
    """What a plain HTTP client (curl) gets: status and body; `data` makes it a form POST."""
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return reply.status, reply.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode()


def sample(metrics: AlertMetrics, name: str, labels: dict[str, str]) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def test_get_shows_the_page_post_acknowledges_and_a_used_forged_or_expired_link_is_refused_alike(
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    options = FAST.model_copy(update={"ack": AckOptions(public_base_url=base)})
    rt = runtime(kafka_settings, tmp_path, fake_slack.url, ack_secret=SECRET)
    acks = consumer_factory(topics.acks)
    with alert_service(rt, options, port=port) as metrics:
        publish(producer_factory(), topics, classified("a1", "us_intervention_warning", at=datetime.now(UTC)))
        wait_until(lambda: fake_slack.delivered, 60, what="the notification")
        notification = fake_slack.delivered[0].json
        link, token = LINK.findall(str(notification["blocks"]))[0]
        situation = re.findall(r"situation `([0-9a-f]{16})`", str(notification["blocks"]))[0]

        wait_until(lambda: fetch(link)[0] == 200, 10, what="the delivery record behind the link")
        for _ in range(2):  # a chat's link preview and a mail scanner both fetch it
            status, page = fetch(link)
            assert status == 200
            assert "<form method='post'>" in page
            assert situation in page
        assert drain(acks, 1, 3) == [], "a GET acknowledges nothing"

        status, page = fetch(link, b"by=Lee+%3Cdesk%3E&comment=checking")
        assert status == 200
        assert "Acknowledged by Lee &lt;desk&gt;" in page
        [record] = [decode(Acknowledgement, r.value) for r in drain(acks, 1, 30)]
        assert (record.situation, record.by, record.comment, record.channel) == (
            situation, "Lee <desk>", "checking", "link",
        )  # fmt: skip

        now, week = datetime.now(UTC), timedelta(days=7)
        forged = issue(b"some-other-secret-0123456789", situation, bytes(8), now, week)
        expired = issue(SECRET.encode(), situation, bytes(8), now - timedelta(days=8), week)
        refusals = {
            "replayed": link,
            "forged": f"{base}/ack/{forged}",
            "expired": f"{base}/ack/{expired}",
            "malformed": f"{base}/ack/{token[:-3]}",
        }
        answers = {reason: fetch(url, b"by=Mallory") for reason, url in refusals.items()}
        assert {status for status, _ in answers.values()} == {403}
        assert len({body for _, body in answers.values()}) == 1, "every refusal reads the same"
        assert REFUSED in answers["forged"][1]
        assert "Mallory" not in answers["forged"][1]
        for reason in refusals:
            refused = {"reason": reason}
            assert sample(metrics, "newsmon_alert_ack_links_refused_total", refused) == 1, reason
        assert drain(acks, 1, 3) == [], "no refused link acknowledged anything"
        wait_until(lambda: sample(metrics, "newsmon_alert_acks_total", {"channel": "link"}) == 1, 30)
        wait_until(lambda: len(fake_slack.delivered) == 2, 30, what="the follow-up")
        assert fake_slack.delivered[1].json["text"].startswith("Acknowledged by Lee &lt;desk&gt; (checking)")
