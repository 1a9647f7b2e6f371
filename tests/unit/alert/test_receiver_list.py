"""The rows of `newsmon receivers list`, from settings and delivery records alone."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr

from schemas import DeliveryRecord
from services.alert.config import AlertingOptions
from services.alert.receiver_list import latest_by_receiver, receiver_rows, render_rows
from services.alert.receiver_specs import ConsoleReceiverSpec, TeamsReceiverSpec
from services.alert.settings import AlertSettings, SlackSettings, SmtpSettings
from streambase.settings import KafkaSettings, RuntimeSettings
from tests.unit.alert.factories import T0


def settings(**secrets: str) -> AlertSettings:
    return AlertSettings(
        runtime=RuntimeSettings(state_dir=Path("var")),
        kafka=KafkaSettings(),
        slack=SlackSettings(webhook_url=None),
        smtp=SmtpSettings(host=None),
        secrets={k: SecretStr(v) for k, v in secrets.items()},
    )


def record(receiver: str, status: str, minutes: int, error: str | None = None) -> DeliveryRecord:
    return DeliveryRecord.model_validate(
        {
            "notification_id": f"{receiver}:{minutes}",
            "alert_id": "a1",
            "receiver": receiver,
            "status": status,
            "attempts": 1,
            "last_error": error,
            "updated_at": T0 + timedelta(minutes=minutes),
        }
    )


SPECS = (
    TeamsReceiverSpec(name="europe-desk", type="teams", webhook_url_env="EUROPE_URL"),
    ConsoleReceiverSpec(name="night-log", type="console"),
)


def test_the_newest_record_of_each_receiver_is_its_last_delivery() -> None:
    records = [
        record("europe-desk", "failed", 5, "http_404: Teams answered 404"),
        record("europe-desk", "delivered", 1),
    ]
    rows = receiver_rows(
        SPECS, AlertingOptions(), settings(EUROPE_URL="https://x.example/h"), latest_by_receiver(records)
    )
    table = render_rows(rows, T0 + timedelta(minutes=65))
    assert (
        "europe-desk  teams    set     2025-06-17 12:05 UTC (1h ago)  failed: http_404: Teams answered 404"
        in table
    )


def test_a_missing_secret_a_route_to_an_unset_old_receiver_and_a_gone_name_are_shown() -> None:
    routes = AlertingOptions(receivers=("slack",))
    rows = receiver_rows(SPECS, routes, settings(), latest_by_receiver([record("asia-desk", "pending", 0)]))
    shown = {row.name: row for row in rows}
    assert shown["europe-desk"].secret == "missing: EUROPE_URL"
    assert shown["night-log"].secret == "-"
    assert shown["slack"].secret == "missing: NEWSMON_SLACK_WEBHOOK_URL"
    assert "asia-desk (not configured)" in render_rows(rows, T0)
    assert "sending" in render_rows(rows, T0)


def test_without_the_records_the_last_delivery_is_unknown_not_never() -> None:
    table = render_rows(receiver_rows(SPECS, AlertingOptions(), settings(), {}), T0, known=False)
    assert all(re.search(r" unknown +unknown$", line) for line in table.splitlines()[1:])
