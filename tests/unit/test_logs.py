from __future__ import annotations

import logging

import pytest

from streambase.logs import RepeatLimiter, SecretScrubber

WEBHOOK = "https://hooks.slack.example/services/T000/B000/very-secret-token"


def test_secrets_are_scrubbed_from_messages_and_arguments(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("test.scrub")
    scrubber = SecretScrubber([WEBHOOK])
    logger.addFilter(scrubber)
    try:
        with caplog.at_level(logging.INFO, logger="test.scrub"):
            logger.info("posting to %s failed", WEBHOOK)
            try:
                raise ConnectionError(f"cannot reach {WEBHOOK}")
            except ConnectionError:
                logger.exception("delivery failed")
    finally:
        logger.removeFilter(scrubber)
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "very-secret-token" not in text
    assert "posting to *** failed" in text


def record(name: str, msg: str, *args: object, level: int = logging.ERROR) -> logging.LogRecord:
    return logging.LogRecord(name, level, __file__, 1, msg, args, None)


def test_a_library_line_repeated_without_pause_passes_once_per_interval_with_a_count() -> None:
    now = [0.0]
    limiter = RepeatLimiter(interval=10.0, clock=lambda: now[0])
    passed = []
    for step in range(300):  # three a second for a hundred seconds
        now[0] = step / 3
        line = record("aiokafka", "Unable connect to node with id %s: %s", 1, "refused")
        if limiter.filter(line):
            passed.append(line.getMessage())
    assert len(passed) == 10
    assert passed[0] == "Unable connect to node with id 1: refused"
    assert passed[1] == "Unable connect to node with id 1: refused [29 more like this in the last 10 s]"


def test_our_own_lines_and_library_info_lines_are_never_held_back() -> None:
    limiter = RepeatLimiter(interval=10.0, clock=lambda: 0.0)
    ours = [record("services.alert.notify", "slack: not delivered") for _ in range(5)]
    info = [record("kafka.coordinator", "(Re-)joining group %s", "g", level=logging.INFO) for _ in range(5)]
    assert all(limiter.filter(r) for r in ours + info)


def test_different_kinds_of_library_line_are_limited_separately() -> None:
    limiter = RepeatLimiter(interval=10.0, clock=lambda: 0.0)
    assert limiter.filter(record("aiokafka", "Unable to update metadata from %s", [1]))
    assert limiter.filter(record("aiokafka", "Unable connect to node with id %s: %s", 1, "refused"))
    assert not limiter.filter(record("aiokafka", "Unable to update metadata from %s", [1]))
