"""`str.translate` tables filled as characters are met, keeping at most `MAX_KEPT` of them.

A table that kept every character it met would grow with what a crafted feed sends: a stream of articles
written in every code point of Unicode would leave 1.1 million entries per table. Past the bound a
character is worked out again at each meeting, which costs microseconds and only for such input.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

MAX_KEPT = 8192
"""Characters a table remembers: every letter of the languages read here and their punctuation, many
times over."""


class LazyTable(dict[int, str], ABC):
    """A translate table that works a character out on first meeting (`translated`) and keeps the answer
    while it holds fewer than `MAX_KEPT`."""

    def __missing__(self, code: int) -> str:
        result = self.translated(code)
        if len(self) < MAX_KEPT:
            self[code] = result
        return result

    @abstractmethod
    def translated(self, code: int) -> str:
        """What the character `code` becomes."""
