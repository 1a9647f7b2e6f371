"""Classify stream benchmark: articles per second through one worker, Kafka to Kafka, and added latency.

Phase 1 (throughput): a backlog of ~2.5 KB articles is produced first, then one `newsmon serve classify`
process with the shipped taxonomy works through it; the rate is the number of articles over the span of the
classified records' timestamps. Phase 2 (latency): articles are produced at a steady rate while the worker
runs; added latency is the classified record's timestamp minus the raw record's (both stamped by their
producers), so it covers consuming, batching, classification and producing.

Needs the local broker (started on NEWSMON_KAFKA_BOOTSTRAP, default the test port 19092, if not running);
every run uses its own topic prefix. The broker, the load producer and the worker share the machine's cores.
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
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kafka import KafkaConsumer, KafkaProducer

from bench.classify_engine import articles as corpus
from schemas import RawArticle, encode
from streambase.kafka import create_pipeline_topics, make_consumer, make_producer
from streambase.settings import KafkaSettings
from streambase.topics import Topics

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BOOTSTRAP = "127.0.0.1:19092"
TARGET_PER_SECOND = 3_000

CONFLICT_SHARE = 0.2
"""One article in five about a conflict: the engine benchmark's feed mix, built from the same paragraphs."""


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


class WorkerProcess:
    def __init__(self, settings: KafkaSettings, log: Path) -> None:
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
                [sys.executable, "-m", "newsmon", "serve", "classify"],
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


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def collect(
    consumer: KafkaConsumer, expected: int, timeout: float, pid: int | None = None
) -> tuple[dict[bytes, int], float]:
    """Classified record timestamps (ms) by key, until `expected` distinct keys or `timeout`; and the
    worker's CPU seconds between the first and the last record seen."""
    stamps: dict[bytes, int] = {}
    deadline = time.monotonic() + timeout
    cpu_start = None
    while len(stamps) < expected and time.monotonic() < deadline:
        for records in consumer.poll(timeout_ms=200, max_records=5_000).values():
            if cpu_start is None and pid is not None:
                cpu_start = cpu_seconds(pid)
            for record in records:
                stamps.setdefault(record.key, record.timestamp)
    cpu = cpu_seconds(pid) - cpu_start if pid is not None and cpu_start is not None else 0.0
    return stamps, cpu


def throughput(settings: KafkaSettings, count: int, workdir: Path) -> dict[str, Any]:
    topics = Topics.from_settings(settings)
    producer = make_producer(settings, "bench-load", linger_ms=20, batch_size=256 * 1024)
    try:
        produce(producer, topics.articles, list(articles(count)))
    finally:
        producer.close()
    consumer = make_consumer(settings, "bench-read", f"bench-{uuid.uuid4().hex[:8]}", [topics.classified])
    worker = WorkerProcess(settings, workdir / "throughput.log")
    try:
        stamps, cpu = collect(consumer, count, timeout=max(120.0, count / 200), pid=worker.process.pid)
    finally:
        worker.stop()
        consumer.close()
    if len(stamps) < count:
        raise RuntimeError(f"only {len(stamps)} of {count} articles were classified")
    span = (max(stamps.values()) - min(stamps.values())) / 1000
    return {
        "articles": count,
        "seconds": round(span, 2),
        "articles_per_second": round(count / span),
        "worker_cpu_seconds": round(cpu, 2),
        "articles_per_worker_cpu_second": round(count / cpu) if cpu else None,
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
        tick = 0.05
        per_tick = max(1, round(rate * tick))
        started = time.monotonic()
        n = 1_000_000
        while time.monotonic() - started < seconds:
            sent.update(produce(producer, topics.articles, list(articles(per_tick, start=n))))
            n += per_tick
            time.sleep(max(0.0, started + (n - 1_000_000) / rate - time.monotonic()))
        received, _ = collect(consumer, len(sent), timeout=60)
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
    """Settings with a topic prefix of their own, so one phase never sees another's records."""
    settings = KafkaSettings(bootstrap=bootstrap, topic_prefix=f"bench-{uuid.uuid4().hex[:8]}.", partitions=6)
    create_pipeline_topics(settings)
    return settings


def run(quick: bool = False) -> dict[str, Any]:
    bootstrap = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    ensure_broker(bootstrap)
    with tempfile.TemporaryDirectory(prefix="classify-bench-") as tmp:
        workdir = Path(tmp)
        bulk = throughput(fresh_topics(bootstrap), 5_000 if quick else 30_000, workdir)
        paced = latency(fresh_topics(bootstrap), 500, 5 if quick else 20, workdir)
    return {
        "throughput": bulk,
        "latency": paced,
        "target_articles_per_second": TARGET_PER_SECOND,
        "meets_target": bulk["articles_per_second"] >= TARGET_PER_SECOND,
    }


def main() -> None:
    quick = "--quick" in sys.argv
    figures = run(quick=quick)
    bulk, paced = figures["throughput"], figures["latency"]
    print(
        f"classify stream, one worker, Kafka to Kafka ({'quick' if quick else 'full'} run)\n"
        f"  throughput: {bulk['articles_per_second']:,} articles/s "
        f"({bulk['articles']:,} articles of ~2.5 KB in {bulk['seconds']} s; target {TARGET_PER_SECOND:,}/s: "
        f"{'met' if figures['meets_target'] else 'NOT met'})\n"
        f"  per CPU-second of the worker: {bulk['articles_per_worker_cpu_second']:,} articles "
        f"({bulk['worker_cpu_seconds']} s of CPU)\n"
        f"  added latency at {paced['rate_per_second']:,}/s: p50 {paced['p50_ms']} ms, "
        f"p99 {paced['p99_ms']} ms, max {paced['max_ms']} ms ({paced['received']:,} articles)\n"
        "  The broker, the load producer and the worker share this machine's cores."
    )


if __name__ == "__main__":
    main()
