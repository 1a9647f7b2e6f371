"""The alert service's own settings: its default receivers' secrets and addresses (NEWSMON_SLACK_*,
NEWSMON_SMTP_*), and the secrets named receivers take from variables that newsmon.yaml names. Only the alert
service and its commands read them; ingest and classify never see them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import parse_qsl, urlsplit

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from streambase.settings import ServiceSettings


class SlackSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSMON_SLACK_", extra="ignore")

    webhook_url: SecretStr | None = Field(
        default=None, description="Incoming-webhook URL of the default receiver"
    )


class SmtpSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSMON_SMTP_", extra="ignore")

    host: str | None = None
    port: int = Field(default=587, ge=1, le=65535)
    security: Literal["starttls", "ssl", "none"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    sender: str = "newsmon@localhost"
    recipients: str = Field(default="", description="Comma-separated addresses of the default email receiver")
    timeout_seconds: float = Field(default=20, gt=0)

    @property
    def recipient_list(self) -> list[str]:
        return [r.strip() for r in self.recipients.split(",") if r.strip()]


MIN_QUERY_SECRET = 12
"""A query value at least this long in a secret URL counts as secret on its own (a Workflows `sig`)."""


def url_parts(secret: SecretStr | None) -> tuple[str, ...]:
    """The parts of a secret URL that carry its token, each a secret on its own: quoting only the path
    (Slack, Mattermost) or only the query (Teams Workflows' `sig`) would still give it away."""
    if secret is None:
        return ()
    parts = urlsplit(secret.get_secret_value())
    if parts.scheme not in ("http", "https"):
        return ()
    values = tuple(v for _, v in parse_qsl(parts.query) if len(v) >= MIN_QUERY_SECRET)
    return (parts.path, parts.query, *values)


def read_secrets(
    names: Iterable[str], environ: Mapping[str, str] | None = None
) -> tuple[dict[str, SecretStr], dict[str, str]]:
    """The secrets in these variables, each from NAME or else from the file NAME_FILE names (one trailing
    newline dropped, as Docker secrets and editors leave one); and, by name, why a secret is missing. The
    messages name variables and files, never a value."""
    env = os.environ if environ is None else environ
    found: dict[str, SecretStr] = {}
    problems: dict[str, str] = {}
    for name in dict.fromkeys(names):
        value, file = env.get(name), env.get(f"{name}_FILE")
        if value and file:
            problems[name] = f"both {name} and {name}_FILE are set; set one"
        elif value:
            found[name] = SecretStr(value)
        elif file:
            try:
                text = Path(file).read_text(encoding="utf-8").removesuffix("\n").removesuffix("\r")
            except (OSError, UnicodeDecodeError) as exc:
                problems[name] = f"{name}_FILE names a file that cannot be read ({type(exc).__name__})"
                continue
            if text:
                found[name] = SecretStr(text)
            else:
                problems[name] = f"the file {name}_FILE names is empty"
        else:
            problems[name] = f"{name} is not set (nor {name}_FILE)"
    return found, problems


ACK_SECRET = "NEWSMON_ACK_SECRET"  # noqa: S105 (the variable's name, not a secret)
MIN_ACK_SECRET = 16


def read_ack_secret(environ: Mapping[str, str] | None = None) -> tuple[SecretStr | None, str | None]:
    """The secret that signs acknowledge links, or why there is none (naming variables, never a value)."""
    found, problems = read_secrets([ACK_SECRET], environ)
    secret = found.get(ACK_SECRET)
    if secret is not None and len(secret.get_secret_value()) < MIN_ACK_SECRET:
        return (
            None,
            f"{ACK_SECRET} is too short: use at least {MIN_ACK_SECRET} characters (openssl rand -hex 32)",
        )
    return secret, problems.get(ACK_SECRET)


@dataclass(frozen=True)
class AlertSettings(ServiceSettings):
    """The alert service's settings: the base's, plus its default receivers', plus the secrets of the named
    receivers, by variable name."""

    slack: SlackSettings = field(default_factory=SlackSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)
    secrets: Mapping[str, SecretStr] = field(default_factory=dict)
    secret_problems: Mapping[str, str] = field(default_factory=dict)
    """Variables named in newsmon.yaml that give no secret, and why."""
    ack_secret: SecretStr | None = None
    """Signs acknowledge links (NEWSMON_ACK_SECRET or the file NEWSMON_ACK_SECRET_FILE names)."""
    ack_secret_problem: str | None = None

    def secret(self, name: str) -> SecretStr:
        """The secret in variable `name`; ValueError saying what to set when there is none."""
        found = self.secrets.get(name)
        if found is None:
            raise ValueError(self.secret_problems.get(name, f"{name} is not set (nor {name}_FILE)"))
        return found

    def secret_values(self) -> tuple[SecretStr | str | None, ...]:
        """What must never reach a log line: every secret, and the token-bearing parts of secret URLs."""
        urls = (self.slack.webhook_url, *self.secrets.values())
        parts = tuple(part for url in urls for part in url_parts(url))
        return (
            self.slack.webhook_url,
            *parts,
            self.smtp.password,
            self.kafka.sasl_password,
            self.ack_secret,
            *self.secrets.values(),
        )
