"""A broker that goes away while the classify worker starts (after `wait_for_broker` saw it, before Faust's
clients connected) makes the worker start over, not exit with a traceback."""

from __future__ import annotations

import asyncio
import gc
import logging
import socket
from pathlib import Path

import pytest

from services.classify.app import make_app
from services.classify.config import ClassifyOptions
from services.classify.worker import run_worker
from streambase.settings import KafkaSettings


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def event_loops() -> list[asyncio.AbstractEventLoop]:
    return [o for o in gc.get_objects() if isinstance(o, asyncio.AbstractEventLoop) and not o.is_closed()]


def test_a_worker_whose_broker_vanished_while_it_started_stops_quietly_to_start_over(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    kafka = KafkaSettings(bootstrap=f"127.0.0.1:{closed_port()}", topic_prefix="gone.")
    app = make_app(kafka, ClassifyOptions(), tmp_path, identifier="start-over-test")
    before = {id(loop) for loop in event_loops()}
    with caplog.at_level(logging.INFO):
        assert run_worker(app) is True
    for loop in event_loops():  # the service would start over in a new process; close what Faust left here
        if id(loop) not in before:
            loop.close()
    assert "Kafka went away while the worker started" in caplog.text
    assert not [r for r in caplog.records if r.exc_info], "no traceback in the log"
