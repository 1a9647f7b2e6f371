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


def _items(language: str, halves: tuple[str, ...] = ("dev", "unseen")) -> list[dict[str, object]]:
    return [
        json.loads(line)
        for half in halves
        for line in (SETS / f"{language}-{half}.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def _signal_counts(items: list[dict[str, object]], language: str) -> Counter[str]:
    """How often each signal is labelled, once every item is checked for its language and known ids."""
    taxonomy = load_taxonomy()
    signal_ids = {s.id for s in taxonomy.signals}
    topic_ids = {t.id for t in taxonomy.topics}
    assert len({item["id"] for item in items}) == len(items)
    counts: Counter[str] = Counter({signal: 0 for signal in signal_ids})
    for item in items:
        signals, topics = item["signals"], item["topics"]
        assert isinstance(signals, list)
        assert isinstance(topics, list)
        assert item["lang"] == language
        assert set(signals) <= signal_ids, item["id"]
        assert set(topics) <= topic_ids, item["id"]
        counts.update(signals)
    return counts


def _told(items: list[dict[str, object]]) -> Counter[str]:
    return Counter(identify(f"{item['title']}\n{item['text']}") for item in items)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_120_items_with_known_labels_and_each_signal_8_times(
    language: str,
) -> None:
    items = _items(language)
    assert len(items) == 120
    counts = _signal_counts(items, language)
    assert min(counts.values()) >= 8, counts
    negatives = sum(1 for item in items if not item["signals"])
    assert negatives >= 40  # hard negatives and conflict news without a signal


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_language_of_each_item_is_told_from_its_text(language: str) -> None:
    told = _told(_items(language))
    assert told[language] >= 118, told  # at most two misses in 120 (Spanish was once heard as Catalan)


SECOND_FRESH = ("es", "fa", "fr", "he", "ru")
"""Languages below the unseen target at the first fresh round, given a second fresh set by other authors."""


@pytest.mark.parametrize(
    ("language", "half"),
    [(language, "fresh") for language in LANGUAGES] + [(language, "fresh2") for language in SECOND_FRESH],
)
def test_each_fresh_blind_set_has_60_items_with_known_labels(language: str, half: str) -> None:
    items = _items(language, (half,))
    assert len(items) == 60
    counts = _signal_counts(items, language)
    assert min(counts.values()) >= 5, counts
    assert sum(1 for item in items if not item["signals"]) >= 22
    assert _told(items)[language] >= 58
