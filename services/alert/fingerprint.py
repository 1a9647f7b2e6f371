"""Stable identities: a fingerprint per situation, an id per alert, an id per notification and follow-up.

All three are hashes of what they stand for, never random: replaying the same input after a crash yields
the same ids, which is what lets the delivery records recognise work already done.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping


def _digest(parts: Iterable[str], length: int) -> str:
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\x00")
    return hasher.hexdigest()[:length]


def fingerprint(rule_id: str, keys: Mapping[str, str]) -> str:
    """The situation: a rule and its grouping keys (e.g. the topic)."""
    return _digest([rule_id, *(f"{k}={keys[k]}" for k in sorted(keys))], 16)


def alert_id(fingerprint_: str, trigger: str) -> str:
    """One firing of a situation, named by what triggered it (an article id or a trend window key)."""
    return _digest([fingerprint_, trigger], 24)


def notification_id(receiver: str, fingerprint_: str, alert_ids: Iterable[str]) -> str:
    """One message to one receiver about a batch of alerts of one situation."""
    return f"{receiver}:{_digest([fingerprint_, *sorted(alert_ids)], 24)}"


def follow_up_id(receiver: str, fingerprint_: str, acknowledgement: str) -> str:
    """The follow-up to one receiver saying the situation was acknowledged (named by when and by whom)."""
    return f"{receiver}:ack-{_digest([fingerprint_, acknowledgement], 24)}"
