"""Pipeline benchmark: latency from an article's produce to the Slack webhook receiving its alert, and the
resident memory of each service.

Classify and alert run as `newsmon serve` processes on the local broker (its own topic prefix per run); a
load producer stands in for ingest's producer, writing raw articles at a steady rate (the raw record's
timestamp is the start of the measurement); a local HTTP server stands in for Slack (its receive time is
the end). The articles carry ~2.5 KB bodies of everyday news from the engine benchmark's corpus; every
`alert_every`-th article is a short warning to Washington from an outlet of its own, so it raises an alert
of its own; grouping delays are zero, so the figure is processing, not a configured wait. (The corpus's
conflict paragraphs are dense with every signal: with grouping off they would raise dozens of alerts a
second and measure an alert storm instead. `bench.classify_stream` measures the conflict mix.)

Phases: a steady 200 articles/s, then rising rates until the pipeline stops keeping up (p99 over 1 s, or
alerts missing). Ingest runs beside them polling local feeds, so its memory is measured at work too.
Memory is VmHWM (peak resident) and VmRSS from /proc after the steady phase.

The broker, the load producer and every service share the machine's cores.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.classify_engine import articles as corpus
from bench.options import quick_run
from tests.e2e.harness import REPO, Deployment, ServiceProcess
from tests.e2e.scenario import (
    Item,
    article_links,
    deployment,
    rss,
    slack_messages,
    wait_ready,
    write_config,
)
from tests.e2e.stream import ArticleStream
from tests.servers.http_feeds import FeedServer
from tests.servers.slack import FakeSlack
from tests.support import remove_topics

DEFAULT_BOOTSTRAP = "127.0.0.1:19092"
STEADY_RATE = 200
TARGET_P99_MS = 500
TARGET_RSS_MB = 200
SUSTAINABLE_P99_MS = 1000
ALERTING = "alerting: {group_wait: 0s, group_interval: 0s, repeat_interval: 1h}\n"
FEEDS = 20
BODIES = tuple(a.content for a in corpus(500, conflict_share=0.0))
"""What the load's articles carry: full-size prose, not one-line summaries."""


def ensure_broker(bootstrap: str) -> None:
    """Start the project's local broker on the bootstrap's port when nothing answers there."""
    host, port = bootstrap.rsplit(":", 1)
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex((host, int(port))) == 0:
            return
    env = os.environ | {"NEWSMON_KAFKA_PORT": port}
    subprocess.run(["bash", str(REPO / "deploy" / "kafka" / "local.sh"), "start"], env=env, check=True)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Bench:
    deployment: Deployment
    slack: FakeSlack
    settings: Any
    bodies: tuple[str, ...]

    def phase(self, rate: int, seconds: float) -> dict[str, Any]:
        """Stream `rate` articles/s for `seconds`; latency of every alert, produce to webhook."""
        count = int(rate * seconds)
        alert_every = max(20, rate // 10)
        stream = ArticleStream(self.settings, count, rate, alert_every, bodies=self.bodies).start()
        stream.join(timeout=seconds * 4 + 60)
        expected = stream.alert_urls
        deadline = time.monotonic() + 30
        arrived: dict[str, float] = {}
        while time.monotonic() < deadline and len(arrived) < len(expected):
            offset = time.time() - time.monotonic()
            for message in slack_messages(self.slack):
                for url in article_links(message.text) & expected:
                    arrived.setdefault(url, message.at + offset)
            time.sleep(0.5)
        latencies = [
            (arrived[url] - stream.produced_at[f"{stream.run}-{url.rsplit('/', 1)[1]}"]) * 1000
            for url in arrived
        ]
        figures: dict[str, Any] = {
            "rate_per_second": rate,
            "articles": count,
            "alerts_expected": len(expected),
            "alerts_delivered": len(arrived),
        }
        if latencies:
            figures |= {
                "p50_ms": round(percentile(latencies, 0.50)),
                "p95_ms": round(percentile(latencies, 0.95)),
                "p99_ms": round(percentile(latencies, 0.99)),
                "max_ms": round(max(latencies)),
                "mean_ms": round(statistics.fmean(latencies)),
            }
        figures["sustained"] = (
            bool(latencies) and len(arrived) == len(expected) and (figures["p99_ms"] <= SUSTAINABLE_P99_MS)
        )
        return figures


def memory(process: ServiceProcess) -> dict[str, float]:
    assert process.process is not None
    fields = {}
    for line in Path(f"/proc/{process.process.pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmHWM", "VmRSS"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"peak_rss_mb": fields["VmHWM"], "rss_mb": fields["VmRSS"]}


@contextmanager
def running(bootstrap: str, work: Path) -> Iterator[Bench]:
    slack = FakeSlack().start()
    now = datetime.now(UTC)
    with FeedServer() as feeds:
        for index in range(FEEDS):
            items = [
                Item(
                    f"feed{index}.example/{n}",
                    f"Weekly market report {n}",
                    "Prices held steady.",
                    now - timedelta(hours=n),
                )
                for n in range(30)
            ]
            feeds.add(f"/feed{index}.xml", rss(f"Outlet {index}", items))
        listed = [(f"feed{i}", f"Outlet {i}", feeds.url(f"/feed{i}.xml")) for i in range(FEEDS)]
        config = write_config(work / "config", listed, extra=ALERTING)
        deploy, settings = deployment(bootstrap, work, config, slack, partitions=3)
        deploy.env["NEWSMON_LOG_LEVEL"] = "WARNING"
        try:
            for process in deploy.start("ingest", "classify", "alert"):
                wait_ready(process, timeout=120)
            yield Bench(deploy, slack, settings, BODIES)
        finally:
            deploy.stop_all()
            slack.stop()
            remove_topics(settings)


def run(quick: bool = False) -> dict[str, Any]:
    bootstrap = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    ensure_broker(bootstrap)
    seconds = 10 if quick else 30
    rates = (400, 800) if quick else (400, 800, 1200, 1600, 2400, 3200, 4000)
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp, running(bootstrap, Path(tmp)) as bench:
        bench.phase(STEADY_RATE, 3)  # warm-up: first records, lazy imports, consumer fetch sizes
        steady = bench.phase(STEADY_RATE, seconds)
        rss = {p.service: memory(p) for p in bench.deployment.processes}
        ramp = []
        for rate in rates:
            figures = bench.phase(rate, seconds / 2)
            ramp.append(figures)
            if not figures["sustained"]:
                break
    best = max((f for f in ramp if f["sustained"]), key=lambda f: f["rate_per_second"], default=steady)
    return {
        "steady": steady,
        "highest_sustained": best,
        "ramp": {str(f["rate_per_second"]): f for f in ramp},
        "memory_mb": rss,
        "targets": {
            "steady_p99_ms": TARGET_P99_MS,
            "rss_mb": TARGET_RSS_MB,
            "steady_p99_met": steady.get("p99_ms", 10**9) <= TARGET_P99_MS,
            "rss_met": all(m["peak_rss_mb"] < TARGET_RSS_MB for m in rss.values()),
        },
    }


def main() -> None:
    quick = quick_run(__doc__)
    figures = run(quick=quick)
    steady, best = figures["steady"], figures["highest_sustained"]
    print(f"pipeline: raw produce -> Slack webhook ({'quick' if quick else 'full'} run)")
    for label, f in (("steady", steady), ("highest sustained", best)):
        print(
            f"  {label} {f['rate_per_second']:,} articles/s: p50 {f.get('p50_ms')} ms, "
            f"p95 {f.get('p95_ms')} ms, p99 {f.get('p99_ms')} ms, max {f.get('max_ms')} ms "
            f"({f['alerts_delivered']}/{f['alerts_expected']} alerts)"
        )
    for rate, f in figures["ramp"].items():
        print(
            f"  ramp {rate}/s: p99 {f.get('p99_ms')} ms, "
            f"{f['alerts_delivered']}/{f['alerts_expected']} alerts"
        )
    for service, m in figures["memory_mb"].items():
        print(f"  {service}: peak RSS {m['peak_rss_mb']} MB, now {m['rss_mb']} MB")
    t = figures["targets"]
    print(
        f"  targets: p99 <= {t['steady_p99_ms']} ms at {STEADY_RATE}/s: "
        f"{'met' if t['steady_p99_met'] else 'NOT met'}; "
        f"every service < {t['rss_mb']} MB: {'met' if t['rss_met'] else 'NOT met'}"
    )
    print("  The broker, the load producer and every service share this machine's cores.")


if __name__ == "__main__":
    main()
