"""How much a Prometheus scrape costs an ingest replica with many feeds, and what lag bookkeeping costs.

A real HealthServer serves the real ingest metrics (every feed's series pre-created, as the service does)
over HTTP on 127.0.0.1; the figures are the scrape latency a Prometheus would see and the payload size.
Prometheus' default scrape timeout is 10 s and its interval here 15 s, so the ratio to watch is scrape time
against 15 s. Two cores, other processes running: medians are more trustworthy than maxima.

    .venv/bin/python -m bench.scrape [--quick]
"""

from __future__ import annotations

import argparse
import statistics
import time
import urllib.request
from collections.abc import Mapping
from typing import Any

from kafka.structs import TopicPartition
from prometheus_client import REGISTRY, disable_created_metrics

from services.ingest import metrics as ingest_metrics
from streambase.health import HealthServer
from streambase.metrics import ConsumerLag


class OffsetsOnly:
    """A consumer whose offsets are known locally, as after a fetch: what the lag loop reads each time."""

    def __init__(self, partitions: int) -> None:
        self.tps = {TopicPartition("newsmon.articles.raw", p) for p in range(partitions)}

    def assignment(self) -> set[TopicPartition]:
        return self.tps

    def highwater(self, partition: TopicPartition) -> int | None:
        return 1_000_000 + int(partition.partition)

    def position(self, partition: TopicPartition, timeout_ms: int | None = None) -> int | None:
        return 999_000

    def end_offsets(
        self, partitions: list[TopicPartition], timeout_ms: int | None = None
    ) -> Mapping[TopicPartition, int]:
        return {}


def populate(feeds: int) -> None:
    for index in range(feeds):
        feed = f"feed-{index:05d}"
        ingest_metrics.feed_series(feed)
        ingest_metrics.LAST_SUCCESS.labels(feed=feed).set(1.7e9 + index)


def scrape_figures(feeds: int, scrapes: int) -> dict[str, Any]:
    server = HealthServer("127.0.0.1", 0).start()
    url = f"http://127.0.0.1:{server.port}/metrics"
    timings, size = [], 0
    try:
        for _ in range(scrapes):
            started = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as response:
                size = len(response.read())
            timings.append(time.perf_counter() - started)
    finally:
        server.stop()
    samples = sum(len(metric.samples) for metric in REGISTRY.collect())
    return {
        "feeds": feeds,
        "series": samples,
        "payload_kib": round(size / 1024, 1),
        "scrape_ms_median": round(statistics.median(timings) * 1000, 1),
        "scrape_ms_max": round(max(timings) * 1000, 1),
        "share_of_15s_interval": round(statistics.median(timings) / 15, 5),
    }


def lag_figures(partitions: int, rounds: int) -> dict[str, Any]:
    lag = ConsumerLag("classify")
    consumer = OffsetsOnly(partitions)
    started = time.perf_counter()
    for _ in range(rounds):
        lag.update(consumer)
    per_update = (time.perf_counter() - started) / rounds
    return {"partitions": partitions, "lag_update_us": round(per_update * 1e6, 1)}


def run(quick: bool = False) -> dict[str, Any]:
    feeds, scrapes = (300, 10) if quick else (3000, 30)
    populate(feeds)
    figures = scrape_figures(feeds, scrapes)
    # process-wide: every later scrape leaves out the counters' _created samples
    disable_created_metrics()  # type: ignore[no-untyped-call]
    lean = scrape_figures(feeds, scrapes)
    figures |= {f"without_created_{key}": value for key, value in lean.items() if key != "feeds"}
    figures["created_samples_cost_ratio"] = round(figures["scrape_ms_median"] / lean["scrape_ms_median"], 2)
    figures |= lag_figures(partitions=48, rounds=200 if quick else 2000)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer feeds and scrapes")
    figures = run(quick=parser.parse_args().quick)
    print(
        f"/metrics of an ingest replica with {figures['feeds']} feeds: {figures['series']} samples, "
        f"{figures['payload_kib']} KiB; scrape median {figures['scrape_ms_median']} ms "
        f"(max {figures['scrape_ms_max']} ms) = {figures['share_of_15s_interval']:.3%} of a 15 s interval"
    )
    print(
        f"without the counters' _created samples: {figures['without_created_series']} samples, "
        f"{figures['without_created_payload_kib']} KiB, scrape median "
        f"{figures['without_created_scrape_ms_median']} ms ({figures['created_samples_cost_ratio']}x faster)"
    )
    print(
        f"consumer lag bookkeeping: {figures['lag_update_us']} µs per update over {figures['partitions']} "
        "partitions (run at most every 5 s)"
    )


if __name__ == "__main__":
    main()
