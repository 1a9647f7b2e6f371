"""The ledger of what each alert was delivered to: remembered while the alert can come again, no longer."""

from __future__ import annotations

from datetime import timedelta

from services.alert.sent import SentLedger
from tests.unit.alert.factories import T0


def test_receivers_of_an_alert_accumulate() -> None:
    ledger = SentLedger()
    ledger.record("a1", "slack", T0)
    ledger.record("a1", "email", T0 + timedelta(minutes=1))
    assert ledger.receivers("a1") == {"slack", "email"}
    assert ledger.receivers("a2") == frozenset()


def test_entries_older_than_the_cutoff_are_forgotten_and_newer_ones_kept() -> None:
    ledger = SentLedger()
    for day in range(40):
        ledger.record(f"a{day}", "slack", T0 + timedelta(days=day))
    assert ledger.forget_before(T0 + timedelta(days=10)) == 10
    assert len(ledger) == 30
    assert ledger.receivers("a9") == frozenset()
    assert ledger.receivers("a10") == {"slack"}


def test_a_new_delivery_of_an_old_alert_keeps_it() -> None:
    ledger = SentLedger()
    ledger.record("a1", "slack", T0)
    ledger.record("a2", "slack", T0 + timedelta(days=1))
    ledger.record("a1", "email", T0 + timedelta(days=2))
    assert ledger.forget_before(T0 + timedelta(days=1, hours=12)) == 1
    assert ledger.receivers("a1") == {"slack", "email"}
