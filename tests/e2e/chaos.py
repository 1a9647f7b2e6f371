"""Crashes on a schedule drawn from a seed: SIGKILLs of service replicas and of the broker at random moments,
kills aimed at the instant after a receiver or a feed answered, and a supervisor that starts again whatever
was killed (or exited on its own), as a container runtime would.

The seed is fresh for every run unless NEWSMON_CRASH_SEED gives one, so a failing run can be replayed with
the same plan (the moments are the same; what a moment hits depends on timing, as with any crash).
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol
from urllib.parse import urlsplit

from tests.e2e.harness import Broker, ServiceProcess, holder_of_connection
from tests.servers.http_feeds import FeedServer, Request
from tests.servers.slack import FakeSlack, Received

SEED_VARIABLE = "NEWSMON_CRASH_SEED"
BROKER = "broker"
AFTER_SLACK_200 = "alert after Slack's 200"
AFTER_FEED_ANSWER = "ingest after a feed answered"
RESTART_AFTER_EXIT = 1.0
"""Seconds before a service that exited on its own is started again."""
DEFER = 0.5
"""Seconds a planned kill waits, again and again, while its victim is still down: every planned kill lands,
some of them on a process that is just starting."""


def crash_seed() -> int:
    """NEWSMON_CRASH_SEED when set (to replay a run), else a fresh one."""
    given = os.environ.get(SEED_VARIABLE, "").strip()
    return int(given) if given else secrets.randbelow(2**32)


@dataclass(frozen=True)
class Exit:
    """A service that exited without being killed, and was started again as a supervisor would."""

    name: str
    service: str
    status: int | None
    at: float

    def __str__(self) -> str:
        return f"{self.name} (status {self.status}, at {self.at:.1f}s)"


@dataclass(frozen=True)
class Kill:
    at: float
    """Seconds after the start of the run; for an aimed kill, when its trap is armed."""
    victim: str
    """A process name, `BROKER`, or a trap's name."""
    down: float
    """Seconds between the kill and the victim's start."""


def plan_kills(
    rng: random.Random, victims: Iterable[str], span: float, down: tuple[float, float] = (0.2, 3.0)
) -> list[Kill]:
    """One kill per victim (a name may repeat), at moments drawn uniformly from the first 85 % of `span`
    seconds (so every restart has time to recover before the stream ends), in time order."""
    kills = [Kill(rng.uniform(0.05 * span, 0.85 * span), v, rng.uniform(*down)) for v in victims]
    return sorted(kills, key=lambda k: k.at)


class Timeline:
    """What happened when, in seconds since the run started: the first thing to read when a run fails."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.lines: list[str] = []
        self._lock = threading.Lock()

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def note(self, text: str) -> None:
        with self._lock:
            self.lines.append(f"{self.elapsed():7.2f}s  {text}")

    def __str__(self) -> str:
        with self._lock:
            return "\n".join(self.lines)


Fire = Callable[[ServiceProcess, str], bool]
"""What a trap calls, in the server's thread, to kill the process it caught; False when that process was
down or starting (the trap then waits for the next chance)."""


class Trap(Protocol):
    """A kill aimed at a moment only a server sees; armed at its planned time, sprung once."""

    def arm(self, fire: Fire) -> None: ...


@dataclass
class SlackTrap:
    """Kills the alert replica whose request Slack answered with 200, right after the answer went out:
    the window between the receiver taking a message and its delivery record. The replica is the process
    holding the request's connection, found while the request waits for its answer; it is noted for every
    request, armed or not, so that a failure can say which replica sent what."""

    slack: FakeSlack
    replicas: Callable[[], Sequence[ServiceProcess]]
    _fire: Fire | None = None
    _senders: dict[int, ServiceProcess] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.slack.before_reply = self._before
        self.slack.after_reply = self._after

    def arm(self, fire: Fire) -> None:
        self._fire = fire

    def sender(self, received: Received) -> str:
        """The name of the replica that sent this request, when it could be told."""
        with self._lock:
            process = self._senders.get(id(received))
        return process.name if process is not None else "?"

    def _before(self, received: Received) -> None:
        running = {p.pid: p for p in self.replicas() if p.running and p.pid is not None}
        port = int(urlsplit(self.slack.url).port or 0)
        pid = holder_of_connection(received.peer, port, running)
        if pid is not None:
            with self._lock:
                self._senders[id(received)] = running[pid]

    def _after(self, received: Received) -> None:
        with self._lock:
            fire, process = self._fire, self._senders.get(id(received))
            if fire is None or process is None or received.status != 200:
                return
            self._fire = None
        if not fire(process, f"right after Slack answered 200 (peer port {received.peer})"):
            self._fire = fire


@dataclass
class FeedTrap:
    """Publishes an item on one feed and kills ingest right after its next answer for that feed: the
    window between fetching new articles and producing them."""

    server: FeedServer
    publish: Callable[[], str]
    """Adds an item now; returns the path of the feed that grew."""
    ingest: ServiceProcess
    _fire: Fire | None = None
    _path: str = ""
    _answered: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def arm(self, fire: Fire) -> None:
        with self._lock:
            self._path = self.publish()
            self._answered = self.server.hits(self._path)  # one ingest fetches a feed once at a time
            self._fire = fire
        self.server.after_reply = self._after

    def _after(self, request: Request) -> None:
        with self._lock:
            if self._fire is None or urlsplit(request.path).path != self._path:
                return
            if self.server.hits(self._path) <= self._answered:
                return  # looked up before the item was published
            fire, self._fire = self._fire, None
        if not fire(self.ingest, f"right after it fetched {self._path} with a new item"):
            self.arm(fire)


@dataclass
class Chaos:
    """Carries out a kill plan from a thread of its own and supervises the processes until `stop()`."""

    processes: Sequence[ServiceProcess]
    broker: Broker
    plan: Sequence[Kill]
    traps: dict[str, Trap]
    timeline: Timeline = field(default_factory=Timeline)
    kills: Counter[str] = field(default_factory=Counter)
    """SIGKILLs that hit a running process, by service (`broker` for the broker)."""
    exits: list[Exit] = field(default_factory=list)
    """Services that exited on their own."""
    errors: list[str] = field(default_factory=list)
    _pending: list[Kill] = field(default_factory=list)
    _down: dict[str, float] = field(default_factory=dict)
    _sprung: set[str] = field(default_factory=set)
    _broker_start: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _thread: threading.Thread | None = None

    def start(self) -> Chaos:
        self.timeline = Timeline()
        self._pending = sorted(self.plan, key=lambda k: k.at)
        self._thread = threading.Thread(target=self._run, name="chaos", daemon=True)
        self._thread.start()
        return self

    def settled(self) -> bool:
        """Every planned kill done, every trap sprung, everything killed started again."""
        with self._lock:
            done = self._thread is not None and not self._pending
            broker_up = self._broker_start is None or not self._broker_start.is_alive()
            return done and self._sprung >= set(self.traps) and not self._down and broker_up

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)
        if self._broker_start is not None:
            self._broker_start.join(120)

    def summary(self) -> str:
        counts = ", ".join(f"{name} {n}" for name, n in sorted(self.kills.items()))
        exits = f"; exited on their own: {', '.join(map(str, self.exits))}" if self.exits else ""
        return f"SIGKILLs: {counts or 'none'}{exits}"

    def __str__(self) -> str:
        return f"{self.summary()}\n{self.timeline}"

    # --- the chaos thread ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            now = self.timeline.elapsed()
            while self._pending and self._pending[0].at <= now:
                kill = self._pending[0]
                again = [] if self._execute(kill) else [replace(kill, at=now + DEFER)]
                with self._lock:
                    self._pending = sorted(self._pending[1:] + again, key=lambda k: k.at)
            self._start_due(now)
            self._supervise(now)
            self._stop.wait(0.05)

    def _execute(self, kill: Kill) -> bool:
        """False when the victim is down: the kill is to be tried again."""
        trap = self.traps.get(kill.victim)
        if trap is not None:
            self.timeline.note(f"armed: kill {kill.victim}")
            trap.arm(lambda process, why: self._fire(kill.victim, process, why, kill.down))
            return True
        if kill.victim == BROKER:
            return self._kill_broker(kill.down)
        return self._kill(self._process(kill.victim), "at its moment", kill.down)

    def _kill(self, process: ServiceProcess, why: str, down: float) -> bool:
        with self._lock:
            if process.name in self._down or not process.running or process.pid is None:
                return False
            os.kill(process.pid, signal.SIGKILL)
            self.kills[process.service] += 1
            self._down[process.name] = self.timeline.elapsed() + down
            self.timeline.note(f"SIGKILL {process.name} (pid {process.pid}) {why}; start in {down:.1f}s")
            return True

    def _fire(self, trap: str, process: ServiceProcess, why: str, down: float) -> bool:
        with self._lock:
            killed = self._kill(process, why, down)
            if killed:
                self._sprung.add(trap)
            return killed

    def _kill_broker(self, down: float) -> bool:
        if self._broker_start is not None and self._broker_start.is_alive():
            return False
        pid = self.broker.kill()
        self.kills[BROKER] += 1
        self.timeline.note(f"SIGKILL broker (pid {pid}); start in {down:.1f}s")
        self._broker_start = threading.Thread(target=self._start_broker, args=(down,), daemon=True)
        self._broker_start.start()
        return True

    def _start_broker(self, down: float) -> None:
        time.sleep(down)
        self.timeline.note("starting the broker")
        try:
            self.broker.start()
        except RuntimeError as exc:
            self.errors.append(f"the broker did not start again: {exc}")
            return
        self.timeline.note("the broker answers again")

    def _start_due(self, now: float) -> None:
        """Outside the lock, so that a trap's kill never waits for a process to start."""
        with self._lock:
            due = [name for name, at in self._down.items() if at <= now]
        for name in due:
            process = self._process(name)
            if process.process is not None:
                process.process.wait(30)  # the SIGKILL is sent; make sure it took effect
            process.start()
            with self._lock:
                del self._down[name]
            self.timeline.note(f"started {name} again (pid {process.pid})")

    def _supervise(self, now: float) -> None:
        with self._lock:
            for process in self.processes:
                if process.name not in self._down and not process.running:
                    code = process.process.returncode if process.process is not None else None
                    self.exits.append(Exit(process.name, process.service, code, now))
                    self.timeline.note(f"{process.name} exited on its own with status {code}")
                    self._down[process.name] = now + RESTART_AFTER_EXIT

    def _process(self, name: str) -> ServiceProcess:
        return next(p for p in self.processes if p.name == name)
