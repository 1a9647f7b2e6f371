"""Precision, recall and F1 per signal and per topic against gold labels, and their macro averages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Case:
    """One labelled text: what a person said it contains, and what the classifier found."""

    id: str
    gold: frozenset[str]
    predicted: frozenset[str]

    @property
    def missed(self) -> frozenset[str]:
        return self.gold - self.predicted

    @property
    def extra(self) -> frozenset[str]:
        return self.predicted - self.gold


@dataclass(frozen=True)
class Score:
    label: str
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        """Share of what was found that is right; finding nothing is right only if there was nothing."""
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else (1.0 if not self.false_negatives else 0.0)

    @property
    def recall(self) -> float:
        gold = self.true_positives + self.false_negatives
        return self.true_positives / gold if gold else 1.0  # nothing to find, nothing missed

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def support(self) -> int:
        return self.true_positives + self.false_negatives


@dataclass(frozen=True)
class Report:
    """Scores for one label family (signals or topics) over a set of cases."""

    scores: tuple[Score, ...]
    cases: tuple[Case, ...] = field(repr=False)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over labels; a label with no gold and no prediction counts as perfect (1.0)."""
        return sum(s.f1 for s in self.scores) / len(self.scores) if self.scores else 0.0

    @property
    def micro_f1(self) -> float:
        tp = sum(s.true_positives for s in self.scores)
        fp = sum(s.false_positives for s in self.scores)
        fn = sum(s.false_negatives for s in self.scores)
        return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0

    @property
    def exact(self) -> float:
        """Share of cases whose predicted label set equals the gold set."""
        return sum(1 for c in self.cases if c.gold == c.predicted) / len(self.cases) if self.cases else 0.0


def evaluate(cases: Sequence[Case], labels: Iterable[str]) -> Report:
    """Scores for each of `labels` (plus any label seen in the cases), in that order."""
    ordered = list(dict.fromkeys([*labels, *sorted({x for c in cases for x in c.gold | c.predicted})]))
    scores = tuple(
        Score(
            label,
            sum(1 for c in cases if label in c.gold and label in c.predicted),
            sum(1 for c in cases if label not in c.gold and label in c.predicted),
            sum(1 for c in cases if label in c.gold and label not in c.predicted),
        )
        for label in ordered
    )
    return Report(scores, tuple(cases))


def format_report(title: str, report: Report) -> str:
    lines = [f"{title:<26} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5} {'found':>6}"]
    for s in report.scores:
        found = s.true_positives + s.false_positives
        lines.append(
            f"  {s.label:<24} {s.precision:6.3f} {s.recall:6.3f} {s.f1:6.3f} {s.support:5d} {found:6d}"
        )
    lines.append(
        f"  {'macro-F1':<24} {report.macro_f1:20.3f}   micro-F1 {report.micro_f1:.3f}"
        f"   exact {report.exact:.3f} ({len(report.cases)} texts)"
    )
    return "\n".join(lines)
