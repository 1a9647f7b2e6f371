"""What to do after a failed send: one place decides retryable versus permanent, one backoff policy.

Like Alertmanager: 5xx and 429 are retried (429 after the server's Retry-After), other 4xx are permanent,
because sending the same request again cannot fix a bad URL, a revoked webhook or a malformed payload.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime


@dataclass(frozen=True)
class Delivered:
    pass


@dataclass(frozen=True)
class Retry:
    reason: str
    after: float | None = None
    """Seconds the server asked us to wait (Retry-After); None: use the backoff."""


@dataclass(frozen=True)
class Permanent:
    reason: str
    detail: str = ""


Verdict = Delivered | Retry | Permanent


def classify_http(status: int, retry_after: str | None = None, now: datetime | None = None) -> Verdict:
    """The verdict for an HTTP response status from a webhook."""
    if 200 <= status < 300:
        return Delivered()
    if status == 429:
        return Retry("rate_limited", parse_retry_after(retry_after, now))
    if 500 <= status < 600:
        return Retry(f"http_{status}", parse_retry_after(retry_after, now))
    if status == 408:
        return Retry("http_408")
    return Permanent(f"http_{status}")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds: either delay-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if now is None or moment.tzinfo is None:
        return None
    return max(0.0, (moment - now).total_seconds())


@dataclass(frozen=True)
class Backoff:
    """Exponential backoff: initial, doubling, capped at maximum; honours a server's Retry-After."""

    initial: timedelta = timedelta(seconds=1)
    maximum: timedelta = timedelta(minutes=1)

    def delay(self, attempt: int, retry_after: float | None = None) -> timedelta:
        """Wait before try `attempt + 1`, given that `attempt` tries (>= 1) have failed."""
        if retry_after is not None:
            return timedelta(seconds=retry_after)
        exponent = min(max(attempt - 1, 0), 30)
        grown: timedelta = self.initial * (2**exponent)
        return min(self.maximum, grown)
