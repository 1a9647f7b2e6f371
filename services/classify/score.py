"""The escalation score: one number in [0, 1] per article, from the signals found in it.

    E = sum over escalatory signals s of   w_s * min(2, 1 + 0.25 * (n_s - 1))
    D = sum over de-escalatory signals s of w_s * min(2, 1 + 0.25 * (n_s - 1))
    score = E / (E + D + 1)

w_s is the signal's weight in the taxonomy and n_s its number of evidence passages, so repeated evidence
adds a little (at most double). With no escalatory signal the score is 0; de-escalatory signals (mediation
offers, ceasefire calls) pull it down but never below 0. The +1 keeps the score well under 1 until several
heavy signals agree: one signal of weight 1 gives 0.5, three give 0.75.
"""

from __future__ import annotations

from collections.abc import Iterable

from schemas.common import Polarity

MAX_REPEAT_FACTOR = 2.0
REPEAT_STEP = 0.25


def signal_mass(weight: float, evidence_count: int) -> float:
    return weight * min(MAX_REPEAT_FACTOR, 1 + REPEAT_STEP * (max(evidence_count, 1) - 1))


def escalation_score(signals: Iterable[tuple[Polarity, float, int]]) -> float:
    """Score from (polarity, weight, evidence count) of each signal found."""
    up = down = 0.0
    for polarity, weight, count in signals:
        if polarity is Polarity.ESCALATORY:
            up += signal_mass(weight, count)
        else:
            down += signal_mass(weight, count)
    return round(up / (up + down + 1.0), 4)
