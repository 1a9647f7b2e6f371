"""Start-up shared by every process: settings from the environment, logging, and the validated config."""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path

import click

from newsmon.config import NewsmonConfig, load_config
from newsmon.logs import register_secrets, setup_logging
from newsmon.settings import KafkaSettings, RuntimeSettings, SlackSettings, SmtpSettings
from newsmon.yamlconf import ConfigError


@dataclass(frozen=True)
class Runtime:
    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    kafka: KafkaSettings = field(default_factory=KafkaSettings)
    slack: SlackSettings = field(default_factory=SlackSettings)
    smtp: SmtpSettings = field(default_factory=SmtpSettings)

    @property
    def instance(self) -> str:
        return self.runtime.instance or socket.gethostname()

    def config(self, path: Path | None = None) -> NewsmonConfig:
        return load_config(path or self.runtime.config)


def start(service: str) -> Runtime:
    """Read settings, register secrets with the log scrubber and set up logging; exit with a clear message."""
    try:
        rt = Runtime()
    except Exception as exc:  # pydantic-settings raises ValidationError naming the variable
        raise click.ClickException(f"invalid NEWSMON_* environment setting:\n{exc}") from None
    register_secrets(rt.slack.webhook_url, rt.smtp.password, rt.kafka.sasl_password)
    setup_logging(rt.runtime.log_level, rt.runtime.log_format, service)
    return rt


def load_or_exit(rt: Runtime, path: Path | None = None) -> NewsmonConfig:
    try:
        return rt.config(path)
    except ConfigError as exc:
        raise click.ClickException(f"invalid configuration:\n{exc}") from None
