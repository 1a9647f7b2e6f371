"""End to end in a real browser: headless Chromium opens the Acknowledge link of a notification the fake
Slack received from a real `newsmon serve alert`, shows the page (which acknowledges nothing by itself),
takes a name and a comment, and after submitting says "Acknowledged by"; the page loads nothing from
anywhere else."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from kafka import KafkaProducer

from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.browser import Chromium, open_page
from tests.integration.alert.harness import USW_RULES, publish
from tests.integration.alert.process import AlertProcess, service_env
from tests.servers.slack import FakeSlack
from tests.support import wait_until
from tests.unit.alert.factories import classified

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

CONFIG = (
    USW_RULES
    + """\
alerting:
  group_wait: 0s
  ack:
    public_base_url: http://127.0.0.1:{port}
"""
)
LINK = re.compile(r"<(http://127\.0\.0\.1:\d+/ack/[A-Za-z0-9_-]+)\|Acknowledge>")
ACKS = 'newsmon_alert_acks_total{channel="link"}'


@pytest.fixture
def service(tmp_path: Path, kafka_settings: KafkaSettings, fake_slack: FakeSlack) -> Iterator[AlertProcess]:
    config = tmp_path / "newsmon.yaml"
    env = service_env(
        kafka_settings,
        config,
        tmp_path / "state",
        NEWSMON_SLACK_WEBHOOK_URL=fake_slack.url,
        NEWSMON_ACK_SECRET="browser-secret-0123456789abcdef",
    )
    process = AlertProcess(env, tmp_path / "alert.log")
    config.write_text(CONFIG.format(port=process.metrics_port))
    process.start()
    wait_until(process.ready, 90, what="the alert service to be ready", context=process.log)
    yield process
    process.stop()


async def acknowledge_in_browser(browser: Chromium, link: str, service: AlertProcess) -> dict[str, object]:
    async with aiohttp.ClientSession() as session:
        page, _target = await open_page(session, browser)
        try:
            await page.send("Page.navigate", url=link)
            await page.wait_for("document.readyState === 'complete' && !!document.querySelector('form')")
            shown = await page.evaluate("document.body.innerText")
            acks_after_opening = service.metric(ACKS)
            await page.type_into("#by", "Dana Night")
            await page.type_into("#comment", "on it, calling the bureau")
            await page.evaluate("document.querySelector('button[type=submit]').click()")
            done = await page.wait_for(
                "document.readyState === 'complete' && document.body.innerText.includes('Acknowledged by')"
                " && document.body.innerText"
            )
            return {
                "shown": shown,
                "done": done,
                "acks_after_opening": acks_after_opening,
                "requests": page.requests,
            }
        finally:
            await page.ws.close()


def test_a_person_acknowledges_from_the_link_in_a_real_browser(
    service: AlertProcess,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    fake_slack: FakeSlack,
    tmp_path: Path,
) -> None:
    publish(producer_factory(), topics, classified("b1", "us_intervention_warning", at=datetime.now(UTC)))
    wait_until(lambda: fake_slack.delivered, 60, what="the notification", context=service.log)
    [link] = LINK.findall(str(fake_slack.delivered[0].json["blocks"]))

    with Chromium(tmp_path / "chromium") as browser:
        seen = asyncio.run(acknowledge_in_browser(browser, link, service))

    assert "Acknowledge: Warning against US intervention" in str(seen["shown"])
    assert seen["acks_after_opening"] == 0, "opening the link acknowledges nothing"
    assert "Acknowledged by Dana Night" in str(seen["done"])
    requests = seen["requests"]
    assert isinstance(requests, list)
    assert requests == [("GET", link), ("POST", link)], (
        "one page, one form post, nothing fetched from elsewhere"
    )
    wait_until(lambda: service.metric(ACKS) == 1, 30, context=service.log)
    wait_until(lambda: len(fake_slack.delivered) == 2, 30, what="the follow-up", context=service.log)
    assert (
        fake_slack.delivered[1]
        .json["text"]
        .startswith("Acknowledged by Dana Night (on it, calling the bureau)")
    )
