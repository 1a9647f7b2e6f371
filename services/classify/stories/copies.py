"""Near-duplicate lookup over recent signatures: LSH banding in flat arrays, oldest entries expiring first.

Each signature is cut into `BANDS` bands of two bins; two texts whose estimated Jaccard similarity is J share
at least one band with probability 1 - (1 - J²)^BANDS (0.94 at J = 0.33, a short aggregator copy of a third
of the story; 0.21 at J = 0.1). Candidates are then checked on the whole signature.

datasketch's MinHashLSH keeps a Python set per bucket and a dict per band: at 300,000 articles and 24 bands,
millions of small Python objects (`bench/stories.py` measures it). Here the buckets are one array of
chain heads and, per entry and band, a 16-bit key and the slot of the previous entry in the same bucket:
about 150 bytes per article with its signature. Positions only grow; entries older than the horizon are
skipped by position, and the arrays are compacted once half of them has expired.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

import numpy as np

from services.classify.native import extension
from services.classify.stories.sketch import BINS, Sketch, containment, similarity

T = TypeVar("T")

BANDS = BINS // 2
MAX_CHAIN = 8
"""Entries of one bucket looked at per lookup, newest first."""
MAX_CANDIDATES = 16
"""Entries compared with the whole signature per lookup."""
_NONE = -1
_MASK64 = 2**64 - 1
_BAND_SALT = tuple(((band + 1) * 0x9E3779B97F4A7C15) & _MASK64 for band in range(BANDS))
_MIX = 0xBF58476D1CE4E5B9


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    """A recent entry whose text overlaps the one looked up."""

    payload: T
    jaccard: float
    containment: float


class Copies(Protocol[T]):
    """What the story book asks of its index of recent signatures (`CopyIndex` or `NativeCopyIndex`)."""

    def __len__(self) -> int: ...

    def add(self, item: Sketch, payload: T, when: float) -> None: ...

    def matches(self, item: Sketch) -> list[Match[T]]: ...

    def best(self, item: Sketch, min_containment: float, min_jaccard: float) -> T | None: ...

    def expire(self, before: float) -> int: ...

    def entries(self) -> Iterator[tuple[Sketch, T, float]]: ...

    def newest(self, count: int) -> Iterator[tuple[Sketch, T]]: ...


def copy_index(bucket_bits: int = 22) -> Copies[T]:
    """The index in Rust when the extension is installed (same answers), else `CopyIndex`."""
    native = extension()
    if native is None:
        return CopyIndex(bucket_bits)
    return NativeCopyIndex(native.CopyTable(bucket_bits))


class NativeCopyIndex(Generic[T]):
    """`CopyIndex` in Rust (`CopyTable` in engine_rs/src/sketch.rs): the bucket chains, signature
    comparisons and payloads live there, so a lookup costs a few microseconds instead of tens."""

    def __init__(self, table: Any) -> None:
        self._table = table

    def __len__(self) -> int:
        return len(self._table)

    def add(self, item: Sketch, payload: T, when: float) -> None:
        self._table.add(item.signature, item.shingles, payload, when)

    def matches(self, item: Sketch) -> list[Match[T]]:
        return [Match(p, j, c) for p, j, c in self._table.matches(item.signature, item.shingles)]

    def best(self, item: Sketch, min_containment: float, min_jaccard: float) -> T | None:
        return cast(T | None, self._table.best(item.signature, item.shingles, min_containment, min_jaccard))

    def expire(self, before: float) -> int:
        return int(self._table.expire(before))

    def entries(self) -> Iterator[tuple[Sketch, T, float]]:
        for signature, shingles, payload, when in self._table.entries(0):
            yield Sketch(signature, shingles), payload, when

    def newest(self, count: int) -> Iterator[tuple[Sketch, T]]:
        for signature, shingles, payload, _ in self._table.entries(max(0, len(self) - count)):
            yield Sketch(signature, shingles), payload


class CopyIndex(Generic[T]):
    """Signatures of recent articles, each with a payload (what the caller needs back on a match).

    `bucket_bits` sizes the table of chain heads (4 bytes each): 2^22 suits some 300,000 articles."""

    def __init__(self, bucket_bits: int = 22) -> None:
        self._bits = bucket_bits
        self._heads = array("i", [_NONE]) * (1 << bucket_bits)
        self._keys = array("H")
        self._next = array("i")
        self._signatures: list[bytes] = []
        self._shingles = array("I")
        self._times = array("d")
        self._payloads: list[T | None] = []
        self._start = 0
        self._last_item: Sketch | None = None
        self._last_bands: list[tuple[int, int]] = []

    def __len__(self) -> int:
        return len(self._payloads) - self._start

    def add(self, item: Sketch, payload: T, when: float) -> None:
        """Index `item` at time `when` (seconds; never earlier than the previous call's)."""
        slot = len(self._payloads) * BANDS
        for bucket, key in self._bands(item):
            self._keys.append(key)
            self._next.append(self._heads[bucket])
            self._heads[bucket] = slot
            slot += 1
        self._signatures.append(item.signature)
        self._shingles.append(item.shingles)
        self._times.append(when)
        self._payloads.append(payload)

    def matches(self, item: Sketch) -> list[Match[T]]:
        """Live entries sharing a band with `item`, oldest first, with their similarity to it: at most
        `MAX_CANDIDATES`, the newest of each band's bucket first, so a flood of near-identical texts costs
        a bounded time per lookup (any recent member of a copy group names the group)."""
        if item.shingles == 0:
            return []
        seen: set[int] = set()
        first = self._start * BANDS
        keys, chain = self._keys, self._next
        for bucket, key in self._bands(item):
            slot, walked = self._heads[bucket], 0
            while slot >= first and walked < MAX_CHAIN:
                if keys[slot] == key:
                    seen.add(slot // BANDS)
                slot = chain[slot]
                walked += 1
            if len(seen) >= MAX_CANDIDATES:
                break
        found = []
        positions = sorted(seen)
        for position, jaccard in zip(positions, self._similarities(item, positions), strict=True):
            share = containment(jaccard, item.shingles, self._shingles[position])
            payload = self._payloads[position]
            if payload is not None:
                found.append(Match(payload, jaccard, share))
        return found

    def best(self, item: Sketch, min_containment: float, min_jaccard: float) -> T | None:
        """The payload of the match containing the most of `item` (the oldest of equals), among those at
        or above both floors; None when no match reaches them."""
        best, most = None, -1.0
        for match in self.matches(item):
            share = match.containment
            if share >= min_containment and match.jaccard >= min_jaccard and share > most:
                best, most = match.payload, share
        return best

    def _similarities(self, item: Sketch, positions: list[int]) -> list[float]:
        """`similarity` of `item` with each entry, in one comparison of all their signatures."""
        if len(positions) == 1:
            return [similarity(item.signature, self._signatures[positions[0]])]
        rows = np.frombuffer(b"".join(self._signatures[p] for p in positions), dtype="<u2")
        equal = rows.reshape(len(positions), BINS) == np.frombuffer(item.signature, dtype="<u2")
        return [int(n) / BINS for n in np.count_nonzero(equal, axis=1)]

    def expire(self, before: float) -> int:
        """Forget entries added before time `before`; how many went."""
        start = self._start
        times, payloads = self._times, self._payloads
        while start < len(payloads) and times[start] < before:
            payloads[start] = None
            start += 1
        gone = start - self._start
        self._start = start
        if self._start > 1024 and self._start * 2 > len(self._payloads):
            self._compact()
        return gone

    def entries(self) -> Iterator[tuple[Sketch, T, float]]:
        """Live entries, oldest first: what a snapshot needs to rebuild this index."""
        for position in range(self._start, len(self._payloads)):
            payload = self._payloads[position]
            assert payload is not None
            yield Sketch(self._signatures[position], self._shingles[position]), payload, self._times[position]

    def newest(self, count: int) -> Iterator[tuple[Sketch, T]]:
        """The `count` entries added last that are still live, oldest first."""
        for position in range(max(self._start, len(self._payloads) - count), len(self._payloads)):
            payload = self._payloads[position]
            assert payload is not None
            yield Sketch(self._signatures[position], self._shingles[position]), payload

    def _bands(self, item: Sketch) -> list[tuple[int, int]]:
        """(bucket, 16-bit key) of each band: its two bins read as one 32-bit value, salted and mixed."""
        if item is self._last_item:
            return self._last_bands
        pairs = array("I")
        pairs.frombytes(item.signature)
        shift = 64 - self._bits
        bands = []
        for value, salt in zip(pairs, _BAND_SALT, strict=True):
            mixed = ((value ^ salt) * _MIX) & _MASK64
            mixed ^= mixed >> 29
            bands.append((mixed >> shift, mixed & 0xFFFF))
        self._last_item, self._last_bands = item, bands
        return bands

    def _compact(self) -> None:
        """Drop expired entries from the arrays; positions shift down by the number dropped."""
        shift = self._start * BANDS
        del self._keys[:shift]
        del self._next[:shift]
        del self._signatures[: self._start]
        del self._shingles[: self._start]
        del self._times[: self._start]
        del self._payloads[: self._start]
        for table in (self._next, self._heads):
            view = np.frombuffer(table, dtype=np.int32)
            view[:] = np.where(view >= shift, view - shift, _NONE)
            del view
        self._start = 0
