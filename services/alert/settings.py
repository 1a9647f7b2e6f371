"""The alert service's own settings: its default receivers' secrets and addresses (NEWSMON_SLACK_*,
NEWSMON_SMTP_*). Only the alert service and its commands read them; ingest and classify never see them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

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


@dataclass(frozen=True)
class AlertSettings(ServiceSettings):
    """The alert service's settings: the base's, plus its default receivers'."""

    slack: SlackSettings = field(default_factory=SlackSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)

    def secret_values(self) -> tuple[SecretStr | str | None, ...]:
        """What must never reach a log line. The webhook URL's path too: quoting only the path would still
        carry the token."""
        url = self.slack.webhook_url
        path = urlsplit(url.get_secret_value()).path if url is not None else None
        return url, path, self.smtp.password, self.kafka.sasl_password
