"""Building blocks shared by every message: the base model, identifiers, severities and durations."""

from __future__ import annotations

import re
from datetime import timedelta
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, StringConstraints

__all__ = [
    "AwareDatetime",
    "Duration",
    "Identifier",
    "Message",
    "Polarity",
    "Severity",
    "parse_duration",
]


class Message(BaseModel):
    """Base of every message on a topic: immutable, strict about unknown fields."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Identifier = Annotated[
    str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:/-]*$")
]
"""An id an operator may type: feed ids, rule ids, signal and topic ids, article ids."""


class Severity(StrEnum):
    """How urgently a person should look; ordered from least to most urgent."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_ORDER.index(self)

    def __ge__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_SEVERITY_ORDER = list(Severity)


class Polarity(StrEnum):
    """Whether a signal pushes a situation up (escalatory) or down (de-escalatory)."""

    ESCALATORY = "escalatory"
    DEESCALATORY = "de-escalatory"


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, None: 1}


def parse_duration(value: Any) -> Any:
    """Accept '90s', '5m', '1.5h', '2d', '1w' or plain seconds, as operators write them in YAML."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return timedelta(seconds=value)
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])
        if not value.strip().upper().startswith("P"):
            raise ValueError(f"invalid duration {value!r}: use a number with a unit, e.g. 90s, 5m, 2h, 1d")
    return value


Duration = Annotated[timedelta, BeforeValidator(parse_duration)]
"""A length of time; YAML takes '5m', '2h', '1d' or seconds."""
