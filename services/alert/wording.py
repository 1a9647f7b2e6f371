"""Alert summaries in people's words: the ids the rule engine writes into a summary, put as labels.

The engine's summaries start with ids ("evacuation_notice on iran_israel: 2 stories from 2 sources within
1h", "iran_israel: escalation index ..."): they are the alert's record, read by machines and kept as they
are. A reader gets the same line with the ids replaced by their labels. Only that known start is replaced;
a summary of another shape is shown as written. Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas import Alert
from services.alert.names import DisplayNames


def count(number: int, noun: str) -> str:
    """ "1 source", "2 sources"."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def describe(signals: Sequence[str], topic: str | None, names: DisplayNames) -> str:
    """ "Evacuation + Military strike on Iran–Israel conflict"; empty when there is neither."""
    what = " + ".join(names.signal(s) for s in signals)
    where = names.topic(topic) if topic else ""
    if what and where:
        return f"{what} on {where}"
    return what or where


def _id_start(alert: Alert) -> str | None:
    """How the engine starts this kind's summary, in ids; None for a kind whose summary has no ids."""
    if alert.rule_kind == "window":
        where = f" on {alert.topic}" if alert.topic else ""
        return f"{' + '.join(alert.signals)}{where}: "
    if alert.rule_kind == "trend" and alert.topic:
        return f"{alert.topic}: "
    return None


def alert_summary(alert: Alert, names: DisplayNames) -> str:
    """The alert's summary with the ids it starts with put as labels."""
    start = _id_start(alert)
    if start is None or not alert.summary.startswith(start):
        return alert.summary
    rest = alert.summary.removeprefix(start)
    if alert.rule_kind == "trend":
        return f"{names.topic(alert.topic or '')}: {rest}"
    return f"{describe(alert.signals, alert.topic, names)}: {rest}"
