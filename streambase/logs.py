"""Logging set-up shared by every process, with secrets scrubbed from every record."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime

from pydantic import SecretStr

REDACTED = "***"


class SecretScrubber(logging.Filter):
    """Replaces every known secret value in a record's final message and exception text."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self._secrets: set[str] = set()
        self.add(secrets)

    def add(self, secrets: Iterable[str]) -> None:
        self._secrets.update(s for s in secrets if s and len(s) >= 4)

    def scrub(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._secrets:
            return True
        record.msg = self.scrub(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


scrubber = SecretScrubber()


def register_secrets(*values: SecretStr | str | None) -> None:
    """Make sure these values never reach a log line."""
    scrubber.add(v.get_secret_value() if isinstance(v, SecretStr) else v for v in values if v)


LIBRARIES = ("kafka", "aiokafka", "faust", "mode")
"""Loggers of the Kafka and stream libraries: while a broker is away they repeat one line without pause."""


class RepeatLimiter(logging.Filter):
    """Lets one line of a kind through per `interval` from the Kafka and stream libraries, counting the rest.

    While the broker is away, aiokafka under Faust logs the same two connection errors thousands of times a
    second; one line per kind every `interval`, with how many were held back, says as much. A kind is the
    logger, level and message template, so a line with different arguments (another node) is the same kind.
    """

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock
        self._kinds: dict[tuple[str, int, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or record.name.partition(".")[0] not in LIBRARIES:
            return True
        kind = (record.name, record.levelno, str(record.msg))
        now = self._clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen[0] < self._interval:
            self._kinds[kind] = (seen[0], seen[1] + 1)
            return False
        self._kinds[kind] = (now, 0)
        if seen is not None and seen[1]:
            record.msg = f"{record.getMessage()} [{seen[1]} more like this in the last {now - seen[0]:.0f} s]"
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_text or record.exc_info:
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)  # type: ignore[arg-type]
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text", service: str = "newsmon") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(RepeatLimiter())
    handler.addFilter(scrubber)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(
            logging.Formatter(f"%(asctime)s %(levelname)-7s {service} %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in LIBRARIES:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # Joins, assignments, revocations: a few lines per rebalance, and what explains a replica that sits idle.
    logging.getLogger("kafka.coordinator").setLevel(level)
