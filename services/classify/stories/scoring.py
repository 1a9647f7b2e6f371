"""How well stories and copies match gold labels: pairwise precision, recall and F1, and agency accuracy.

Pairwise scoring asks, for every pair of articles, whether both sides put them together: one story that is
split in two loses recall on the pairs across the cut, two stories merged lose precision on the pairs
across theirs. The same measure on copy groups (an original with its copies) scores copy detection.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Labelled:
    """One article's gold and predicted labels. `copy_of` is None for originals and independent reports."""

    id: str
    story: str
    copy_of: str | None
    agency: str | None
    predicted_story: str
    predicted_copy_of: str | None
    predicted_agency: str | None


@dataclass(frozen=True)
class PairScore:
    true_pairs: int
    predicted_pairs: int
    agreed_pairs: int

    @property
    def precision(self) -> float:
        return self.agreed_pairs / self.predicted_pairs if self.predicted_pairs else 1.0

    @property
    def recall(self) -> float:
        return self.agreed_pairs / self.true_pairs if self.true_pairs else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass(frozen=True)
class Scores:
    articles: int
    stories: PairScore
    copies: PairScore
    agency_accuracy: float


def pair_score(gold: Mapping[str, str], predicted: Mapping[str, str]) -> PairScore:
    """Pairs of items grouped together by `gold`, by `predicted`, and by both (item -> group label)."""
    both = Counter((gold[item], predicted[item]) for item in gold)
    return PairScore(
        true_pairs=_pairs(Counter(gold.values())),
        predicted_pairs=_pairs(Counter(predicted[item] for item in gold)),
        agreed_pairs=_pairs(both),
    )


def _pairs(groups: Mapping[Any, int]) -> int:
    return sum(n * (n - 1) // 2 for n in groups.values())


def score(items: Iterable[Labelled]) -> Scores:
    items = list(items)
    stories = pair_score({i.id: i.story for i in items}, {i.id: i.predicted_story for i in items})
    copies = pair_score(
        {i.id: i.copy_of or i.id for i in items}, {i.id: i.predicted_copy_of or i.id for i in items}
    )
    right = sum(1 for i in items if i.agency == i.predicted_agency)
    return Scores(len(items), stories, copies, right / len(items) if items else 1.0)


def format_scores(scores: Scores) -> str:
    lines = [f"{scores.articles} articles", f"{'':8} {'precision':>9} {'recall':>7} {'F1':>6} {'pairs':>6}"]
    for name, pair in (("story", scores.stories), ("copy", scores.copies)):
        lines.append(f"{name:8} {pair.precision:9.3f} {pair.recall:7.3f} {pair.f1:6.3f} {pair.true_pairs:6d}")
    lines.append(f"agency accuracy {scores.agency_accuracy:.3f}")
    return "\n".join(lines)
