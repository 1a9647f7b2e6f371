from __future__ import annotations

from datetime import timedelta

import pytest

from services.alert.retry import Backoff, Delivered, Permanent, Retry, Verdict, classify_http
from tests.unit.alert.factories import T0


@pytest.mark.parametrize(
    ("status", "retry_after", "verdict"),
    [
        (200, None, Delivered()),
        (400, None, Permanent("http_400")),
        (403, None, Permanent("http_403")),
        (404, None, Permanent("http_404")),
        (410, None, Permanent("http_410")),
        (429, "7", Retry("rate_limited", 7.0)),
        (429, None, Retry("rate_limited", None)),
        (500, None, Retry("http_500")),
        (503, "2", Retry("http_503", 2.0)),
    ],
)
def test_each_slack_status_is_classified_as_delivered_retryable_or_permanent(
    status: int, retry_after: str | None, verdict: Verdict
) -> None:
    assert classify_http(status, retry_after) == verdict


def test_retry_after_may_be_an_http_date() -> None:
    verdict = classify_http(429, "Tue, 17 Jun 2025 12:00:30 GMT", now=T0)
    assert verdict == Retry("rate_limited", 30.0)


def test_backoff_doubles_up_to_its_cap_and_defers_to_retry_after() -> None:
    backoff = Backoff(timedelta(seconds=1), timedelta(seconds=10))
    assert [backoff.delay(n).total_seconds() for n in range(1, 6)] == [1, 2, 4, 8, 10]
    assert backoff.delay(3, retry_after=30).total_seconds() == 30
