"""Services started before their broker wait for it with a log line, never a traceback."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from streambase.broker import wait_for_broker
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.support import remove_topics

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_the_wait_ends_when_asked_to_stop_and_says_where_it_waits(caplog: pytest.LogCaptureFixture) -> None:
    settings = KafkaSettings(bootstrap=f"127.0.0.1:{free_port()}")
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    assert not wait_for_broker(settings, "test-admin", stop, retry=0.1)
    assert f"waiting for Kafka at {settings.bootstrap} …" in caplog.text


@pytest.mark.kafka
def test_a_broker_that_answers_ends_the_wait_with_the_topics_created(kafka_bootstrap: str) -> None:
    settings = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=f"wait{os.getpid()}.", partitions=1)
    try:
        assert wait_for_broker(settings, "test-admin", threading.Event())
        from streambase.kafka import make_admin

        admin = make_admin(settings)
        try:
            assert set(Topics.from_settings(settings).all()) <= set(admin.list_topics())
        finally:
            admin.close()
    finally:
        remove_topics(settings)


@pytest.mark.parametrize("service", ["alert", "classify", "ingest"])
def test_a_service_started_without_a_broker_waits_and_stops_cleanly(service: str, tmp_path: Path) -> None:
    env = os.environ | {
        "NEWSMON_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
        "NEWSMON_METRICS_PORT": "0",
        "NEWSMON_STATE_DIR": str(tmp_path),
        "NEWSMON_CONFIG": str(REPO / "config" / "newsmon.yaml"),
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "newsmon", "serve", service],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
    )
    assert process.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if "waiting for Kafka at" in line or not line:
            break
    process.send_signal(signal.SIGTERM)
    _, rest = process.communicate(timeout=30)
    output = "".join(lines) + rest
    assert "waiting for Kafka at 127.0.0.1:" in output
    assert "Traceback" not in output
    assert process.returncode == 0
