"""`newsmon receivers list`: each receiver, its type, whether its secret is set, and its last delivery.

Made from what the alert service itself would use (the `receivers:` section, the old NEWSMON_SLACK_* and
NEWSMON_SMTP_* variables, the routes) and from the delivery records the service writes, so it shows what a
replica started here would do. A secret is only ever said to be `set` or `missing: VARIABLE`: its value
never reaches a row. Pure: the settings and records are passed in, time too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from schemas import DeliveryRecord
from services.alert.config import AlertingOptions
from services.alert.receiver_specs import ReceiverSpec
from services.alert.settings import AlertSettings

MAX_ERROR = 80
"""Characters of a failed delivery's error shown in the table."""
NO_SECRET = "-"  # noqa: S105 (shown where a receiver needs no secret)

_LEGACY_NEEDS = {
    "slack": ("NEWSMON_SLACK_WEBHOOK_URL",),
    "email": ("NEWSMON_SMTP_HOST", "NEWSMON_SMTP_RECIPIENTS"),
}


@dataclass(frozen=True)
class ReceiverRow:
    name: str
    type: str
    secret: str
    """`set`, `missing: VAR, ...`, or `-` when the receiver needs none."""
    last: DeliveryRecord | None = None
    configured: bool = True
    """False for a name seen only in delivery records (renamed or removed since)."""


def latest_by_receiver(records: Iterable[DeliveryRecord]) -> dict[str, DeliveryRecord]:
    """The newest delivery record of each receiver."""
    latest: dict[str, DeliveryRecord] = {}
    for record in records:
        if record.kind == "digest_start":  # a bookmark of the digest schedule, not a delivery
            continue
        known = latest.get(record.receiver)
        if known is None or record.updated_at >= known.updated_at:
            latest[record.receiver] = record
    return latest


def _missing(variables: Sequence[str]) -> str:
    return f"missing: {', '.join(variables)}" if variables else "set"


def _named_secret(spec: ReceiverSpec, rt: AlertSettings) -> str:
    variables = list(spec.secret_vars().values())
    if not variables:
        return NO_SECRET
    return _missing([v for v in variables if v not in rt.secrets])


def _legacy_rows(rt: AlertSettings, wanted: set[str]) -> list[ReceiverRow]:
    """console always; slack and email when their variables configure them, or a route names them."""
    rows = [ReceiverRow("console", "console", NO_SECRET)]
    if rt.slack.webhook_url is not None:
        rows.append(ReceiverRow("slack", "slack", "set"))
    elif "slack" in wanted:
        rows.append(ReceiverRow("slack", "slack", _missing(_LEGACY_NEEDS["slack"])))
    if rt.smtp.host and rt.smtp.recipient_list:
        rows.append(ReceiverRow("email", "email", "set" if rt.smtp.password is not None else NO_SECRET))
    elif "email" in wanted:
        rows.append(ReceiverRow("email", "email", _missing(_LEGACY_NEEDS["email"])))
    return rows


def receiver_rows(
    specs: Sequence[ReceiverSpec],
    alerting: AlertingOptions,
    rt: AlertSettings,
    latest: Mapping[str, DeliveryRecord],
) -> list[ReceiverRow]:
    """The old receivers first, then the named ones in file order, then names only the records know."""
    wanted = set(alerting.receivers) | {name for route in alerting.routes for name in route.receivers}
    named = {spec.name for spec in specs}
    rows = [row for row in _legacy_rows(rt, wanted) if row.name not in named]
    for spec in specs:
        rows.append(ReceiverRow(spec.name, spec.type, _named_secret(spec, rt)))
    shown = {row.name for row in rows}
    rows = [ReceiverRow(r.name, r.type, r.secret, latest.get(r.name), r.configured) for r in rows]
    rows += [
        ReceiverRow(name, "-", NO_SECRET, record, configured=False)
        for name, record in sorted(latest.items())
        if name not in shown
    ]
    return rows


def _age(moment: datetime, now: datetime) -> str:
    seconds = max(0, int((now - moment).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


def last_delivery(record: DeliveryRecord | None) -> str:
    """`delivered`, `failed: <reason>`, `sending` (an attempt without its outcome yet), or `never`."""
    if record is None:
        return "never"
    if record.status == "failed":
        error = " ".join((record.last_error or "").split())
        if len(error) > MAX_ERROR:
            error = error[: MAX_ERROR - 1] + "…"
        return f"failed: {error}" if error else "failed"
    return "sending" if record.status == "pending" else record.status


def render_rows(rows: Sequence[ReceiverRow], now: datetime, known: bool = True) -> str:
    """The table: NAME, TYPE, SECRET, LAST DELIVERY (when, and how long ago), OUTCOME (of that one).
    `known`: whether the delivery records could be read; when not, both last columns say `unknown`."""
    header = ("NAME", "TYPE", "SECRET", "LAST DELIVERY", "OUTCOME")
    lines = [header]
    for row in rows:
        when = "never" if known else "unknown"
        if row.last is not None:
            at = row.last.updated_at.astimezone(UTC)
            when = f"{at:%Y-%m-%d %H:%M} UTC ({_age(at, now)})"
        outcome = last_delivery(row.last) if known else "unknown"
        name = row.name + ("" if row.configured else " (not configured)")
        lines.append((name, row.type, row.secret, when, outcome))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )
