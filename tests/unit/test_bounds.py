"""Text bounds: cuts that keep a quote readable and whole within a fixed number of characters."""

from __future__ import annotations

import pytest

from schemas.bounds import ELLIPSIS, around, clip

WORDS = " ".join(f"word{i}" for i in range(400))


def test_clip_keeps_short_text_as_it_is() -> None:
    assert clip("a short line", 20) == "a short line"


@pytest.mark.parametrize("limit", [1, 2, 10, 37, 100, 599])
def test_clip_never_exceeds_its_limit_and_marks_the_cut(limit: int) -> None:
    cut = clip(WORDS, limit)
    assert len(cut) <= limit
    assert cut.endswith(ELLIPSIS)


def test_clip_cuts_between_words_when_a_boundary_is_near() -> None:
    cut = clip(WORDS, 50)
    assert cut[:-1] == WORDS[: len(cut) - 1]
    assert WORDS[len(cut) - 1] == " "


def test_clip_cuts_inside_a_word_that_has_no_boundary_near() -> None:
    assert clip("x" * 1000, 10) == "x" * 9 + ELLIPSIS


@pytest.mark.parametrize("where", [0, 5, 1000, 2400, len(WORDS) - 12])
@pytest.mark.parametrize("limit", [40, 120, 600])
def test_around_keeps_the_quote_whole_within_the_limit(where: int, limit: int) -> None:
    start, end = where, where + 12
    shown = around(WORDS, start, end, limit)
    assert len(shown) <= limit
    assert WORDS[start:end] in shown


def test_around_marks_only_the_sides_it_cut() -> None:
    at_start = around(WORDS, 0, 5, 60)
    assert not at_start.startswith(ELLIPSIS)
    assert at_start.endswith(ELLIPSIS)
    at_end = around(WORDS, len(WORDS) - 5, len(WORDS), 60)
    assert at_end.startswith(ELLIPSIS)
    assert not at_end.endswith(ELLIPSIS)


def test_around_shortens_a_quote_longer_than_the_limit() -> None:
    shown = around(WORDS, 10, 900, 100)
    assert len(shown) <= 100
    assert shown.startswith(WORDS[10:40])
