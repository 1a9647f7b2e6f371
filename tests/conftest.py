"""Fixtures every test layer may use: repository paths, the example articles, and the real local broker."""

from __future__ import annotations

import os
import socket
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

# Stand-in servers shared by integration and end-to-end tests; one plugin module per owner.
pytest_plugins = ["tests.servers.fixtures"]

REPO = Path(__file__).resolve().parents[1]
LOCAL_KAFKA = REPO / "deploy" / "kafka" / "local.sh"
EXAMPLES = REPO.parent / "shared" / "examples"
TEST_KAFKA_PORT = os.environ.get("NEWSMON_TEST_KAFKA_PORT", "19092")


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def example_articles() -> dict[str, str]:
    """The two articles the project started from, when the shared folder is beside the repository."""
    if not EXAMPLES.is_dir():
        pytest.skip("the shared example articles are not beside this clone")
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.txt"))}


def _broker(command: str) -> subprocess.CompletedProcess[str]:
    env = os.environ | {"NEWSMON_KAFKA_PORT": TEST_KAFKA_PORT}
    return subprocess.run(
        ["bash", str(LOCAL_KAFKA), command], env=env, capture_output=True, text=True, check=False
    )


def _answers_as_kafka(bootstrap: str) -> bool:
    from kafka.admin import KafkaAdminClient
    from kafka.errors import KafkaError

    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", int(TEST_KAFKA_PORT))) != 0:
            return False
    try:
        KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=5000).close()
    except KafkaError:
        return False
    return True


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """The project's own broker on the test port (started if needed), or NEWSMON_KAFKA_BOOTSTRAP when set."""
    given = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP")
    if given:
        yield given
        return
    bootstrap = f"127.0.0.1:{TEST_KAFKA_PORT}"
    if _answers_as_kafka(bootstrap):  # e.g. started from another checkout of the project
        yield bootstrap
        return
    was_running = _broker("status").returncode == 0
    started = _broker("start")
    if started.returncode != 0:
        pytest.fail(f"the local Kafka broker did not start:\n{started.stderr}")
    yield bootstrap
    if not was_running and not os.environ.get("NEWSMON_TEST_KEEP_KAFKA"):
        _broker("stop")


@pytest.fixture
def unique_name() -> Callable[[str], str]:
    """Names no other test uses: topics, consumer groups, Faust app ids."""

    def make(stem: str) -> str:
        return f"{stem}-{uuid.uuid4().hex[:10]}"

    return make
