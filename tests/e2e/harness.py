"""Runs newsmon services, and a broker, as real processes for end-to-end tests: start, SIGKILL, restart,
stop.

Each service gets its own log file and metrics port; every process shares one environment (topic prefix,
broker, receivers) so a test is a small deployment of its own on the shared test broker.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROUTINE = re.compile(r" INFO +\w+ services\.")
"""A service's own INFO lines: one or more per article or alert; they bury what explains a failure."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def holder_of_connection(local_port: int, remote_port: int, pids: Iterable[int]) -> int | None:
    """Which of `pids` holds the open TCP connection from `local_port` to `remote_port` on 127.0.0.1: the
    process that made a request a test server is answering (Linux: the socket's inode in /proc/net/tcp,
    then the process whose file descriptors include it)."""
    inode = _socket_inode(local_port, remote_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


def _socket_inode(local_port: int, remote_port: int) -> str | None:
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], fields[9]
        if int(local.split(":")[1], 16) == local_port and int(remote.split(":")[1], 16) == remote_port:
            return inode if inode != "0" else None
    return None


def _alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie, dead but not yet reaped by its parent, does not)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


@dataclass
class ServiceProcess:
    """One `newsmon serve SERVICE` process; restartable, its output appended to one log file."""

    service: str
    env: dict[str, str]
    log_path: Path
    metrics_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> ServiceProcess:
        assert not self.running, f"{self.service} is already running"
        env = self.env | {"NEWSMON_METRICS_PORT": str(self.metrics_port), "NEWSMON_INSTANCE": self.name}
        with self.log_path.open("ab") as log:
            log.write(f"\n===== start {self.starts} =====\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "serve", self.service],
                cwd=REPO,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.starts += 1
        return self

    @property
    def name(self) -> str:
        return f"{self.service}-{self.metrics_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None else None

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.metrics_port}/metrics"

    def kill(self) -> None:
        """SIGKILL: the crash a service must survive without losing or doubling anything."""
        if self.process is not None and self.running:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(30)

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM and wait; the clean shutdown an operator asks for."""
        if self.process is None:
            return None
        if self.running:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        return self.process.returncode

    def log(self, tail: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-tail:] if self.log_path.exists() else ""

    def digest(self, recent: int = 5, limit: int = 3000) -> str:
        """What explains a failure in a few lines: start-up, group membership, warnings and errors, then the
        last `recent` lines; the per-article lines of the services' own loggers are left out."""
        lines = self.log_path.read_text(errors="replace").splitlines() if self.log_path.exists() else []
        notable = [line for line in lines[:-recent] if not ROUTINE.search(line)] + lines[-recent:]
        return "\n".join(notable)[-limit:]


@dataclass
class Deployment:
    """A set of service processes sharing one environment."""

    env: dict[str, str]
    log_dir: Path
    processes: list[ServiceProcess] = field(default_factory=list)

    @classmethod
    def create(cls, log_dir: Path, **settings: str) -> Deployment:
        log_dir.mkdir(parents=True, exist_ok=True)
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")}
        return cls(inherited | settings, log_dir)

    def add(self, service: str) -> ServiceProcess:
        index = sum(p.service == service for p in self.processes)
        process = ServiceProcess(service, self.env, self.log_dir / f"{service}-{index}.log")
        self.processes.append(process)
        return process

    def start(self, *services: str) -> list[ServiceProcess]:
        return [self.add(service).start() for service in services]

    def stop_all(self) -> None:
        for process in self.processes:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.log_path.name}\n{p.digest()}" for p in self.processes)


@dataclass
class Broker:
    """A Kafka broker of a test's own (deploy/kafka/local.sh on free ports, state under `state_dir`), so a
    test can stop, kill and restart it; the shared test broker is never touched."""

    state_dir: Path
    port: int = field(default_factory=free_port)
    controller_port: int = field(default_factory=free_port)

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def _run(self, command: str) -> None:
        env = os.environ | {
            "NEWSMON_KAFKA_PORT": str(self.port),
            "NEWSMON_KAFKA_CONTROLLER_PORT": str(self.controller_port),
            "NEWSMON_KAFKA_STATE_DIR": str(self.state_dir),
            "NEWSMON_KAFKA_HEAP": "512m",
        }
        script = REPO / "deploy" / "kafka" / "local.sh"
        done = subprocess.run(["bash", str(script), command], env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"local.sh {command} failed:\n{done.stderr}")

    def start(self) -> Broker:
        self._run("start")
        return self

    def stop(self) -> None:
        """A clean broker shutdown (SIGTERM); clients see their connections drop."""
        self._run("stop")

    def restart(self) -> None:
        self.stop()
        self.start()

    @property
    def pid(self) -> int | None:
        """The broker JVM's process id (local.sh's pid file), when it runs."""
        try:
            pid = int((self.state_dir / "broker.pid").read_text())
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except (OSError, ValueError):
            return None
        return pid if b"kafka.Kafka" in command and _alive(pid) else None

    def kill(self, timeout: float = 30) -> int:
        """SIGKILL of the broker's JVM: a crash, with no controlled shutdown and nothing flushed; returns
        once the process is gone and its port closed. `start()` brings it back (recovering its logs)."""
        pid = self.pid
        if pid is None:
            raise RuntimeError(f"no broker runs on port {self.port}")
        os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while _alive(pid) or self._port_open():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the broker (pid {pid}) outlived SIGKILL by {timeout:.0f}s")
            time.sleep(0.05)
        return pid

    def _port_open(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(0.5)
            return sock.connect_ex(("127.0.0.1", self.port)) == 0
