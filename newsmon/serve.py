"""`newsmon serve SERVICE`: run one service in the foreground, as a container or the supervisor does."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

import click
import prometheus_client

from newsmon import bootstrap, runtime
from newsmon.config import NewsmonConfig
from streambase.settings import ServiceSettings

Starter = Callable[[ServiceSettings, NewsmonConfig, int], None]
"""Runs one service with its settings, the config and its metrics port, blocking until it is stopped."""


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    module: str
    start: Starter
    metrics_port: int

    def available(self) -> bool:
        return importlib.util.find_spec(self.module) is not None


SERVICES: dict[str, ServiceEntry] = {
    entry.name: entry
    for entry in (
        ServiceEntry("ingest", "services.ingest.service", bootstrap.run_ingest, 9101),
        ServiceEntry("classify", "services.classify.worker", bootstrap.run_classify, 9102),
        ServiceEntry("alert", "services.alert.service", bootstrap.run_alert, 9103),
    )
}


def available_services() -> list[ServiceEntry]:
    return [entry for entry in SERVICES.values() if entry.available()]


@click.command("serve")
@click.argument("service", type=click.Choice(sorted(SERVICES)))
def serve_command(service: str) -> None:
    """Run SERVICE until SIGTERM or Ctrl-C. Settings come from NEWSMON_* variables; see README."""
    entry = SERVICES[service]
    if not entry.available():
        raise click.ClickException(f"the {service} service is not part of this build yet")
    rt = runtime.start(service)
    config = runtime.load_or_exit(rt)
    # No dashboard or rule reads the *_created samples; without them a scrape is half the size.
    prometheus_client.disable_created_metrics()  # type: ignore[no-untyped-call]
    port = rt.runtime.metrics_port
    entry.start(rt, config, port if port is not None else entry.metrics_port)
