"""Receivers and routes built from deployment settings and the `receivers:` section; shared by the service
and `newsmon alert test`.

The old variables keep working as the receivers `slack` (NEWSMON_SLACK_WEBHOOK_URL) and `email`
(NEWSMON_SMTP_*); `console` always exists. Named receivers come on top, each a new instance of its type.
"""

from __future__ import annotations

from collections.abc import Sequence

from services.alert.ack_links import AckLinks
from services.alert.config import AlertingOptions
from services.alert.digest_config import DigestOptions
from services.alert.receiver_specs import (
    ConsoleReceiverSpec,
    EmailReceiverSpec,
    MattermostReceiverSpec,
    Problems,
    ReceiverSpec,
    SlackReceiverSpec,
    SmtpOverrides,
    TeamsReceiverSpec,
    WebhookReceiverSpec,
)
from services.alert.receivers import Receiver
from services.alert.receivers.console import ConsoleReceiver
from services.alert.receivers.email import EmailReceiver
from services.alert.receivers.mattermost import MattermostReceiver
from services.alert.receivers.slack import SlackReceiver
from services.alert.receivers.teams import TeamsReceiver
from services.alert.receivers.webhook import WebhookReceiver
from services.alert.routing import Router
from services.alert.settings import AlertSettings
from streambase.clock import Clock, SystemClock


def legacy_configured(rt: AlertSettings) -> frozenset[str]:
    """The receivers the old variables configure, and the console."""
    names = {"console"}
    if rt.slack.webhook_url is not None:
        names.add("slack")
    if rt.smtp.host and rt.smtp.recipient_list:
        names.add("email")
    return frozenset(names)


def build_receivers(
    rt: AlertSettings, specs: Sequence[ReceiverSpec] = (), clock: Clock | None = None
) -> dict[str, Receiver]:
    """Every receiver this deployment configures; ValueError naming what to set when one cannot work."""
    clock = clock or SystemClock()
    receivers: dict[str, Receiver] = {"console": ConsoleReceiver(rt.runtime.state_dir, clock=clock)}
    if rt.slack.webhook_url is not None:
        receivers["slack"] = SlackReceiver(rt.slack.webhook_url, clock=clock)
    smtp = rt.smtp
    if smtp.host and smtp.recipient_list:
        receivers["email"] = _email(rt, clock, "email", smtp.recipient_list, SmtpOverrides())
    elif smtp.host and not any(isinstance(s, EmailReceiverSpec) for s in specs):
        raise ValueError("NEWSMON_SMTP_HOST is set but NEWSMON_SMTP_RECIPIENTS is empty")
    for spec in specs:
        if spec.name in receivers and not isinstance(spec, ConsoleReceiverSpec):
            raise ValueError(f"receiver {spec.name!r} is configured twice (in receivers: and by variables)")
        try:
            receivers[spec.name] = _build(spec, rt, clock)
        except ValueError as exc:
            raise ValueError(f"receiver {spec.name!r}: {exc}") from None
    return receivers


def _build(spec: ReceiverSpec, rt: AlertSettings, clock: Clock) -> Receiver:
    if isinstance(spec, SlackReceiverSpec):
        return SlackReceiver(rt.secret(spec.webhook_url_env), clock=clock, name=spec.name)
    if isinstance(spec, TeamsReceiverSpec):
        return TeamsReceiver(spec.name, rt.secret(spec.webhook_url_env), clock=clock)
    if isinstance(spec, MattermostReceiverSpec):
        url = rt.secret(spec.webhook_url_env)
        return MattermostReceiver(spec.name, url, spec.channel, spec.username, clock=clock)
    if isinstance(spec, WebhookReceiverSpec):
        return WebhookReceiver(spec.name, rt.secret(spec.url_env), rt.secret(spec.secret_env), clock=clock)
    if isinstance(spec, EmailReceiverSpec):
        return _email(rt, clock, spec.name, list(spec.to), spec.smtp)
    return ConsoleReceiver(rt.runtime.state_dir, clock=clock, name=spec.name)


def _email(rt: AlertSettings, clock: Clock, name: str, to: list[str], own: SmtpOverrides) -> EmailReceiver:
    """An email receiver: its own `smtp:` values where given, NEWSMON_SMTP_* for the rest. A receiver
    with its own host never gets the shared login: that password is for the shared server only."""
    shared = rt.smtp
    host = own.host or shared.host
    if not host:
        raise ValueError("no SMTP server: set NEWSMON_SMTP_HOST or this receiver's smtp.host")
    same_server = own.host is None or own.host == shared.host
    username = own.username or (shared.username if same_server else None)
    password = rt.secret(own.password_env) if own.password_env else None
    if password is None and same_server and not own.username:
        password = shared.password
    return EmailReceiver(
        host,
        own.port or shared.port,
        own.sender or shared.sender,
        to,
        security=own.security or shared.security,
        username=username,
        password=password,
        timeout=shared.timeout_seconds,
        clock=clock,
        name=name,
    )


def build_router(
    options: AlertingOptions, receivers: dict[str, Receiver], specs: Sequence[ReceiverSpec] = ()
) -> Router:
    digest_only = [s.name for s in specs if s.digest is not None and not s.digest.immediate]
    return Router(options, receivers.keys(), digest_only)


def digest_schedules(specs: Sequence[ReceiverSpec]) -> dict[str, DigestOptions]:
    """The receivers that take a digest, with when."""
    return {s.name: s.digest for s in specs if s.digest is not None}


def ack_problems(options: AlertingOptions, rt: AlertSettings) -> Problems:
    """Acknowledge links configured without a usable secret to sign them."""
    if options.ack.public_base_url is None or rt.ack_secret is not None:
        return []
    why = rt.ack_secret_problem or "NEWSMON_ACK_SECRET is not set (nor NEWSMON_ACK_SECRET_FILE)"
    return [(("alerting", "ack", "public_base_url"), f"acknowledge links need a secret to sign them: {why}")]


def build_ack_links(options: AlertingOptions, rt: AlertSettings) -> AckLinks | None:
    """The links notifications carry, or None when no public URL is configured; ValueError without a
    secret (checked at start, with the file and line, by `ack_problems`)."""
    base = options.ack.public_base_url
    if base is None:
        return None
    if rt.ack_secret is None:
        raise ValueError(ack_problems(options, rt)[0][1])
    return AckLinks(base, rt.ack_secret, options.ack.link_valid_for)
