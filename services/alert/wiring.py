"""Receivers and routes built from deployment settings; shared by the service and `newsmon alert test`."""

from __future__ import annotations

from services.alert.config import AlertingOptions
from services.alert.receivers import Receiver
from services.alert.receivers.console import ConsoleReceiver
from services.alert.receivers.email import EmailReceiver
from services.alert.receivers.slack import SlackReceiver
from services.alert.routing import Router
from services.alert.settings import AlertSettings
from streambase.clock import Clock, SystemClock


def build_receivers(rt: AlertSettings, clock: Clock | None = None) -> dict[str, Receiver]:
    """Every receiver this deployment has settings for; the console always."""
    clock = clock or SystemClock()
    receivers: dict[str, Receiver] = {"console": ConsoleReceiver(rt.runtime.state_dir, clock=clock)}
    if rt.slack.webhook_url is not None:
        receivers["slack"] = SlackReceiver(rt.slack.webhook_url, clock=clock)
    smtp = rt.smtp
    if smtp.host:
        if not smtp.recipient_list:
            raise ValueError("NEWSMON_SMTP_HOST is set but NEWSMON_SMTP_RECIPIENTS is empty")
        receivers["email"] = EmailReceiver(
            smtp.host,
            smtp.port,
            smtp.sender,
            smtp.recipient_list,
            security=smtp.security,
            username=smtp.username,
            password=smtp.password,
            timeout=smtp.timeout_seconds,
            clock=clock,
        )
    return receivers


def build_router(options: AlertingOptions, receivers: dict[str, Receiver]) -> Router:
    return Router(options, receivers.keys())
