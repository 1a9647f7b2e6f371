"""The Faust app of the classify service, made from settings: broker, credentials, partitions, commits.

Tables live in memory and are rebuilt from their changelog topics at start-up and after a rebalance, so no
local state directory is needed and any replica can take over any partition. Faust's own web server stays
off: `/metrics`, `/healthz` and `/readyz` are served by `streambase.health` on the service's metrics port.
"""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import faust

from services.classify.config import ClassifyOptions
from streambase.settings import KafkaSettings
from streambase.topics import Topics


def app_id(kafka: KafkaSettings) -> str:
    """The consumer group and table-topic prefix; replicas of one deployment share it."""
    return f"{Topics.from_settings(kafka).prefix}classify"


def broker_credentials(kafka: KafkaSettings) -> Any:
    """Faust credentials for the configured security protocol; None for PLAINTEXT."""
    protocol = kafka.security_protocol
    context = ssl.create_default_context() if protocol in ("SSL", "SASL_SSL") else None
    if protocol.startswith("SASL"):
        password = kafka.sasl_password.get_secret_value() if kafka.sasl_password else None
        return faust.SASLCredentials(
            username=kafka.sasl_username,
            password=password,
            mechanism=kafka.sasl_mechanism or "PLAIN",
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def make_app(
    kafka: KafkaSettings, options: ClassifyOptions, state_dir: Path, identifier: str | None = None
) -> faust.App:
    """A Faust app that waits for every in-sync replica and commits at the configured interval.

    Faust keeps a data directory even with in-memory tables; it goes under newsmon's state directory
    rather than the working directory.
    """
    name = identifier or app_id(kafka)
    datadir = state_dir / "classify" / name
    datadir.mkdir(parents=True, exist_ok=True)
    return faust.App(
        name,
        datadir=str(datadir),
        broker=[f"kafka://{server}" for server in kafka.bootstrap_servers],
        broker_credentials=broker_credentials(kafka),
        store="memory://",
        web_enabled=False,
        autodiscover=False,
        topic_partitions=kafka.partitions,
        topic_replication_factor=kafka.replication_factor,
        topic_allow_declare=True,
        producer_acks=-1,
        producer_compression_type=None if kafka.compression == "none" else kafka.compression,
        producer_linger=0.005,
        producer_max_batch_size=512 * 1024,
        broker_commit_interval=options.commit_interval.total_seconds(),
        broker_commit_every=10_000,
        broker_session_timeout=30.0,  # a crashed replica's partitions move on within 30 s, not 60
        consumer_auto_offset_reset="earliest",
        stream_buffer_maxsize=max(4096, options.batch_size * 2),
        table_standby_replicas=0,
    )
