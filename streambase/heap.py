"""Garbage-collector settings for a long-running stream worker.

CPython's cyclic collector runs a young collection every 700 container allocations and, every so often, a
full one that walks every tracked object. A worker allocates a few dozen containers per message (decoded
models, evidence, records), and after start-up it holds a large, never-freed heap (a compiled taxonomy,
imported modules, the client libraries): with the defaults, collecting costs the classify worker about a
tenth of its CPU. Freezing what start-up built moves it out of every later collection, and a larger young
generation collects the short-lived garbage of a batch in far fewer passes. Cycles are still collected.
"""

from __future__ import annotations

import gc

YOUNG_GENERATION = 10_000
"""Container allocations between young collections (CPython's default is 700)."""


def settle_after_start(young: int = YOUNG_GENERATION) -> None:
    """Collect once, freeze what survives (the start-up heap) and widen the young generation."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(young, middle, old)
