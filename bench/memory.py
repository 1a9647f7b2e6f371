"""Memory of each service's state over a simulated month: resident size per day, and whether it stays flat.

Each service's state is pushed through 40 days of traffic at 300,000 articles a day (longer than the longest
retention, 30 days of seen ids, so the last week shows whether it stays flat), with time injected, in a
process of its own so that its resident size is that state's alone (plus the interpreter and the imports):
- ingest: the seen ids (every article marked, forgotten a day at a time past the 30-day seen retention);
- classify: the `seen` table as the Faust worker holds it (article id -> when and where it was classified,
  purged past the dedup retention: every ten minutes in the worker, every simulated hour here);
- alert: the rule engine's windows fed the articles that carry signals (5 %), and the delivery state fed one
  delivery record per notification (3,000 a day): what was sent where, the grouping state, the history.

    .venv/bin/python -m bench.memory [--quick] [--days N] [--per-day N]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2026, 1, 1, tzinfo=UTC)
SERVICES = ("ingest", "classify", "alert")
SIGNAL_SHARE = 0.05
ALERTS_PER_DAY = 3000
PAGE = 4096
BATCH = 500
"""Articles the classify worker takes in one batch (its default `batch_size`)."""


def resident_mb() -> float:
    """This process's resident set size now, in MB (not the peak)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * PAGE / 1e6


def hours(days: int) -> Iterator[datetime]:
    for hour in range(days * 24):
        yield START + timedelta(hours=hour)


# -- one service's state, in the child process -------------------------------------------------------------


def ingest_state(days: int, per_day: int, report: Callable[[int], None]) -> None:
    from services.ingest.seen import SeenIds

    seen = SeenIds()
    per_hour = per_day // 24
    retention = timedelta(days=30)
    for index, now in enumerate(hours(days)):
        base = index * per_hour
        ids = [f"u-{n:016x}" for n in range(base, base + per_hour)]
        assert not any(i in seen for i in ids[:50])
        seen.update(ids, now)
        seen.expire(now - retention)
        if (index + 1) % 24 == 0:
            report(len(seen))


def classify_state(days: int, per_day: int, report: Callable[[int], None]) -> None:
    from services.classify.config import ClassifyOptions
    from services.classify.handling import expired_seen, seen_entry

    table: dict[str, Any] = {}
    retention = ClassifyOptions().dedup_retention
    per_tick = per_day // 24  # the worker purges every ten minutes; hourly here, so a month runs in minutes
    for tick in range(days * 24):
        now = START + timedelta(hours=tick)
        base = tick * per_tick
        for batch in range(base, base + per_tick, BATCH):
            shared = [seen_entry(now, partition) for partition in range(6)]  # as the worker shares them
            for n in range(batch, min(batch + BATCH, base + per_tick)):
                table[f"u-{n:016x}"] = shared[n % 6]
        for article_id, _ in expired_seen(table.items(), now - retention):
            table.pop(article_id, None)
        if (tick + 1) % 24 == 0:
            report(len(table))


def alert_state(days: int, per_day: int, report: Callable[[int], None]) -> None:
    from bench.alert import stream
    from newsmon.config import load_config
    from schemas import DeliveryRecord, Severity
    from services.alert.engine import RuleEngine
    from services.alert.grouping import Grouper, Timing
    from services.alert.notify import SENT_HORIZON
    from services.alert.sent import SentLedger

    config = load_config(Path(__file__).resolve().parents[1] / "config" / "newsmon.yaml")
    engine = RuleEngine(config.rules)
    grouper: Grouper[int] = Grouper(Timing(timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=4)))
    ledger = SentLedger()
    signalled = int(per_day * SIGNAL_SHARE)
    articles = stream(signalled)
    spacing = timedelta(days=1) / signalled
    for day in range(days):
        offset = timedelta(days=day)
        for n, article in enumerate(articles):
            at = START + offset + n * spacing
            moved = article.article.model_copy(
                update={"id": f"d{day}-{n}", "published_at": at, "fetched_at": at}
            )
            engine.observe_article(article.model_copy(update={"article": moved}), at)
        for n in range(ALERTS_PER_DAY):
            at = START + offset + timedelta(seconds=n * 86400 / ALERTS_PER_DAY)
            alert_id = f"a{day}-{n}"
            record = DeliveryRecord(
                notification_id=f"n{day}-{n}",
                alert_id=alert_id,
                receiver="slack",
                status="delivered",
                attempts=1,
                updated_at=at,
                fingerprint=f"fp{n % 40}",
                alert_ids=(alert_id,),
                sources=("Wire One", "Wire Two"),
                severity=Severity.HIGH,
            )
            ledger.record(alert_id, record.receiver, at)
            grouper.restore(record)
        ledger.forget_before(START + offset + timedelta(days=1) - SENT_HORIZON)
        report(len(ledger))


STATES: dict[str, Callable[[int, int, Callable[[int], None]], None]] = {
    "ingest": ingest_state,
    "classify": classify_state,
    "alert": alert_state,
}


def child(service: str, days: int, per_day: int) -> None:
    started = time.monotonic()
    day = 0

    def report(entries: int) -> None:
        nonlocal day
        day += 1
        line = {"day": day, "rss_mb": round(resident_mb(), 1), "entries": entries}
        line["seconds"] = round(time.monotonic() - started, 1)
        print(json.dumps(line), flush=True)

    print(json.dumps({"day": 0, "rss_mb": round(resident_mb(), 1), "entries": 0}), flush=True)
    STATES[service](days, per_day, report)


# -- the parent: one child per service, a table of figures ------------------------------------------------


def measure(service: str, days: int, per_day: int) -> list[dict[str, Any]]:
    command = [sys.executable, "-m", "bench.memory", "--child", service, "--days", str(days)]
    command += ["--per-day", str(per_day)]
    lines: list[dict[str, Any]] = []
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        for raw in process.stdout:
            line = json.loads(raw)
            lines.append(line)
            if line["day"] and (line["day"] % 5 == 0 or line["day"] == days):
                rss, entries = line["rss_mb"], line["entries"]
                print(f"  {service:>8} day {line['day']:>2}: {rss:7.1f} MB, {entries:,} entries")
    if process.returncode != 0:
        raise RuntimeError(f"the {service} simulation failed (exit {process.returncode})")
    return lines


def summary(lines: list[dict[str, Any]]) -> dict[str, Any]:
    last_week = [line["rss_mb"] for line in lines[-7:]]
    return {
        "start_mb": lines[0]["rss_mb"],
        "end_mb": lines[-1]["rss_mb"],
        "last_week_growth_mb": round(last_week[-1] - last_week[0], 1),
        "entries": lines[-1]["entries"],
        "seconds": lines[-1].get("seconds"),
    }


def ingest_restart(marks: int) -> dict[str, float]:
    """Seconds an ingest replica takes to read `marks` seen marks at start (the shared-state tailer on the
    real broker, as a restart after a month does), and the rate, to scale to a month's marks."""
    import os

    from bench.classify_stream import DEFAULT_BOOTSTRAP, ensure_broker, fresh_topics, remove_topics
    from schemas import SeenArticle, encode
    from services.ingest.seen import SeenIds
    from services.ingest.shared import SharedStateTailer
    from streambase.clock import SystemClock
    from streambase.kafka import make_consumer, make_producer

    bootstrap = os.environ.get("NEWSMON_KAFKA_BOOTSTRAP", DEFAULT_BOOTSTRAP)
    ensure_broker(bootstrap)
    settings = fresh_topics(bootstrap)
    topic, health = settings.topic_prefix + "ingest.seen", settings.topic_prefix + "ingest.health"
    try:
        producer = make_producer(settings, "bench-marks", linger_ms=50, batch_size=256 * 1024)
        now = SystemClock().now()
        for n in range(marks):
            mark = SeenArticle(article_id=f"u-{n:016x}", feed_id="bench", first_seen_at=now)
            producer.send(topic, key=mark.article_id.encode(), value=encode(mark))
        producer.flush(120)
        producer.close()
        seen = SeenIds()
        tailer = SharedStateTailer(
            lambda: make_consumer(settings, "bench-restart", None),
            topic,
            health,
            seen,
            SystemClock(),
            timedelta(days=30),
        )
        started = time.monotonic()
        tailer.start()
        loaded = seen.loaded.wait(600)
        seconds = time.monotonic() - started
        tailer.stop()
        if not loaded or len(seen) != marks:
            raise RuntimeError(f"loaded {len(seen)} of {marks} marks in {seconds:.0f}s")
    finally:
        remove_topics(settings)
    return {"marks": marks, "seconds": round(seconds, 1), "marks_per_second": round(marks / seconds)}


def run(quick: bool = False, days: int = 40, per_day: int = 300_000) -> dict[str, Any]:
    if quick:
        days, per_day = 10, 30_000
    print(f"memory: {days} simulated days at {per_day:,} articles a day, one process per service")
    figures = {service: summary(measure(service, days, per_day)) for service in SERVICES}
    print(f"{'service':>8}  {'start':>8}  {'end':>8}  {'last week':>10}  entries")
    for service, f in figures.items():
        growth = f["last_week_growth_mb"]
        print(f"{service:>8}  {f['start_mb']:7.1f}M  {f['end_mb']:7.1f}M  {growth:+9.1f}M  {f['entries']:,}")
    restart = ingest_restart(per_day // 10 if quick else per_day)
    month = 30 * per_day / restart["marks_per_second"]
    print(
        f"ingest restart: {restart['marks']:,} seen marks read in {restart['seconds']}s "
        f"({restart['marks_per_second']:,}/s): about {month:.0f}s for 30 days of marks"
    )
    return {"days": days, "per_day": per_day, "services": figures, "ingest_restart": restart}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="10 days at 30,000 a day")
    parser.add_argument("--days", type=int, default=40)
    parser.add_argument("--per-day", type=int, default=300_000)
    parser.add_argument("--child", choices=SERVICES, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.days, args.per_day)
    else:
        run(args.quick, args.days, args.per_day)


if __name__ == "__main__":
    main()
