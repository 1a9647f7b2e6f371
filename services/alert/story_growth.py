"""How fast one story grows, for story rules: its outlets and independent reports in a sliding window.

The story stage stamps every classified article with its story and its independent report (an original
and its syndicated copies share one). A story rule looks at one story at a time: how many outlets carried
it and how many independent reports it had within the last `within` (event time, the story's latest
article as the clock), and how many reports it had in the `within` before, for growth. State per story is
one entry per outlet and per report of the last two windows, so it is bounded by the feeds, not by copies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from schemas import AlertEvidence, StoryRef
from services.alert.rules import StoryRule


@dataclass(frozen=True)
class Growth:
    """A story's counts when an article of it arrived."""

    outlets: int
    reports: int
    reports_before: int

    def verdict(self, rule: StoryRule, window: str) -> str | None:
        """Why the story stands out under `rule` (`window` names its length), or None."""
        reasons = []
        if rule.min_outlets is not None and self.outlets >= rule.min_outlets:
            reasons.append(f"{self.outlets} outlets")
        if rule.min_reports is not None and self.reports >= rule.min_reports:
            reasons.append(f"{self.reports} independent reports")
        if rule.growth is not None and self.reports >= max(
            2, rule.min_reports or 2, rule.growth * max(1, self.reports_before)
        ):
            reasons.append(f"{self.reports} reports against {self.reports_before} in the {window} before")
        return f"{', '.join(reasons)} within {window}" if reasons else None


@dataclass
class StoryActivity:
    """One story's recent articles under one rule."""

    ref: StoryRef
    latest: datetime
    outlets: dict[str, datetime] = field(default_factory=dict)
    """Outlet -> its latest article."""
    reports: dict[str, datetime] = field(default_factory=dict)
    """Independent report -> its first article."""
    evidence: dict[str, AlertEvidence] = field(default_factory=dict)
    """Independent report -> one quote (its earliest article that had one)."""
    signals: set[str] = field(default_factory=set)

    def add(
        self, ref: StoryRef, at: datetime, outlet: str, evidence: AlertEvidence | None, signals: set[str]
    ) -> None:
        if at >= self.latest:
            self.latest, self.ref = at, ref
        self.outlets[outlet] = max(at, self.outlets.get(outlet, at))
        report = ref.report_id
        self.reports[report] = min(at, self.reports.get(report, at))
        if evidence is not None and report not in self.evidence:
            self.evidence[report] = evidence
        self.signals |= signals

    def growth(self, within: timedelta) -> Growth:
        """Counts in the window ending at the latest article, and reports in the window before it."""
        start, before = self.latest - within, self.latest - 2 * within
        self.outlets = {o: at for o, at in self.outlets.items() if at > start}
        self.reports = {r: at for r, at in self.reports.items() if at > before}
        self.evidence = {r: e for r, e in self.evidence.items() if r in self.reports}
        recent = sum(1 for at in self.reports.values() if at > start)
        return Growth(len(self.outlets), recent, len(self.reports) - recent)

    def quotes(self, within: timedelta) -> list[AlertEvidence]:
        """One quote per independent report of the window, newest report first."""
        start = self.latest - within
        recent = sorted((at, r) for r, at in self.reports.items() if at > start and r in self.evidence)
        return [self.evidence[r] for _, r in reversed(recent)]

    def idle(self, now: datetime, within: timedelta) -> bool:
        """Whether nothing of the story is left to count (its latest article is two windows old)."""
        return self.latest <= now - 2 * within
