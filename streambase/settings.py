"""Deployment settings of the stream base from NEWSMON_* environment variables: one class per concern.

Nothing else reads os.environ. What an operator edits by hand (feeds, taxonomy, rules) is YAML; what differs
between deployments (addresses, credentials, ports) is here, and each service gets only the classes it needs.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
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


class DeadLetterLimit(BaseSettings):
    """How much dead-lettering a consumer tolerates before it stops (NEWSMON_DEADLETTER_*)."""

    model_config = SettingsConfigDict(env_prefix="NEWSMON_DEADLETTER_", extra="ignore")

    max_consecutive: int = Field(
        default=100, ge=1, description="Unusable messages in a row after which the consumer stops"
    )
    max_ratio: float = Field(
        default=0.5,
        gt=0,
        le=1,
        description="Share of unusable messages among the last `sample` that stops it",
    )
    sample: int = Field(default=1000, ge=1, description="How many recent messages the share is taken over")


@dataclass(frozen=True)
class ServiceSettings:
    """What every service process is given from the environment: where Kafka is and how the process runs.
    Receiver secrets are not here: only the alert service is given those (services/alert/settings.py)."""

    runtime: RuntimeSettings = field(default_factory=RuntimeSettings)
    kafka: KafkaSettings = field(default_factory=KafkaSettings)
    deadletter: DeadLetterLimit = field(default_factory=DeadLetterLimit)

    @property
    def instance(self) -> str:
        return self.runtime.instance or socket.gethostname()
