"""Classify workers as real processes (`newsmon serve classify`) against the real broker."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from kafka import KafkaConsumer
from prometheus_client.parser import text_string_to_metric_families

from schemas import RawArticle
from streambase.settings import KafkaSettings
from tests.support import drain, wait_until

T = TypeVar("T")

HEADLINES = (
    "Israeli air strikes hit Iranian missile sites near Tehran",
    "Iran fires missiles at Israel as residents evacuate northern towns",
    "City council approves a new library budget",
    "Central bank keeps interest rates on hold",
)


def raw_article(n: int, source: str = "Example Wire", at: datetime | None = None) -> RawArticle:
    moment = at or datetime.now(UTC)
    return RawArticle(
        id=f"article-{n:05d}",
        feed_id="wire",
        source=source,
        url=f"https://news.example/{n}",
        title=HEADLINES[n % len(HEADLINES)],
        summary=f"Report number {n}.",
        published_at=moment,
        fetched_at=moment,
    )


def drain_all(consumer: KafkaConsumer, expected: int, timeout: float = 90, settle: float = 3) -> list[Any]:
    """The `expected` records, plus any extra that arrive within `settle` seconds after them."""
    records = drain(consumer, expected, timeout)
    return records + drain(consumer, 1_000_000, settle)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_config(directory: Path, repo: Path, **classify: str | int) -> Path:
    """A newsmon.yaml with the shipped taxonomy and the given `classify:` options."""
    directory.mkdir(parents=True, exist_ok=True)
    shutil.copy(repo / "config" / "taxonomy.yaml", directory / "taxonomy.yaml")
    options = "".join(f"  {key}: {value}\n" for key, value in classify.items())
    path = directory / "newsmon.yaml"
    path.write_text("taxonomy: taxonomy.yaml\nclassify:\n" + (options or "  window: 1h\n"))
    return path


class Worker:
    """One `newsmon serve classify` process with its own metrics port and log file."""

    def __init__(self, repo: Path, settings: KafkaSettings, config: Path, log: Path, name: str) -> None:
        self.port = free_port()
        self.log_path = log
        self.env = os.environ | {
            "NEWSMON_KAFKA_BOOTSTRAP": settings.bootstrap,
            "NEWSMON_KAFKA_TOPIC_PREFIX": settings.topic_prefix,
            "NEWSMON_KAFKA_PARTITIONS": str(settings.partitions),
            "NEWSMON_METRICS_PORT": str(self.port),
            "NEWSMON_METRICS_HOST": "127.0.0.1",
            "NEWSMON_CONFIG": str(config),
            "NEWSMON_INSTANCE": name,
            "NEWSMON_STATE_DIR": str(log.parent / "state"),
        }
        self.repo = repo
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> Worker:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "serve", "classify"],
                cwd=self.repo,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=2) as reply:
                return reply.status, reply.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()
        except OSError:
            return 0, ""

    def wait_ready(self, timeout: float = 90) -> None:
        wait_until(lambda: self.alive() and self.get("/readyz")[0] == 200, timeout, 0.5, "a ready worker")

    def assigned(self) -> int:
        """Article partitions this worker owns, as its /readyz reports them (0 when not ready)."""
        status, text = self.get("/readyz")
        match = re.search(r"(\d+) partitions assigned", text)
        return int(match.group(1)) if status == 200 and match else 0

    def wait_for(self, condition: Callable[[], T], timeout: float, what: str) -> T:
        """`wait_until`, failing with the end of this worker's log so a timeout explains itself."""
        try:
            return wait_until(condition, timeout, 0.1, what)
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n--- worker log ---\n{self.logs()}") from None

    def alive(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"the worker exited:\n{self.logs()}")
        return True

    def metric(self, name: str, **labels: str) -> float:
        status, text = self.get("/metrics")
        assert status == 200, f"no metrics from the worker:\n{self.logs()}"
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                    return float(sample.value)
        return 0.0

    def stop(self, timeout: float = 60) -> int:
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"the worker ignored SIGTERM for {timeout}s:\n{self.logs()}") from None
        return int(self.process.returncode)

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(30)

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")[-4000:]


@pytest.fixture
def start_worker(
    repo: Path, kafka_settings: KafkaSettings, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Start classify workers on this test's topics; every one still running is stopped afterwards."""
    started: list[Worker] = []

    def start(config: Path | None = None, name: str = "w1") -> Worker:
        path = config or write_config(tmp_path / "config", repo)
        worker = Worker(repo, kafka_settings, path, tmp_path / f"{name}.log", name).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.process is not None and worker.process.poll() is None:
            worker.process.kill()
            worker.process.wait(30)
