"""A flood of unusable messages stops the alert service with a message that says what to check, after
dead-lettering the ones it met, instead of quietly dead-lettering everything."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from kafka import KafkaConsumer, KafkaProducer

from schemas import DeadLetter, decode
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.integration.alert.harness import publish
from tests.integration.alert.process import AlertProcess, service_env
from tests.support import drain
from tests.unit.alert.factories import classified

pytestmark = pytest.mark.kafka

CONFIG = """\
rules:
  - {id: usw, kind: article, title: US intervention warning, signals: [us_intervention_warning]}
"""


def test_a_flood_of_invalid_messages_stops_the_service_and_says_so(
    tmp_path: Path,
    kafka_settings: KafkaSettings,
    topics: Topics,
    producer_factory: Callable[..., KafkaProducer],
    consumer_factory: Callable[..., KafkaConsumer],
) -> None:
    config = tmp_path / "newsmon.yaml"
    config.write_text(CONFIG)
    env = service_env(kafka_settings, config, tmp_path / "state", NEWSMON_DEADLETTER_MAX_CONSECUTIVE="20")
    service = AlertProcess(env, tmp_path / "alert.log").start()
    try:
        producer = producer_factory()
        publish(producer, topics, classified("fine", "us_intervention_warning"))
        for n in range(60):  # all on one partition, so they come in a row
            producer.send(topics.classified, key=b"poison", value=b'{"not": "an article %d"}' % n)
        producer.flush(30)
        assert service.process is not None
        code = service.process.wait(90)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the service did not stop on the flood:\n{service.log()}")
    finally:
        service.stop()
    log = service.log()
    assert code != 0
    assert f"20 messages in a row from {topics.classified} could not be used (last reason: schema)" in log
    assert "NEWSMON_DEADLETTER_MAX_CONSECUTIVE" in log
    assert "Traceback" not in log
    letters = [decode(DeadLetter, r.value) for r in drain(consumer_factory(topics.deadletter), 20)]
    assert len(letters) == 20
    assert {letter.reason for letter in letters} == {"schema"}
