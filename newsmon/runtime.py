"""Start-up shared by every process: settings from the environment, logging, and the validated config.

Every process reads the base settings (Kafka, runtime); only alert processes read the receivers' settings,
so ingest and classify never hold a webhook URL or an SMTP password.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import click

from newsmon.config import NewsmonConfig, load_config, located
from services.alert.receiver_specs import Receivers
from services.alert.settings import AlertSettings, SlackSettings, SmtpSettings, read_ack_secret, read_secrets
from streambase.logs import register_secrets, setup_logging
from streambase.settings import DeadLetterLimit, KafkaSettings, RuntimeSettings, ServiceSettings
from streambase.yamlconf import ConfigError


def start(service: str) -> ServiceSettings:
    """Read the base settings, register secrets with the log scrubber and set up logging; exit with a clear
    message when a variable is invalid."""
    settings = _read(lambda: ServiceSettings(RuntimeSettings(), KafkaSettings(), DeadLetterLimit()))
    register_secrets(settings.kafka.sasl_password)
    setup_logging(settings.runtime.log_level, settings.runtime.log_format, service)
    return settings


def alert_settings(base: ServiceSettings, receivers: Receivers = ()) -> AlertSettings:
    """The alert service's settings: the base's plus its default receivers', plus the secrets of the named
    receivers from the variables they name; all registered as secrets."""
    names = [env for spec in receivers for env in spec.secret_vars().values()]
    secrets, problems = read_secrets(names)
    ack_secret, ack_problem = read_ack_secret()
    settings = _read(
        lambda: AlertSettings(
            base.runtime,
            base.kafka,
            base.deadletter,
            SlackSettings(),
            SmtpSettings(),
            secrets,
            problems,
            ack_secret,
            ack_problem,
        )
    )
    register_secrets(*settings.secret_values())
    return settings


def check_receivers(settings: AlertSettings, config: NewsmonConfig, path: Path | None = None) -> None:
    """Exit naming file, line and field when a receiver cannot work in this environment: a secret not
    set, a name the old variables also configure, a route to an old receiver that is not configured; or
    when acknowledge links are configured without the secret that signs them."""
    from services.alert.receiver_specs import environment_problems
    from services.alert.wiring import ack_problems, legacy_configured

    problems = environment_problems(
        config.receivers,
        config.alerting,
        settings.secret_problems.get,
        legacy_configured(settings),
        bool(settings.smtp.host),
    ) + ack_problems(config.alerting, settings)
    if problems:
        error = located(path or settings.runtime.config, problems)
        raise click.ClickException(f"invalid configuration:\n{error}")


S = TypeVar("S")


def _read(make: Callable[[], S]) -> S:
    try:
        return make()
    except Exception as exc:  # pydantic-settings raises ValidationError naming the variable
        raise click.ClickException(f"invalid NEWSMON_* environment setting:\n{exc}") from None


def load_or_exit(settings: ServiceSettings, path: Path | None = None) -> NewsmonConfig:
    try:
        return load_config(path or settings.runtime.config)
    except ConfigError as exc:
        raise click.ClickException(f"invalid configuration:\n{exc}") from None
