"""A text's MinHash signature: word-aligned shingles, one-permutation hashing, all in a few numpy calls.

A copy of a wire story keeps most of its wording, so most of its shingles (16 bytes of normalised text from
each word start, about three words) are shared. One-permutation MinHash (Li, Owen and Zhang 2012) hashes each
shingle once, splits the hash range into `BINS` bins and keeps each bin's smallest hash; an empty bin borrows
its next non-empty neighbour's value (rotation densification, Shrivastava and Li 2014), so the fraction of
equal bins estimates the Jaccard similarity of the two shingle sets. Only the low 16 bits of a bin are kept:
two unrelated bins agree by chance once in 65,536, which the estimate can ignore.

datasketch's MinHash computes 64 SHA-1-based permutations in Python: about 1.2 ms for a 2.5 KB article on the
benchmark machine, some 30 times this module's cost and far over the budget of a stage that must keep up with
classify (`bench/stories.py` measures both). Hashes are fixed functions of the bytes, never Python's salted
`hash`, so every worker computes the same signature for the same text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from services.classify.native import extension

BINS = 48
"""Bins per signature: 48 × 16 bits is 96 bytes, small enough to travel with each article."""

SHINGLE_BYTES = 16
_PUNCTUATION = ("’", "‘", "“", "”", "–", "—", "…", "«", "»")
MAX_CHARS = 6000
"""Only the beginning counts: a copy keeps the lede, and a 50 KB article costs no more than a long one."""

_TABLE = bytes((c + 32 if 65 <= c <= 90 else c) if chr(c).isalnum() or c >= 128 else 32 for c in range(256))
_DELETE = bytes(c for c in range(128) if not chr(c).isalnum() and not chr(c).isspace())
_PADDING = b" " * SHINGLE_BYTES
_M1 = np.uint64(0x9E3779B97F4A7C15)
_M2 = np.uint64(0xBF58476D1CE4E5B9)
_S29 = np.uint64(29)
_LOW16 = np.uint64(0xFFFF)
_BIN_BOUNDS = np.array([-(-(i << 32) // BINS) << 32 for i in range(BINS)] + [2**64 - 1], dtype=np.uint64)
_SPREAD = np.uint64(0x9E37)


@dataclass(frozen=True, slots=True)
class Sketch:
    """A signature (`BINS` unsigned 16-bit values) and the number of shingles it summarises."""

    signature: bytes
    shingles: int


EMPTY = Sketch(bytes(2 * BINS), 0)


def normalised_bytes(text: str) -> bytes:
    """Lower-case ASCII letters and digits (other UTF-8 bytes kept), punctuation dropped, spaces single.

    Dropping punctuation rather than spacing it means "Kyiv's" and "Kyivs", or "Kyiv, Ukraine" and "Kyiv
    Ukraine", agree, and a copy that changed a dash or a quote mark keeps its shingles."""
    text = text[:MAX_CHARS]
    if not text.isascii():
        for mark in _PUNCTUATION:
            if mark in text:
                text = text.replace(mark, "")
    data = b" " + text.encode("utf-8", "replace").translate(_TABLE, _DELETE) + b" "
    if b"  " in data:
        data = data.replace(b"   ", b" ").replace(b"  ", b" ")
    return data + _PADDING


def sketch(text: str) -> Sketch:
    """The MinHash signature of the shingles of `text` (its first `MAX_CHARS` characters), computed by the
    Rust extension when it is installed (`minhash` in engine_rs/src/sketch.rs: the same bits, some ten
    times faster), else by `python_sketch`."""
    data = normalised_bytes(text)
    native = extension()
    if native is None:
        return python_sketch(data)
    signature, shingles = native.minhash(data)
    return Sketch(signature, shingles) if shingles else EMPTY


def python_sketch(data: bytes) -> Sketch:
    """The reference computation of `sketch` from `normalised_bytes`, in a few numpy calls."""
    raw = np.frombuffer(data, dtype=np.uint8)
    starts = np.flatnonzero(raw[: len(data) - SHINGLE_BYTES - 1] == 32) + 1
    if len(starts) == 0:
        return EMPTY
    windows = np.ndarray((len(data) - 7,), dtype="<u8", buffer=data, strides=(1,))
    hashes = windows[starts] * _M1 ^ windows[starts + 8] * _M2
    hashes ^= hashes >> _S29
    hashes *= _M1
    hashes.sort()
    return Sketch(_signature(hashes), len(starts))


def _signature(hashes: npt.NDArray[np.uint64]) -> bytes:
    """Each bin's smallest hash (low 16 bits) from sorted `hashes`; an empty bin borrows from the next one."""
    first = np.searchsorted(hashes, _BIN_BOUNDS)
    empty = first[:-1] == first[1:]
    values = hashes[np.minimum(first[:-1], len(hashes) - 1)] & _LOW16
    if empty.any():
        filled = np.flatnonzero(~empty)
        gaps = np.flatnonzero(empty)
        donor = filled[np.searchsorted(filled, gaps) % len(filled)]
        distance = ((donor - gaps) % BINS).astype(np.uint64)
        values[gaps] = (values[donor] + distance * _SPREAD) & _LOW16
    return values.astype("<u2").tobytes()


def similarity(a: bytes, b: bytes) -> float:
    """Estimated Jaccard similarity of the shingle sets behind two signatures: the share of equal bins."""
    left = np.frombuffer(a, dtype="<u2")
    right = np.frombuffer(b, dtype="<u2")
    return float(np.count_nonzero(left == right)) / BINS


def containment(jaccard: float, shingles_a: int, shingles_b: int) -> float:
    """The share of the smaller text's shingles found in the other, from their Jaccard estimate and sizes.

    A short aggregator copy of two paragraphs has a low Jaccard similarity with the full story but is wholly
    contained in it: |A ∩ B| = J (|A| + |B|) / (1 + J)."""
    smaller = min(shingles_a, shingles_b)
    if smaller == 0:
        return 0.0
    return min(1.0, jaccard * (shingles_a + shingles_b) / (1 + jaccard) / smaller)
