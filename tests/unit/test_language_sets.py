"""The blind labelled sets in eight languages: shape, label ids, balance, and the language they are in."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from services.classify.language import identify
from services.classify.taxonomy import load_taxonomy

SETS = Path(__file__).parents[1] / "fixtures" / "labelled" / "lang"
LANGUAGES = ("ar", "de", "es", "fa", "fr", "he", "ru", "uk")


def _items(language: str) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for half in ("dev", "unseen")
        for line in (SETS / f"{language}-{half}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_120_items_with_known_labels_and_each_signal_8_times(
    language: str,
) -> None:
    taxonomy = load_taxonomy()
    signal_ids = {s.id for s in taxonomy.signals}
    topic_ids = {t.id for t in taxonomy.topics}
    items = _items(language)
    assert len(items) == 120
    assert len({item["id"] for item in items}) == 120
    counts: Counter[str] = Counter()
    for item in items:
        assert item["lang"] == language
        assert set(item["signals"]) <= signal_ids, item["id"]
        assert set(item["topics"]) <= topic_ids, item["id"]
        counts.update(item["signals"])
    assert all(counts[signal] >= 8 for signal in signal_ids), counts
    negatives = sum(1 for item in items if not item["signals"])
    assert negatives >= 40  # hard negatives and conflict news without a signal


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_of_each_item_is_told_from_its_text(language: str) -> None:
    items = _items(language)
    told = Counter(identify(f"{item['title']}\n{item['text']}") for item in items)
    assert told[language] >= 118, told  # at most two misses in 120 (Spanish was once heard as Catalan)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_a_fresh_blind_set_of_60_items_with_known_labels(language: str) -> None:
    taxonomy = load_taxonomy()
    signal_ids = {s.id for s in taxonomy.signals}
    topic_ids = {t.id for t in taxonomy.topics}
    lines = (SETS / f"{language}-fresh.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(line) for line in lines if line.strip()]
    assert len(items) == 60
    assert len({item["id"] for item in items}) == 60
    counts: Counter[str] = Counter()
    for item in items:
        assert item["lang"] == language
        assert set(item["signals"]) <= signal_ids, item["id"]
        assert set(item["topics"]) <= topic_ids, item["id"]
        counts.update(item["signals"])
    assert all(counts[signal] >= 5 for signal in signal_ids), counts
    assert sum(1 for item in items if not item["signals"]) >= 22
    told = Counter(identify(f"{item['title']}\n{item['text']}") for item in items)
    assert told[language] >= 58, told
