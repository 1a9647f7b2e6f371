"""The worker's collector settings: start-up objects frozen, a wider young generation, cycles still freed."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from streambase.heap import YOUNG_GENERATION, settle_after_start


@pytest.fixture
def restored_gc() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class _Node:
    def __init__(self) -> None:
        self.other: _Node | None = None


def test_settling_freezes_the_start_up_heap_and_widens_only_the_young_generation(restored_gc: None) -> None:
    _, middle, old = gc.get_threshold()
    settle_after_start()
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == (YOUNG_GENERATION, middle, old)


def test_a_cycle_made_after_settling_is_still_collected(restored_gc: None) -> None:
    settle_after_start()
    first, second = _Node(), _Node()
    first.other, second.other = second, first
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    assert gone() is None
