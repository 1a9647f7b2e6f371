"""`newsmon run`: the local Kafka broker plus one process per service, stopped cleanly on Ctrl-C.

Children run in their own sessions, so the terminal's Ctrl-C reaches only the supervisor, which then
stops them in pipeline order (ingest, classify, alert) while the broker is still up, and the broker last.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

import click

from newsmon import runtime
from newsmon.serve import ServiceEntry, available_services
from services.alert.settings import AlertSettings
from streambase.broker import wait_for_broker
from streambase.settings import KafkaSettings

log = logging.getLogger("newsmon.run")

LOCAL_KAFKA = Path(__file__).resolve().parents[1] / "deploy" / "kafka" / "local.sh"
STOP_GRACE_SECONDS = 20.0
MAX_RESTART_DELAY = 60.0


@dataclass
class Child:
    entry: ServiceEntry
    process: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default_factory=time.monotonic)

    def start(self) -> None:
        env = os.environ | {"NEWSMON_METRICS_PORT": str(self.entry.metrics_port)}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "newsmon", "serve", self.entry.name], env=env, start_new_session=True
        )
        self.started_at = time.monotonic()
        log.info("started %s (pid %d)", self.entry.name, self.process.pid)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0fs; killing it", self.entry.name, STOP_GRACE_SECONDS)
            self.process.kill()
            self.process.wait()
        log.info("stopped %s", self.entry.name)

    def check(self, now: float) -> None:
        """Restart a child that died, waiting longer after each crash in a row."""
        if self.process is not None and self.process.poll() is None:
            if now - self.started_at > MAX_RESTART_DELAY:
                self.restarts = 0
            return
        if self.process is not None:
            code = self.process.returncode
            delay = min(MAX_RESTART_DELAY, 2.0**self.restarts)
            log.error("%s exited with code %s; restarting in %.0fs", self.entry.name, code, delay)
            self.process, self.next_start = None, now + delay
            self.restarts += 1
        if now >= self.next_start:
            self.start()


def local_broker(command: str, kafka: KafkaSettings) -> None:
    port = kafka.bootstrap_servers[0].rsplit(":", 1)[-1]
    env = os.environ | {"NEWSMON_KAFKA_PORT": port}
    result = subprocess.run(["bash", str(LOCAL_KAFKA), command], env=env, check=False)
    if result.returncode != 0 and command == "start":
        raise click.ClickException("the local Kafka broker did not start; see the lines above")


def broker_running(kafka: KafkaSettings) -> bool:
    port = kafka.bootstrap_servers[0].rsplit(":", 1)[-1]
    env = os.environ | {"NEWSMON_KAFKA_PORT": port}
    status = subprocess.run(["bash", str(LOCAL_KAFKA), "status"], env=env, capture_output=True, check=False)
    return status.returncode == 0


@click.command("run")
@click.option(
    "--local-kafka/--no-local-kafka",
    default=True,
    show_default=True,
    help="Start (and afterwards stop) the project's own broker on the port of NEWSMON_KAFKA_BOOTSTRAP.",
)
@click.option("--only", multiple=True, help="Run only this service (repeatable).")
def run_command(local_kafka: bool, only: tuple[str, ...]) -> None:
    """Run the whole pipeline on this machine until Ctrl-C."""
    rt = runtime.start("run")
    config = runtime.load_or_exit(rt)  # a broken config stops here, before anything starts
    entries = [e for e in available_services() if not only or e.name in only]
    started_broker = local_kafka and not broker_running(rt.kafka)
    if local_kafka:
        local_broker("start", rt.kafka)
    stopping = threading.Event()

    def request_stop(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s; stopping", signal.Signals(signum).name)
        stopping.set()

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    children = [Child(entry) for entry in entries]
    try:
        if not wait_for_broker(rt.kafka, "newsmon-admin", stopping):
            return
        for child in children:
            child.start()
        _announce(runtime.alert_settings(rt, config.receivers), entries)
        while not stopping.wait(1.0):
            for child in children:
                child.check(time.monotonic())
    finally:
        for child in children:
            child.stop()
        if started_broker:
            local_broker("stop", rt.kafka)
    log.info("all stopped")


def _announce(rt: AlertSettings, entries: list[ServiceEntry]) -> None:
    lines = [f"Kafka: {rt.kafka.bootstrap}  (topics prefixed {rt.kafka.topic_prefix!r})"]
    lines += [f"{e.name:>8}: metrics http://127.0.0.1:{e.metrics_port}/metrics" for e in entries]
    if not entries:
        lines.append("no services are part of this build yet: only the broker and topics are up")
    if not rt.slack.webhook_url and not rt.smtp.host and not rt.secrets:
        lines.append(f"alerts: console and {rt.runtime.state_dir / 'alerts.jsonl'} (no Slack or SMTP set)")
    lines.append("Ctrl-C stops everything.")
    click.echo("\n".join(lines), err=True)
