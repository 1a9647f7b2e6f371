"""The escalation score formula and the evaluation arithmetic."""

from __future__ import annotations

import pytest

from schemas.common import Polarity
from services.classify.evaluate import Case, evaluate
from services.classify.score import escalation_score

UP, DOWN = Polarity.ESCALATORY, Polarity.DEESCALATORY


def test_no_signal_scores_zero_and_one_unit_signal_scores_a_half() -> None:
    assert escalation_score([]) == 0.0
    assert escalation_score([(UP, 1.0, 1)]) == 0.5


def test_de_escalatory_signals_lower_the_score_but_never_below_zero() -> None:
    assert escalation_score([(UP, 1.0, 1), (DOWN, 1.0, 1)]) == pytest.approx(1 / 3, abs=1e-4)
    assert escalation_score([(DOWN, 3.0, 5)]) == 0.0


def test_more_evidence_adds_a_little_and_at_most_doubles_a_signal() -> None:
    one, three, many = (escalation_score([(UP, 1.0, n)]) for n in (1, 3, 50))
    assert one < three < many
    assert many == escalation_score([(UP, 2.0, 1)])


def test_the_score_stays_below_one_however_much_is_found() -> None:
    assert escalation_score([(UP, 10.0, 100)] * 8) < 1.0


def test_precision_recall_and_f1_per_label_and_macro_average() -> None:
    cases = [
        Case("1", frozenset({"a"}), frozenset({"a"})),
        Case("2", frozenset({"a"}), frozenset()),
        Case("3", frozenset(), frozenset({"a", "b"})),
        Case("4", frozenset(), frozenset()),
    ]
    report = evaluate(cases, ["a", "b", "c"])
    a, b, c = report.scores
    assert (a.precision, a.recall) == (0.5, 0.5)
    assert (b.precision, b.recall, b.f1) == (0.0, 1.0, 0.0)
    assert (c.precision, c.recall, c.f1) == (1.0, 1.0, 1.0)
    assert report.macro_f1 == pytest.approx((0.5 + 0.0 + 1.0) / 3)
    assert report.exact == 0.5
