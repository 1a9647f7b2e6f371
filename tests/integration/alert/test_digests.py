"""Digests from a real `newsmon serve alert` process to a real SMTP server (aiosmtpd) and a stand-in
Slack: one per period, at its end, across a kill -9 just before it is due (the restarted service sends
it, once) and a kill right after Slack took it but before its delivery record (sent again, marked as a
possible repeat). The digest email is then looked at in headless Chromium, as a reader would.

Time: the schedule is anchored at `at`, which takes seconds, so each test sets an hourly digest to end
about a minute after it starts; the service and the broker keep one clock, as in production."""

from __future__ import annotations

import asyncio
import base64
import os
import shutil
import signal
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp
import pytest
from kafka import KafkaConsumer, KafkaProducer

from schemas import DeliveryRecord, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.browser import Chromium, open_page
from tests.integration.alert.harness import USW_RULES, publish
from tests.integration.alert.process import REPO, AlertProcess, service_env
from tests.servers.slack import FakeSlack, Received
from tests.servers.smtp import SmtpServer
from tests.support import drain, wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

LEAD = timedelta(seconds=50)
"""From writing the configuration to the period's end: time to start, take alerts, and be killed."""
SCREENSHOT = Path("/tmp/newsmon-digest-email.png")

CONFIG = (
    """\
taxonomy: taxonomy.yaml
"""
    + USW_RULES
    + """\
receivers:
  - name: standards
    type: email
    to: [standards@example.org]
    digest: {{every: 1h, at: "{at}", timezone: UTC, immediate: false}}
  - name: standards-chat
    type: slack
    webhook_url_env: NEWSMON_TEST_STANDARDS_CHAT_URL
    digest: {{every: 1h, at: "{at}", timezone: UTC, immediate: false}}
alerting:
  group_wait: 0s
  group_interval: 0s
  repeat_interval: 0s
"""
)


def is_digest(request: Received) -> bool:
    return b"newsmon digest" in request.body


def digests(slack: FakeSlack) -> list[Received]:
    return [r for r in slack.delivered if is_digest(r)]


def sleep_until(moment: datetime) -> None:
    time.sleep(max(0.0, (moment - datetime.now(UTC)).total_seconds()))


@pytest.fixture
def period_end() -> datetime:
    end = (datetime.now(UTC) + LEAD).replace(microsecond=0)
    return end


@pytest.fixture
def service(
    tmp_path: Path,
    kafka_settings: KafkaSettings,
    fake_slack: FakeSlack,
    smtp_server: SmtpServer,
    period_end: datetime,
) -> Iterator[AlertProcess]:
    shutil.copy(REPO / "config" / "taxonomy.yaml", tmp_path / "taxonomy.yaml")
    config = tmp_path / "newsmon.yaml"
    config.write_text(CONFIG.format(at=f"{period_end:%H:%M:%S}"))
    env = service_env(
        kafka_settings,
        config,
        tmp_path / "state",
        NEWSMON_SMTP_HOST="127.0.0.1",
        NEWSMON_SMTP_PORT=str(smtp_server.port),
        NEWSMON_SMTP_SECURITY="none",
        NEWSMON_SMTP_SENDER="newsmon@example.org",
        NEWSMON_TEST_STANDARDS_CHAT_URL=fake_slack.url,
    )
    process = AlertProcess(env, tmp_path / "alert.log")
    yield process
    process.stop()


def alerts_of_the_period(
    service: AlertProcess,
    topics: Topics,
    producer: KafkaProducer,
    consumer_factory: Callable[..., KafkaConsumer],
    period_end: datetime,
) -> None:
    """Two warnings in the period, each an alert of one situation; waits until both are on the topic."""
    wait_until(service.ready, 40, what="the alert service to be ready", context=service.log)
    assert datetime.now(UTC) < period_end - timedelta(seconds=10), "started too slowly for the period"
    alerts = consumer_factory(topics.alerts)
    now = datetime.now(UTC)
    publish(
        producer,
        topics,
        classified("d1", "us_intervention_warning", source="Wire One", at=now),
        classified("d2", "us_intervention_warning", source="Wire Two", at=now),
    )
    assert len(drain(alerts, 2, 30)) == 2


def test_a_digest_due_while_the_service_was_killed_is_sent_once_after_the_restart(
    service: AlertProcess,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
    smtp_server: SmtpServer,
    period_end: datetime,
    tmp_path: Path,
) -> None:
    service.start()
    alerts_of_the_period(service, topics, producer_factory(), consumer_factory, period_end)
    sleep_until(period_end - timedelta(seconds=3))
    service.kill()
    assert (smtp_server.messages, digests(fake_slack)) == ([], []), "killed before the digest was due"

    sleep_until(period_end + timedelta(seconds=2))
    service.start()
    wait_until(
        lambda: smtp_server.messages and digests(fake_slack), 60, what="the digests", context=service.log
    )
    time.sleep(8)  # a second copy would come now, if it came at all
    [mail] = smtp_server.messages
    [chat] = digests(fake_slack)
    subject = str(mail.message["Subject"])
    assert subject.startswith("[newsmon digest] ")
    assert "possible repeat" not in subject
    assert "1 situation in 1 topic, 2 alerts (2 high)" in subject
    text = mail.part("plain")
    assert "== Iran–Israel conflict ==" in text
    assert "  - HIGH Warning against US intervention" in text
    assert "    2 alerts, 2 distinct sources" in text
    assert "first report: Story d1 (Wire One," in text or "first report: Story d2 (Wire Two," in text
    assert "not sent while the alert service was down" not in text, "the period itself was not missed"
    assert "1 situation in 1 topic, 2 alerts (2 high)" in chat.json["text"]
    assert service.log(200_000).count("delivered standards:digest-") == 1

    html = tmp_path / "digest.html"
    html.write_text(mail.part("html"), encoding="utf-8")
    shown = look_at(html, tmp_path / "chromium")
    assert "Iran–Israel conflict" in shown
    assert "Warning against US intervention" in shown
    assert SCREENSHOT.stat().st_size > 10_000


def test_a_digest_sent_again_after_a_kill_right_after_slacks_answer_says_possible_repeat(
    service: AlertProcess,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
    fake_slack: FakeSlack,
    smtp_server: SmtpServer,
    period_end: datetime,
) -> None:
    service.start()
    assert service.process is not None
    pid, answered = service.process.pid, []

    def freeze(request: Received) -> None:  # stopped before the 200 goes out, it cannot act on it
        if is_digest(request) and request.status == 200 and not answered:
            os.kill(pid, signal.SIGSTOP)

    def kill(request: Received) -> None:
        if is_digest(request) and request.status == 200 and not answered:
            answered.append(request)
            os.kill(pid, signal.SIGKILL)

    fake_slack.before_reply, fake_slack.after_reply = freeze, kill
    records = consumer_factory(topics.delivery)
    alerts_of_the_period(service, topics, producer_factory(), consumer_factory, period_end)
    wait_until(lambda: answered, 60, what="Slack's answer to the digest", context=service.log)
    service.process.wait(30)
    slack_records = [
        r for r in (decode(DeliveryRecord, m.value) for m in drain(records, 10, 5)) if r.kind == "digest"
    ]
    assert [r.status for r in slack_records if r.receiver == "standards-chat"] == ["pending"]

    service.start()
    wait_until(lambda: len(digests(fake_slack)) >= 2, 60, what="the digest again", context=service.log)
    wait_until(lambda: smtp_server.messages, 30, what="the email digest", context=service.log)
    time.sleep(8)
    first, again = digests(fake_slack)
    assert "possible repeat" not in first.json["text"]
    assert again.json["text"].startswith("(possible repeat) newsmon digest")
    assert "possible repeat" in again.json["blocks"][0]["text"]["text"]
    assert len(smtp_server.messages) == 1, "the email digest, sent or not before the kill, arrives once"


def look_at(page: Path, profile: Path) -> str:
    """Open the email's HTML part in headless Chromium, save a screenshot, return the text it shows."""

    async def run(browser: Chromium) -> str:
        async with aiohttp.ClientSession() as session:
            tab, _target = await open_page(session, browser)
            try:
                await tab.send(
                    "Emulation.setDeviceMetricsOverride",
                    width=900,
                    height=700,
                    deviceScaleFactor=1,
                    mobile=False,
                )
                await tab.send("Page.navigate", url=page.as_uri())
                await tab.wait_for("document.readyState === 'complete'")
                shot = await tab.send("Page.captureScreenshot", format="png", captureBeyondViewport=True)
                SCREENSHOT.write_bytes(base64.b64decode(shot["data"]))
                return str(await tab.evaluate("document.body.innerText"))
            finally:
                await tab.ws.close()

    with Chromium(profile) as browser:
        return asyncio.run(run(browser))
