"""Deployment settings from NEWSMON_* environment variables: one class per concern, secrets as SecretStr.

Nothing else in newsmon reads os.environ. What an operator edits by hand (feeds, taxonomy, rules) is YAML;
what differs between deployments (addresses, credentials, ports) is here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from streambase.records import DEFAULT_MAX_RECORD_BYTES


class KafkaSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NEWSMON_KAFKA_", extra="ignore")

    bootstrap: str = Field(default="127.0.0.1:9092", description="Comma-separated host:port list")
    topic_prefix: str = Field(default="newsmon.", description="Prefix of every pipeline topic name")
    partitions: int = Field(default=6, ge=1, description="Partitions of each pipeline topic")
    replication_factor: int = Field(default=1, ge=1)
    compression: Literal["zstd", "gzip", "none"] = Field(
        default="zstd",
        description="Codec of produced batches: zstd packs as tightly as gzip at a tenth of its CPU time",
    )
    max_record_bytes: int = Field(
        default=DEFAULT_MAX_RECORD_BYTES,
        ge=64 * 1024,
        le=100_000_000,
        description="Largest record a service produces; a larger one is dead-lettered as too_large. Keep it "
        "below the broker's message.max.bytes",
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None

    @property
    def bootstrap_servers(self) -> list[str]:
        return [s.strip() for s in self.bootstrap.split(",") if s.strip()]


class RuntimeSettings(BaseSettings):
    """Where the configuration is, how to log, where to serve metrics."""

    model_config = SettingsConfigDict(env_prefix="NEWSMON_", extra="ignore")

    config: Path = Field(default=Path("config/newsmon.yaml"), description="Path of the main YAML file")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    metrics_host: str = Field(
        default="127.0.0.1",
        description="Address of /metrics, /healthz and /readyz: loopback unless set; the container image "
        "sets 0.0.0.0 so that Prometheus and the orchestrator reach them",
    )
    metrics_port: int | None = Field(
        default=None, ge=0, le=65535, description="Unset: each service's default"
    )
    state_dir: Path = Field(default=Path("var"), description="Local files: alerts.jsonl, caches")
    instance: str | None = Field(
        default=None, description="Replica name in logs and metrics; default hostname"
    )


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
