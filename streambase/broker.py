"""Waiting for the broker at start: a service started before Kafka logs that it waits, never a traceback.

Compose, systemd or `newsmon run` may start a service while its broker is still booting or restarting.
The wait ends when a broker answers and the pipeline's topics exist (created if missing), or when the
service is asked to stop.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from streambase.kafka import create_pipeline_topics
from streambase.settings import KafkaSettings

log = logging.getLogger("streambase.broker")

RETRY_SECONDS = 2.0
REMIND_SECONDS = 30.0
CONNECT_TIMEOUT = 3.0


def reachable(servers: list[str], timeout: float = CONNECT_TIMEOUT) -> bool:
    """Whether any bootstrap server accepts a TCP connection; checked first, as Kafka clients block long."""
    for server in servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout):
                return True
        except (OSError, ValueError):
            continue
    return False


def wait_for_broker(
    settings: KafkaSettings,
    client_id: str,
    stop: threading.Event,
    monotonic: Callable[[], float] = time.monotonic,
    retry: float = RETRY_SECONDS,
) -> bool:
    """Block until a broker answers and the pipeline topics exist; False when `stop` was set first."""
    started = monotonic()
    reminded: float | None = None
    while not stop.is_set():
        problem = _try_topics(settings, client_id)
        if problem is None:
            if reminded is not None:
                log.info("Kafka at %s answered after %.0fs", settings.bootstrap, monotonic() - started)
            return True
        if reminded is None or monotonic() - reminded >= REMIND_SECONDS:
            waited = f" (for {monotonic() - started:.0f}s)" if reminded is not None else ""
            log.warning("waiting for Kafka at %s …%s %s", settings.bootstrap, waited, problem)
            reminded = monotonic()
        stop.wait(retry)
    return False


def _try_topics(settings: KafkaSettings, client_id: str) -> str | None:
    """None once the topics exist; otherwise what stood in the way, for the log line."""
    if not reachable(settings.bootstrap_servers):
        return "no broker accepts connections yet"
    try:
        create_pipeline_topics(settings, client_id)
    except Exception as exc:  # any failure here means: not ready yet; the next try says more
        return f"the broker is not ready: {type(exc).__name__}: {exc}"
    return None


@contextmanager
def stopped_by_signals() -> Iterator[threading.Event]:
    """An event that SIGTERM and SIGINT set while the block runs (e.g. a wait before the service's own
    handlers exist), so Ctrl-C ends the wait without a traceback; the previous handlers come back after."""
    stop = threading.Event()
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    for sig in previous:
        signal.signal(sig, lambda _signum, _frame: stop.set())
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
