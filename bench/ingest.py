"""Ingest benchmark: one replica's fetch → parse → normalise → dedupe path against a local HTTP server.

A separate process serves FEEDS feeds of 50 entries; half of them support ETags and answer 304 to the second
round, the other half send the full body every time (as many real servers do). What is measured in this
process (the server's CPU is not counted):

- feeds per minute for one replica on the mixed 200/304 round (target ≥ 2,000),
- entries parsed per second, CPU per full feed and CPU per 304 (target < 1 ms),
- parse speed as a ratio to plain `feedparser.parse` on the same bytes in the same run (target ≥ 2×), for
  summary-only feeds and for feeds carrying full HTML content.

Producing to Kafka is not included (it is measured by the pipeline benchmark); every feed is served from
127.0.0.1, so the per-host limit is raised to the global one and loopback is allowed for this run.

    .venv/bin/python -m bench.ingest [--quick]
"""

from __future__ import annotations

import asyncio
import multiprocessing
import time
from datetime import UTC, datetime
from typing import Any

import feedparser

from bench.options import quick_run
from schemas import FeedSpec
from services.ingest.config import IngestOptions
from services.ingest.fetch import Fetcher, Validators
from services.ingest.parse import parse_feed

ENTRIES = 50
PARAGRAPH = (
    "<p>Officials said on <b>Monday</b> that talks would continue &amp; that "
    '<a href="/world/{n}">observers</a> were present, '
    "while <em>aid convoys</em> waited at the crossing.</p>"
)


def feed_body(number: int, full_content: bool) -> bytes:
    """A realistic news RSS feed: HTML descriptions, tracking parameters, dates; optional full bodies."""
    items = []
    for i in range(ENTRIES):
        body = "".join(PARAGRAPH.format(n=i * 10 + k) for k in range(12)) if full_content else ""
        items.append(
            f"<item><title>Story {number}-{i}: ceasefire talks resume in the capital</title>"
            f"<link>https://news.example.org/world/{number}/{i}?utm_source=rss&amp;utm_medium=feed</link>"
            f'<guid isPermaLink="false">story-{number}-{i}</guid>'
            f"<pubDate>Mon, 16 Jun 2025 {i % 24:02d}:{i % 60:02d}:00 +0000</pubDate>"
            f"<description><![CDATA[{PARAGRAPH.format(n=i)}]]></description>"
            + (f"<content:encoded><![CDATA[{body}]]></content:encoded>" if full_content else "")
            + "</item>"
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Example</title>'
        "<link>https://news.example.org/</link>"
        f"<description>Feed {number}</description><language>en</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def _serve(feeds: int, ready: Any, stop: Any) -> None:
    from tests.servers.http_feeds import FeedServer

    server = FeedServer()
    server.record = False
    for n in range(feeds):
        etag = f'"feed-{n}"' if n % 2 == 0 else None  # even feeds answer 304 on the second round
        server.add(f"/feed/{n}.xml", feed_body(n, full_content=n % 4 < 2), etag=etag)
    server.start()
    ready.put(server.base)
    stop.wait()
    server.stop()


async def _round(
    fetcher: Fetcher, specs: list[FeedSpec], validators: dict[str, Validators]
) -> dict[str, int]:
    counts = {"ok": 0, "not_modified": 0, "failed": 0, "entries": 0, "articles": 0}
    seen: set[str] = set()
    loop = asyncio.get_running_loop()

    async def one(spec: FeedSpec) -> None:
        result = await fetcher.fetch(spec.url, validators.get(spec.id))
        if result.outcome == "not_modified":
            counts["not_modified"] += 1
            return
        if not result.ok:
            counts["failed"] += 1
            return
        parsed = await loop.run_in_executor(
            None, parse_feed, result.body, spec, datetime.now(UTC), result.url, result.content_type
        )
        counts["ok"] += 1
        counts["entries"] += parsed.entries
        counts["articles"] += sum(1 for a in parsed.articles if a.id not in seen)
        seen.update(a.id for a in parsed.articles)
        validators[spec.id] = result.validators

    await asyncio.gather(*(one(s) for s in specs))
    return counts


def _measure_fetching(base: str, feeds: int) -> dict[str, Any]:
    specs = [FeedSpec(id=f"f{n}", url=f"{base}/feed/{n}.xml", outlet="Bench") for n in range(feeds)]
    options = IngestOptions(concurrency=64, per_host_concurrency=64, allow_private_networks=True)
    validators: dict[str, Validators] = {}

    async def go() -> dict[str, Any]:
        async with Fetcher(options) as fetcher:
            await _round(fetcher, specs, validators)  # first round: every feed is new, ETags learnt
            wall, cpu = time.perf_counter(), time.process_time()
            mixed = await _round(fetcher, specs, validators)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            unchanged = [s for s in specs if validators.get(s.id, Validators()).etag]
            c304 = time.process_time()
            w304 = time.perf_counter()
            repeats = 3
            for _ in range(repeats):
                await _round(fetcher, unchanged, validators)
            c304, w304 = time.process_time() - c304, time.perf_counter() - w304
        polls_304 = repeats * len(unchanged)
        return {
            "feeds": feeds,
            "mixed_round": mixed,
            "feeds_per_minute": round(feeds / wall * 60),
            "entries_parsed_per_second": round(mixed["entries"] / wall),
            "cpu_ms_per_feed_mixed": round(cpu / feeds * 1000, 3),
            "cpu_ms_per_304": round(c304 / polls_304 * 1000, 3),
            "not_modified_per_second": round(polls_304 / w304),
        }

    return asyncio.run(go())


def _entries_per_second(parse: Any, data: bytes, repeats: int) -> float:
    """Best of three timed batches after a warm-up parse, so caches and imports do not count."""
    parse(data)
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for _ in range(repeats):
            parse(data)
        best = min(best, time.process_time() - started)
    return ENTRIES * repeats / best


def _measure_parsing(repeats: int) -> dict[str, Any]:
    spec = FeedSpec(id="bench", url="https://news.example.org/feed.xml", outlet="Bench")
    now = datetime.now(UTC)
    figures: dict[str, Any] = {}
    for name, full in (("summary_only", False), ("full_content", True)):
        data = feed_body(1, full_content=full)
        ours = _entries_per_second(lambda d: parse_feed(d, spec, now), data, repeats)
        plain = _entries_per_second(feedparser.parse, data, repeats)
        figures[name] = {
            "bytes_per_feed": len(data),
            "newsmon_entries_per_second": round(ours),
            "feedparser_entries_per_second": round(plain),
            "ratio": round(ours / plain, 2),
        }
    mixed_ours = 2 / sum(1 / figures[k]["newsmon_entries_per_second"] for k in figures)
    mixed_plain = 2 / sum(1 / figures[k]["feedparser_entries_per_second"] for k in figures)
    figures["mixed_ratio"] = round(mixed_ours / mixed_plain, 2)
    return figures


def run(quick: bool = False) -> dict[str, Any]:
    feeds = 200 if quick else 2000
    context = multiprocessing.get_context("spawn")
    ready, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(feeds, ready, stop), daemon=True)
    server.start()
    try:
        base = ready.get(timeout=120)
        fetching = _measure_fetching(base, feeds)
    finally:
        stop.set()
        server.join(10)
    parsing = _measure_parsing(5 if quick else 20)
    figures = {"fetching": fetching, "parsing": parsing}
    _print(figures)
    return figures


def _print(figures: dict[str, Any]) -> None:
    f, p = figures["fetching"], figures["parsing"]
    m = f["mixed_round"]
    print(f"ingest benchmark: {f['feeds']} feeds x {ENTRIES} entries, one replica, 2-core machine (noisy)")
    print(
        f"  mixed round: {m['ok']} x 200 + {m['not_modified']} x 304 ({m['failed']} failed) -> "
        f"{f['feeds_per_minute']:,} feeds/min (target >= 2,000)"
    )
    print(
        f"  entries parsed: {f['entries_parsed_per_second']:,}/s; "
        f"CPU per feed (mixed): {f['cpu_ms_per_feed_mixed']} ms"
    )
    print(f"  CPU per 304: {f['cpu_ms_per_304']} ms (target < 1 ms); {f['not_modified_per_second']:,} 304s/s")
    for name in ("summary_only", "full_content"):
        q = p[name]
        print(
            f"  parse {name:<12}: newsmon {q['newsmon_entries_per_second']:,} entries/s vs feedparser.parse "
            f"{q['feedparser_entries_per_second']:,} -> {q['ratio']}x ({q['bytes_per_feed']:,} bytes/feed)"
        )
    print(
        f"  parse ratio on the benchmark's mix (half full-content feeds): {p['mixed_ratio']}x (target >= 2x)"
    )


def main() -> None:
    run(quick=quick_run(__doc__, "200 feeds instead of 2,000"))


if __name__ == "__main__":
    main()
