"""False alarms on unlabelled news: which signals the rules raise on texts that are not about conflict.

A labelled set measures precision on what someone labelled; a corpus of sport, business or local news
measures what a desk would actually be woken by. Every signal raised on such a text is a candidate false
alarm, listed with its evidence so a person can review it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from services.classify.engine import Analysis

MAX_LISTED = 10_000
"""Alarms kept for review, whatever the corpus size: the counts stay exact beyond it."""


@dataclass(frozen=True)
class Alarm:
    id: str
    register: str
    signal: str
    evidence: str


@dataclass
class FalseAlarms:
    """Counts per signal and per register, and the alarms themselves up to `MAX_LISTED`."""

    skipped: int = 0
    texts: int = 0
    alarmed: int = 0
    by_signal: Counter[str] = field(default_factory=Counter)
    texts_by_register: Counter[str] = field(default_factory=Counter)
    alarmed_by_register: Counter[str] = field(default_factory=Counter)
    alarms: list[Alarm] = field(default_factory=list)

    def skip(self) -> None:
        """A text marked as about conflict: its signals are not false alarms."""
        self.skipped += 1

    def add(
        self, text_id: str, register: str, analysis: Analysis, gold: frozenset[str] = frozenset()
    ) -> None:
        """Count one text; a signal in `gold` (a person found it there, e.g. a crime's casualties) is no
        false alarm."""
        self.texts += 1
        self.texts_by_register[register] += 1
        alarms = [signal for signal in analysis.signals if signal.id not in gold]
        if not alarms:
            return
        self.alarmed += 1
        self.alarmed_by_register[register] += 1
        for signal in alarms:
            self.by_signal[signal.id] += 1
            if len(self.alarms) < MAX_LISTED:
                self.alarms.append(Alarm(text_id, register, signal.id, signal.evidence[0].sentence))

    def per_thousand(self, count: int, texts: int | None = None) -> float:
        total = self.texts if texts is None else texts
        return 1000 * count / total if total else 0.0


def format_false_alarms(report: FalseAlarms, signal_order: list[str], show: int) -> str:
    """The summary table, per register when there are several, then up to `show` alarms to review."""
    lines = [
        f"{report.texts} texts taken as non-conflict ({report.skipped} marked conflict, left out)",
        f"texts raising any signal: {report.alarmed} = {report.per_thousand(report.alarmed):.1f} per 1,000",
        "",
        f"{'signal':<26} {'texts':>6} {'per 1,000':>10}",
    ]
    for signal in [s for s in signal_order if report.by_signal[s]]:
        count = report.by_signal[signal]
        lines.append(f"  {signal:<24} {count:6d} {report.per_thousand(count):10.1f}")
    if len(report.texts_by_register) > 1:
        lines += ["", f"{'register':<26} {'texts':>6} {'alarmed':>8} {'per 1,000':>10}"]
        for register, texts in sorted(report.texts_by_register.items()):
            alarmed = report.alarmed_by_register[register]
            rate = report.per_thousand(alarmed, texts)
            lines.append(f"  {register or '-':<24} {texts:6d} {alarmed:8d} {rate:10.1f}")
    if show and report.alarms:
        lines += [
            "",
            f"alarms to review (first {min(show, len(report.alarms))} of {sum(report.by_signal.values())}):",
        ]
        lines += [
            f"  {a.id} [{a.register or '-'}] {a.signal}: {_clip(a.evidence)}" for a in report.alarms[:show]
        ]
    return "\n".join(lines)


def _clip(sentence: str, width: int = 140) -> str:
    flat = " ".join(sentence.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"
