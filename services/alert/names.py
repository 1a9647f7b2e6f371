"""What readers call topics and signals: their taxonomy labels ("Iran–Israel conflict"), not their ids.

The alert service learns the labels from the taxonomy of the deployment's newsmon.yaml, which it already
loads and validates at start, rather than from the alerts: an id is the stable key that routes, silences,
fingerprints and delivery records match on, while a label is wording an editor may fix at any time, so it
stays out of the alert's record and a corrected label shows on every message sent after the next start,
alerts replayed from before included. An id the taxonomy no longer labels (it was edited since the alert
fired) is shown in a readable form of itself, never as an error. Labels are text from a file anyone with
the repository can edit, so each is one bounded line here, and every receiver escapes it as it escapes
titles. Pure: no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

MAX_LABEL = 100
"""Characters of one label; a longer one is cut with "…"."""
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str, limit: int = MAX_LABEL) -> str:
    text = " ".join(_CONTROL.sub(" ", text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def readable(identifier: str) -> str:
    """`iran_israel` as "Iran israel": the fallback for an id without a label."""
    words = _one_line(identifier.replace("_", " ").replace("-", " "))
    return words[:1].upper() + words[1:] if words else "-"


@dataclass(frozen=True)
class DisplayNames:
    """Topic and signal labels by id. Empty (the default) shows every id in its readable form. Whatever was
    given, a label comes out as one line of at most `MAX_LABEL` characters."""

    topics: Mapping[str, str] = field(default_factory=dict)
    signals: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, topics: Iterable[tuple[str, str]], signals: Iterable[tuple[str, str]]) -> DisplayNames:
        """From (id, label) pairs, e.g. a taxonomy's topics and signals."""
        return cls(MappingProxyType(dict(topics)), MappingProxyType(dict(signals)))

    def topic(self, topic_id: str) -> str:
        return _one_line(self.topics.get(topic_id, "")) or readable(topic_id)

    def signal(self, signal_id: str) -> str:
        return _one_line(self.signals.get(signal_id, "")) or readable(signal_id)


NO_NAMES = DisplayNames()
