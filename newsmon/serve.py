"""`newsmon serve SERVICE`: run one service in the foreground, as a container or the supervisor does."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

import click
import prometheus_client

from newsmon import runtime
from newsmon.config import NewsmonConfig
from newsmon.runtime import Runtime


@dataclass(frozen=True)
class ServiceEntry:
    name: str
    target: str  # module:function taking (Runtime, NewsmonConfig, metrics_port) and blocking until stopped
    metrics_port: int

    def available(self) -> bool:
        return importlib.util.find_spec(self.target.split(":")[0]) is not None

    def load(self) -> Callable[[Runtime, NewsmonConfig, int], None]:
        module_name, attr = self.target.split(":")
        main: Callable[[Runtime, NewsmonConfig, int], None] = getattr(
            importlib.import_module(module_name), attr
        )
        return main


SERVICES: dict[str, ServiceEntry] = {
    entry.name: entry
    for entry in (
        ServiceEntry("ingest", "services.ingest.service:main", 9101),
        ServiceEntry("classify", "services.classify.worker:main", 9102),
        ServiceEntry("alert", "services.alert.service:main", 9103),
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
    entry.load()(
        rt, config, rt.runtime.metrics_port if rt.runtime.metrics_port is not None else entry.metrics_port
    )
