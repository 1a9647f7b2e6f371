from __future__ import annotations

import logging

import pytest

from newsmon.logs import SecretScrubber

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
