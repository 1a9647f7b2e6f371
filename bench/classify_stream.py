"""Classify stream benchmark: what one worker costs per article, beside what the runtime and the engine cost.

Phase 1 (throughput, ROUNDS rounds): a backlog of ~2.5 KB articles is produced to fresh topics, then two
workers work through the same backlog one after the other (their order alternates between rounds):
- the pass-through (`bench/passthrough.py`): the classify app's own Faust settings and batching, producing
  each message's bytes unchanged: the ceiling the runtime allows;
- the stream: one `newsmon serve classify` process with the shipped taxonomy.
Each worker's cost is its process CPU time (user + system) from the first output record the reader sees
until the worker is quiet again after the last (so the trend agent's catching up counts too), over the
records that came out in that span. Between them, the engine with its message (`Classifier.classify`, as
in `bench/classify_engine.py`) runs in this process over the same articles. The overhead ratio is
stream CPU per article / (pass-through CPU per article + engine CPU per article), per round.

Phase 2 (latency): articles are produced at a steady rate while the worker runs; added latency is the
classified record's timestamp minus the raw record's (both stamped by their producers), so it covers
consuming, batching, classification and producing.

Needs the local broker (started on NEWSMON_KAFKA_BOOTSTRAP, default the test port 19092, if not running);
every round uses its own topic prefix and deletes its topics afterwards. The broker, the load producer and
the worker share the machine's cores, so wall-clock rates move with whatever else runs; CPU per article
much less so. Medians are printed with the spread (lowest to highest) over the rounds.

    .venv/bin/python -m bench.classify_stream [--quick]
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import NewTopic

from bench.classify_engine import articles as corpus
from bench.options import quick_run
from bench.passthrough import OUTPUT_ROLE
from schemas import RawArticle, encode
from services.classify import native
from services.classify.engine import Classifier
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from streambase.kafka import create_pipeline_topics, make_admin, make_consumer, make_producer
from streambase.settings import KafkaSettings
from streambase.topics import Topics

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BOOTSTRAP = "127.0.0.1:19092"
TARGET_PER_SECOND = 3_000
TARGET_PER_CPU_SECOND = 5_000
TARGET_OVERHEAD_RATIO = 1.5
ROUNDS = 3

CONFLICT_SHARE = 0.2
"""One article in five about a conflict: the engine benchmark's feed mix, built from the same paragraphs."""

QUIET_CPU_SHARE = 0.05
"""A worker using less than this share of a core over QUIET_SECONDS has finished its work."""
QUIET_SECONDS = 0.5


def articles(count: int, start: int = 0) -> Iterator[RawArticle]:
    """`count` articles of ~2.5 KB from the engine benchmark's corpus (varied prose, so compression and
    classification cost what they cost on real news), numbered from `start` and stamped now."""
    now = datetime.now(UTC)
    made = corpus(count, CONFLICT_SHARE, seed=7 + start)
    for n, article in enumerate(made, start):
        yield article.model_copy(
            update={
                "id": f"bench-{n:07d}",
                "source": f"Outlet {n % 17}",
                "published_at": now,
                "fetched_at": now,
            }
        )


def ensure_broker(bootstrap: str) -> None:
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    try:
        socket.create_connection((host, int(port)), timeout=2).close()
        return
    except OSError:
        pass
    env = os.environ | {"NEWSMON_KAFKA_PORT": port}
    subprocess.run(["bash", str(REPO / "deploy" / "kafka" / "local.sh"), "start"], env=env, check=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


STREAM = ("newsmon", "serve", "classify")
PASSTHROUGH = ("bench.passthrough",)


class WorkerProcess:
    """A worker process on the settings' topics: the classify service (`STREAM`) or `PASSTHROUGH`."""

    def __init__(self, settings: KafkaSettings, log: Path, module: Sequence[str] = STREAM) -> None:
        self.port = free_port()
        env = os.environ | {
            "NEWSMON_KAFKA_BOOTSTRAP": settings.bootstrap,
            "NEWSMON_KAFKA_TOPIC_PREFIX": settings.topic_prefix,
            "NEWSMON_KAFKA_PARTITIONS": str(settings.partitions),
            "NEWSMON_METRICS_HOST": "127.0.0.1",
            "NEWSMON_METRICS_PORT": str(self.port),
            "NEWSMON_INSTANCE": "bench",
            "NEWSMON_LOG_LEVEL": os.environ.get("BENCH_WORKER_LOG_LEVEL", "WARNING"),
        }
        self.log = log
        with log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", *module],
                cwd=REPO,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def wait_ready(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        answer = "no answer"
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the worker exited:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/readyz", timeout=2):
                    return
            except urllib.error.HTTPError as exc:
                answer = exc.read().decode().strip()
            except OSError as exc:
                answer = str(exc)
            time.sleep(0.5)
        raise RuntimeError(f"the worker did not become ready ({answer}):\n{self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def produce(producer: KafkaProducer, topic: str, batch: list[RawArticle]) -> dict[bytes, int]:
    """Produce and wait for every acknowledgement; return each key's record timestamp (ms)."""
    futures = [(a.id.encode(), producer.send(topic, key=a.id.encode(), value=encode(a))) for a in batch]
    producer.flush()
    return {key: future.get(timeout=60).timestamp for key, future in futures}


def produce_encoded(settings: KafkaSettings, topic: str, backlog: list[tuple[bytes, bytes]]) -> None:
    """Produce ready-made (key, value) pairs and wait for every acknowledgement."""
    producer = make_producer(settings, "bench-load", linger_ms=20, batch_size=256 * 1024)
    try:
        futures = [producer.send(topic, key=key, value=value) for key, value in backlog]
        producer.flush()
        for future in futures:
            future.get(timeout=60)
    finally:
        producer.close()


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def collect(consumer: KafkaConsumer, expected: int, timeout: float) -> dict[bytes, int]:
    """Record timestamps (ms) by key, until `expected` distinct keys or `timeout`."""
    stamps: dict[bytes, int] = {}
    deadline = time.monotonic() + timeout
    while len(stamps) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200, max_records=5_000).values():
            for record in records:
                stamps.setdefault(record.key, record.timestamp)
    return stamps


@dataclass(frozen=True)
class Drained:
    """What a worker put out, and what it cost from the reader's first sight of its output."""

    stamps: dict[bytes, int]
    counted: int  # records that came out after the CPU count began
    cpu: float  # worker CPU seconds from the first poll that saw output until the worker was quiet
    tail_cpu: float  # the part of `cpu` after the last record: work the output does not show

    @property
    def cpu_per_article(self) -> float:
        return self.cpu / self.counted


def drain_worker(consumer: KafkaConsumer, expected: int, timeout: float, pid: int) -> Drained:
    """Read the worker's output until `expected` distinct keys; count its CPU from the first poll with
    output until it is quiet again after the last record."""
    stamps: dict[bytes, int] = {}
    deadline = time.monotonic() + timeout
    cpu_start: float | None = None
    before = 0
    while len(stamps) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200, max_records=5_000).values():
            for record in records:
                stamps.setdefault(record.key, record.timestamp)
        if cpu_start is None and stamps:
            cpu_start, before = cpu_seconds(pid), len(stamps)
    if cpu_start is None:
        raise RuntimeError("the worker put nothing out")
    last = cpu_seconds(pid)
    quiet = wait_quiet(pid, deadline=time.monotonic() + 60)
    return Drained(stamps, len(stamps) - before, quiet - cpu_start, quiet - last)


def wait_quiet(pid: int, deadline: float) -> float:
    """The worker's CPU seconds when it first spends less than QUIET_CPU_SHARE of QUIET_SECONDS working."""
    previous = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(QUIET_SECONDS)
        now = cpu_seconds(pid)
        if now - previous < QUIET_CPU_SHARE * QUIET_SECONDS:
            return previous
        previous = now
    return previous


def run_worker(settings: KafkaSettings, module: Sequence[str], output: str, count: int, log: Path) -> Drained:
    consumer = make_consumer(settings, "bench-read", f"bench-{uuid.uuid4().hex[:8]}", [output])
    worker = WorkerProcess(settings, log, module)
    try:
        drained = drain_worker(consumer, count, timeout=max(120.0, count / 200), pid=worker.process.pid)
        if len(drained.stamps) < count:
            raise RuntimeError(f"only {len(drained.stamps)} of {count} articles came through")
    except RuntimeError as exc:
        raise RuntimeError(f"{' '.join(module)}: {exc}; its log ends:\n{log.read_text()[-3000:]}") from None
    finally:
        worker.stop()
        consumer.close()
    return drained


def worker_figures(drained: Drained) -> dict[str, Any]:
    span = (max(drained.stamps.values()) - min(drained.stamps.values())) / 1000
    return {
        "articles_per_second": round(len(drained.stamps) / span),
        "worker_cpu_seconds": round(drained.cpu, 2),
        "tail_cpu_seconds": round(drained.tail_cpu, 2),
        "articles_per_worker_cpu_second": round(1 / drained.cpu_per_article),
        "cpu_us_per_article": round(drained.cpu_per_article * 1e6, 1),
    }


def engine_cpu_per_article(classifier: Classifier, batch: list[RawArticle], seconds: float) -> float:
    """CPU seconds per article of `Classifier.classify` in this process (the engine with its message), over
    whole passes through `batch` (its first articles are the conflict ones) lasting at least `seconds`."""
    now = datetime.now(UTC)
    done = 0
    started = time.process_time()
    while not done or time.process_time() - started < seconds:
        for article in batch:
            classifier.classify(article, now)
        done += len(batch)
    return (time.process_time() - started) / done


def overhead_round(
    bootstrap: str,
    backlog: list[RawArticle],
    classifier: Classifier,
    workdir: Path,
    passthrough_first: bool,
) -> dict[str, Any]:
    """One backlog through the pass-through and the stream (in the given order), and the engine alone."""
    settings = fresh_topics(bootstrap)
    topics = Topics.from_settings(settings)
    try:
        produce_encoded(settings, topics.articles, [(a.id.encode(), encode(a)) for a in backlog])
        count = len(backlog)
        runs: dict[str, Callable[[], Drained]] = {
            "passthrough": lambda: run_worker(
                settings, PASSTHROUGH, topics.prefix + OUTPUT_ROLE, count, workdir / "passthrough.log"
            ),
            "stream": lambda: run_worker(settings, STREAM, topics.classified, count, workdir / "stream.log"),
        }
        order = ["passthrough", "stream"] if passthrough_first else ["stream", "passthrough"]
        drained = {name: runs[name]() for name in order}
    finally:
        remove_topics(settings)
    engine = engine_cpu_per_article(classifier, backlog, seconds=3.0)
    stream, passthrough = drained["stream"].cpu_per_article, drained["passthrough"].cpu_per_article
    return {
        "stream": worker_figures(drained["stream"]),
        "passthrough": worker_figures(drained["passthrough"]),
        "engine_with_message_per_cpu_second": round(1 / engine),
        "engine_cpu_us_per_article": round(engine * 1e6, 1),
        "overhead_ratio": round(stream / (passthrough + engine), 3),
    }


def spread(values: Sequence[float]) -> dict[str, float]:
    return {"median": statistics.median(values), "low": min(values), "high": max(values)}


def summarise(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    def of(pick: Callable[[dict[str, Any]], float]) -> dict[str, float]:
        return spread([pick(r) for r in rounds])

    return {
        "stream_per_cpu_second": of(lambda r: r["stream"]["articles_per_worker_cpu_second"]),
        "stream_per_second": of(lambda r: r["stream"]["articles_per_second"]),
        "passthrough_per_cpu_second": of(lambda r: r["passthrough"]["articles_per_worker_cpu_second"]),
        "passthrough_per_second": of(lambda r: r["passthrough"]["articles_per_second"]),
        "engine_with_message_per_cpu_second": of(lambda r: r["engine_with_message_per_cpu_second"]),
        "stream_tail_cpu_seconds": of(lambda r: r["stream"]["tail_cpu_seconds"]),
        "overhead_ratio": of(lambda r: r["overhead_ratio"]),
    }


def latency(settings: KafkaSettings, rate: int, seconds: float, workdir: Path) -> dict[str, Any]:
    topics = Topics.from_settings(settings)
    worker = WorkerProcess(settings, workdir / "latency.log")
    producer = make_producer(settings, "bench-paced", linger_ms=1)
    consumer = make_consumer(settings, "bench-read", f"bench-{uuid.uuid4().hex[:8]}", [topics.classified])
    try:
        worker.wait_ready()
        warm_up = produce(producer, topics.articles, list(articles(200, start=900_000)))
        collect(consumer, len(warm_up), timeout=120)  # the worker settled and the reader joined
        sent: dict[bytes, int] = {}
        per_tick = max(1, round(rate * 0.05))
        paced = list(articles(round(rate * seconds) + per_tick, start=1_000_000))  # made before timing
        started = time.monotonic()
        n = 0
        while time.monotonic() - started < seconds:
            sent.update(produce(producer, topics.articles, paced[n : n + per_tick]))
            n += per_tick
            time.sleep(max(0.0, started + n / rate - time.monotonic()))
        received = collect(consumer, len(sent), timeout=60)
    finally:
        worker.stop()
        producer.close()
        consumer.close()
    added = sorted((received[k] - sent[k]) / 1000 for k in sent if k in received)
    if not added:
        raise RuntimeError("no article came through the worker")
    return {
        "rate_per_second": rate,
        "articles": len(sent),
        "received": len(added),
        "p50_ms": round(statistics.median(added) * 1000, 1),
        "p99_ms": round(added[min(len(added) - 1, int(len(added) * 0.99))] * 1000, 1),
        "max_ms": round(added[-1] * 1000, 1),
    }


def fresh_topics(bootstrap: str) -> KafkaSettings:
    """Settings with a topic prefix of their own, so one phase never sees another's records; the
    pass-through's output topic is created beside the pipeline's."""
    settings = KafkaSettings(bootstrap=bootstrap, topic_prefix=f"bench-{uuid.uuid4().hex[:8]}.", partitions=6)
    create_pipeline_topics(settings)
    admin = make_admin(settings, "bench-admin")
    try:
        admin.create_topics([NewTopic(settings.topic_prefix + OUTPUT_ROLE, settings.partitions, 1)])
    finally:
        admin.close()
    return settings


def remove_topics(settings: KafkaSettings) -> None:
    """Delete a round's topics (the pipeline's, the workers' internal ones), so runs do not pile
    partitions up on a long-lived broker."""
    admin = make_admin(settings, "bench-admin")
    try:
        names = [t for t in admin.list_topics() if t.startswith(settings.topic_prefix)]
        if names:
            admin.delete_topics(names, timeout_ms=30_000)
    finally:
        admin.close()


def run(quick: bool = False) -> dict[str, Any]:
    bootstrap = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    ensure_broker(bootstrap)
    count, rounds = (5_000, 1) if quick else (30_000, ROUNDS)
    backlog = list(articles(count))
    classifier = Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
    with tempfile.TemporaryDirectory(prefix="classify-bench-") as tmp:
        workdir = Path(tmp)
        sources = native.sources_digest()
        measured = []
        for n in range(rounds):
            measured.append(
                overhead_round(bootstrap, backlog, classifier, workdir, passthrough_first=n % 2 == 0)
            )
            if native.sources_digest() != sources:
                raise RuntimeError(
                    "the Rust engine's sources changed during the run: workers started since then fall back "
                    "to the Python engine. Rebuild it (make install) and run again."
                )
        settings = fresh_topics(bootstrap)
        try:
            paced = latency(settings, 500, 5 if quick else 20, workdir)
        finally:
            remove_topics(settings)
    summary = summarise(measured)
    return {
        "articles": count,
        "engine_build": classifier.build,
        "rounds": {f"round_{n}": figures for n, figures in enumerate(measured, 1)},
        "summary": summary,
        "latency": paced,
        "targets": {
            "articles_per_second": TARGET_PER_SECOND,
            "articles_per_worker_cpu_second": TARGET_PER_CPU_SECOND,
            "overhead_ratio": TARGET_OVERHEAD_RATIO,
        },
    }


def _line(label: str, figure: dict[str, float], unit: str = "", digits: int = 0) -> str:
    def fmt(value: float) -> str:
        return f"{value:,.{digits}f}"

    return f"  {label:<44} {fmt(figure['median']):>8}{unit}   ({fmt(figure['low'])} to {fmt(figure['high'])})"


def print_summary(figures: dict[str, Any], quick: bool) -> None:
    s, paced = figures["summary"], figures["latency"]
    rounds = len(figures["rounds"])
    print(
        f"classify stream, one worker, Kafka to Kafka ({'quick' if quick else 'full'} run: "
        f"{rounds} round{'s' if rounds > 1 else ''} of {figures['articles']:,} articles of ~2.5 KB, "
        f"{figures['engine_build']} engine); median (lowest to highest)"
    )
    print("per CPU-second of the worker process (user + system):")
    print(_line("stream", s["stream_per_cpu_second"]) + f"   target >= {TARGET_PER_CPU_SECOND:,}")
    print(_line("pass-through (same runtime, bytes unchanged)", s["passthrough_per_cpu_second"]))
    print(_line("engine with its message, alone", s["engine_with_message_per_cpu_second"]))
    print(
        _line("stream / (pass-through + engine), CPU/article", s["overhead_ratio"], " x", 2)
        + f"  target <= {TARGET_OVERHEAD_RATIO}"
    )
    print(_line("stream CPU after its last record (trends)", s["stream_tail_cpu_seconds"], " s", 2))
    print("wall clock, Kafka to Kafka (shares the cores with the broker):")
    print(_line("stream", s["stream_per_second"]) + f"   target >= {TARGET_PER_SECOND:,}")
    print(_line("pass-through", s["passthrough_per_second"]))
    print(
        f"added latency at {paced['rate_per_second']:,}/s: p50 {paced['p50_ms']} ms, "
        f"p99 {paced['p99_ms']} ms, max {paced['max_ms']} ms ({paced['received']:,} articles)"
    )


def main() -> None:
    quick = quick_run(__doc__)
    print_summary(run(quick=quick), quick)


if __name__ == "__main__":
    main()
