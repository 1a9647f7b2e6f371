"""`newsmon serve alert` as a real process: start, SIGKILL, restart, read /readyz and /metrics."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from streambase.settings import KafkaSettings

REPO = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def service_env(settings: KafkaSettings, config: Path, state_dir: Path, **extra: str) -> dict[str, str]:
    """The variables of an alert process on this test's topics, with this config."""
    return {
        "NEWSMON_KAFKA_BOOTSTRAP": settings.bootstrap,
        "NEWSMON_KAFKA_TOPIC_PREFIX": settings.topic_prefix,
        "NEWSMON_KAFKA_PARTITIONS": str(settings.partitions),
        "NEWSMON_CONFIG": str(config),
        "NEWSMON_STATE_DIR": str(state_dir),
        **extra,
    }


@dataclass
class AlertProcess:
    env: dict[str, str]
    log_path: Path
    metrics_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> AlertProcess:
        assert not self.running, "already running"
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
        env = (
            inherited
            | self.env
            | {
                "NEWSMON_METRICS_PORT": str(self.metrics_port),
                "NEWSMON_METRICS_HOST": "127.0.0.1",
                "NEWSMON_INSTANCE": f"alert-{self.metrics_port}",  # stable across restarts, like a pod name
            }
        )
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "serve", "alert"],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        if self.process is not None and self.running:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)

    def ready(self) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/readyz", timeout=2) as reply:
                return bool(reply.status == 200)
        except OSError:
            return False

    def metric(self, line_start: str) -> float:
        with urllib.request.urlopen(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=5) as reply:
            for line in reply.read().decode().splitlines():
                if line.startswith(line_start):
                    return float(line.rsplit(" ", 1)[1])
        return 0.0

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""
