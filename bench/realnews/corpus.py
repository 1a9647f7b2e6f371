"""Corpus items, and the two steps that follow reading: deduplication and the per-cell balance cap."""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bench.realnews.text import cap_text, clean, match_key

CELL_CAP = 1500
"""At most this many items per (source family, register) cell, so no feed outweighs the rest."""
CAP_SEED = 20260822
"""Seed of the cap's random draw; changing it changes the corpus and so the labelled sample."""
MIN_KEY_CHARS = 15
"""Items whose matching key (title and text start) is shorter than this say too little to keep."""


@dataclass(frozen=True)
class Item:
    """One published headline, lede or article as it appears in corpus.jsonl."""

    id: str
    source: str
    """`family:sub-source`, e.g. `gnews_gaza_2023_24:Reuters`; the family alone when it has none."""
    register: str
    title: str
    text: str
    date: str | None = None
    url: str | None = None

    @property
    def family(self) -> str:
        return self.source.split(":")[0]

    def record(self) -> dict[str, Any]:
        """The JSON object, keys in corpus order; date and url only when known."""
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "register": self.register,
            "title": self.title,
            "text": self.text,
        }
        if self.date:
            out["date"] = self.date
        if self.url:
            out["url"] = self.url
        return out

    def with_text(self, text: str) -> Item:
        return replace(self, text=text)


def make_item(
    item_id: str,
    source: str,
    register: str,
    title: str,
    text: str,
    date: str | None = None,
    url: str | None = None,
) -> Item:
    """An item with its title cleaned and its text capped (as every reader builds them)."""
    return Item(item_id, source, register, clean(title), cap_text(text), date or None, url or None)


def dedupe(items: Iterable[Item]) -> list[Item]:
    """The first of each id and of each title-plus-text-start; items that say too little are dropped."""
    seen_ids: set[str] = set()
    seen_keys: set[str] = set()
    kept: list[Item] = []
    for item in items:
        key = match_key(item.title + " " + item.text[:300])
        if item.id in seen_ids or key in seen_keys or len(key) < MIN_KEY_CHARS:
            continue
        seen_ids.add(item.id)
        seen_keys.add(key)
        kept.append(item)
    return kept


def cells_of(items: Iterable[Item]) -> dict[tuple[str, str], list[Item]]:
    """Items grouped by (source family, register), each group in input order."""
    cells: dict[tuple[str, str], list[Item]] = {}
    for item in items:
        cells.setdefault((item.family, item.register), []).append(item)
    return cells


def cap_cells(
    cells: dict[tuple[str, str], list[Item]], cap: int = CELL_CAP, seed: int = CAP_SEED
) -> dict[tuple[str, str], list[Item]]:
    """Each cell cut to `cap` items by a seeded draw, cells taken in sorted order (so the draw is stable)."""
    rng = random.Random(seed)
    capped: dict[tuple[str, str], list[Item]] = {}
    for key in sorted(cells):
        cell = cells[key]
        if len(cell) > cap:
            cell = sorted(rng.sample(cell, cap), key=lambda item: item.id)
        capped[key] = cell
    return capped


def by_id(cells: dict[tuple[str, str], list[Item]]) -> list[Item]:
    return sorted((item for cell in cells.values() for item in cell), key=lambda item: item.id)


def to_line(record: dict[str, Any]) -> str:
    """One JSON line as in the published files (UTF-8 kept, default separators)."""
    return json.dumps(record, ensure_ascii=False) + "\n"


def parse_lines(lines: Iterable[str]) -> Iterator[Item]:
    for line in lines:
        if line.strip():
            yield item_of(json.loads(line))


def item_of(record: dict[str, Any]) -> Item:
    return Item(
        record["id"],
        record["source"],
        record["register"],
        record["title"],
        record["text"],
        record.get("date"),
        record.get("url"),
    )


def register_counts(items: Sequence[Item]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for item in items:
        counts[item.register] = counts.get(item.register, 0) + 1
    return dict(sorted(counts.items()))
