"""`newsmon run` as a user starts it: broker and services up, Ctrl-C stops everything."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.kafka

RUN_PORT = int(os.environ.get("NEWSMON_TEST_RUN_PORT", "19292"))


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_run_starts_the_broker_and_ctrl_c_stops_everything(repo: Path, tmp_path: Path) -> None:
    if os.environ.get("NEWSMON_KAFKA_BOOTSTRAP"):
        pytest.skip("uses the project's own broker, not an external one")
    assert not port_open(RUN_PORT), f"port {RUN_PORT} must be free for this test"
    env = os.environ | {
        "NEWSMON_KAFKA_BOOTSTRAP": f"127.0.0.1:{RUN_PORT}",
        "NEWSMON_KAFKA_STATE_DIR": str(tmp_path / "kafka"),
        "NEWSMON_STATE_DIR": str(tmp_path / "var"),
        "NEWSMON_KAFKA_TOPIC_PREFIX": "runtest.",
    }
    log_path = tmp_path / "run.log"
    with log_path.open("wb") as log:
        run = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "run"], cwd=repo, env=env, stdout=log, stderr=subprocess.STDOUT
        )
        try:
            wait_until(lambda: "Ctrl-C stops everything" in log_path.read_text(), 120, what="the run banner")
            assert port_open(RUN_PORT)
            run.send_signal(signal.SIGINT)
            assert run.wait(90) == 0, log_path.read_text()
        finally:
            if run.poll() is None:
                run.kill()
    output = log_path.read_text()
    assert "all stopped" in output
    assert not port_open(RUN_PORT), "the broker must be stopped"
    assert not (tmp_path / "kafka" / "broker.pid").exists()
    for pid in re.findall(r"started \w+ \(pid (\d+)\)", output):
        assert not Path(f"/proc/{pid}").exists(), f"service process {pid} outlived Ctrl-C"
