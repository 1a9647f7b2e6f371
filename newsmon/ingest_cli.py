"""Operator commands for ingest: `newsmon feeds status|import-opml|publish` and `newsmon parse-feed`."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

import click
from ruamel.yaml import YAML

from newsmon import runtime
from newsmon.config import load_config
from schemas import FeedSpec, InvalidMessage, decode
from services.ingest.config import IngestOptions
from services.ingest.health import FeedHealth
from services.ingest.parse import ParsedFeed, parse_feed
from streambase.clock import SystemClock
from streambase.yamlconf import ConfigError


@click.group("feeds")
def feeds_group() -> None:
    """Feed list and feed health: status table, OPML import, publishing the list to running replicas."""


# --- feeds status -------------------------------------------------------------------------------------
@feeds_group.command("status")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per feed instead of a table.")
@click.option("--failing", is_flag=True, help="Only feeds whose last poll failed.")
def feeds_status(as_json: bool, failing: bool) -> None:
    """Show each feed's last poll, as the ingest replicas report it to the feed health topic.

    \b
    Example:
      newsmon feeds status --failing
    """
    from streambase.kafka import make_consumer
    from streambase.tables import read_compacted
    from streambase.topics import Topics

    rt = runtime.start("feeds")
    config = runtime.load_or_exit(rt)
    _require_kafka(rt.kafka.bootstrap_servers)
    consumer = make_consumer(rt.kafka, "newsmon-feeds-status", None)
    try:
        raw = read_compacted(consumer, Topics.from_settings(rt.kafka).feed_health)
    finally:
        consumer.close()
    records = _decode_health(raw)
    rows: list[tuple[FeedSpec | None, FeedHealth | None]] = [(f, records.get(f.id)) for f in config.feeds]
    rows += [(None, h) for fid, h in sorted(records.items()) if fid not in {f.id for f in config.feeds}]
    if failing:
        rows = [(f, h) for f, h in rows if h is None or h.consecutive_failures > 0]
    if as_json:
        for feed, health in rows:
            click.echo(json.dumps(_status_object(feed, health)))
    else:
        click.echo(render_status(rows, SystemClock().now()))


def _require_kafka(servers: list[str]) -> None:
    from streambase.broker import reachable

    if not reachable(servers):
        raise click.ClickException(
            f"no Kafka broker answers at {','.join(servers)}; "
            "set NEWSMON_KAFKA_BOOTSTRAP, or start one with make kafka-start"
        )


def _decode_health(raw: dict[str, bytes | None]) -> dict[str, FeedHealth]:
    records: dict[str, FeedHealth] = {}
    for feed_id, value in raw.items():
        if value is None:
            continue
        try:
            records[feed_id] = decode(FeedHealth, value)
        except InvalidMessage as exc:
            click.echo(f"warning: unreadable health record for {feed_id}: {exc}", err=True)
    return records


def _status_object(feed: FeedSpec | None, health: FeedHealth | None) -> dict[str, object]:
    base: dict[str, object] = {"feed_id": feed.id if feed else health.feed_id if health else None}
    base["configured"] = feed is not None
    if health is not None:
        base |= health.model_dump(mode="json", exclude={"schema_version", "feed_id"})
    return base


def _age(moment: datetime | None, now: datetime) -> str:
    if moment is None:
        return "never"
    seconds = int((now - moment).total_seconds())
    sign, seconds = ("in " if seconds < 0 else ""), abs(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            text = f"{seconds // size}{unit}"
            return sign + text if sign else text + " ago"
    return sign + f"{seconds}s" if sign else f"{seconds}s ago"


ERROR_WIDTH = 120
"""The last column: room for a whole refusal ("refused at redirect 1: ... set ingest.allow_private_networks
to allow it"), still cut where an error runs on."""


def render_status(rows: list[tuple[FeedSpec | None, FeedHealth | None]], now: datetime) -> str:
    """The status table: one line per feed, failing feeds first, then by id."""
    header = (
        "FEED",
        "LAST POLL",
        "OUTCOME",
        "HTTP",
        "LAST SUCCESS",
        "FAILS",
        "ITEMS",
        "NEW",
        "NEXT",
        "REPLICA",
        "LAST ERROR",
    )
    lines: list[tuple[str, ...]] = []
    order = sorted(rows, key=lambda r: (-(r[1].consecutive_failures if r[1] else 1), _row_id(r)))
    for feed, health in order:
        fid = _row_id((feed, health)) + ("" if feed else " (not configured)")
        if health is None:
            lines.append((fid, "never", "-", "-", "never", "-", "-", "-", "-", "-", "not polled yet"))
            continue
        lines.append(
            (
                fid,
                _age(health.last_poll_at, now),
                health.last_outcome,
                str(health.last_status or "-"),
                _age(health.last_success_at, now),
                str(health.consecutive_failures),
                str(health.items_seen),
                str(health.new_articles),
                _age(health.next_poll_at, now) if health.next_poll_at else "-",
                health.instance,
                (health.last_error or "")[:ERROR_WIDTH] if health.consecutive_failures else "",
            )
        )
    widths = [max(len(row[i]) for row in [header, *lines]) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in [header, *lines]
    )


def _row_id(row: tuple[FeedSpec | None, FeedHealth | None]) -> str:
    feed, health = row
    return feed.id if feed else health.feed_id if health else "?"


# --- feeds import-opml --------------------------------------------------------------------------------
@feeds_group.command("import-opml")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Feeds YAML file to append to (default: the file named by `feeds:` in the config).",
)
@click.option("--dry-run", is_flag=True, help="Print the entries that would be added; change nothing.")
def feeds_import_opml(file: Path, output: Path | None, dry_run: bool) -> None:
    """Add the feeds of an OPML FILE to the feed list; feeds already configured are skipped.

    Ids are made from the feed titles; folder names become tags. The result is validated like
    `newsmon config check`, and the file is left as it was if anything is wrong.

    \b
    Example:
      newsmon feeds import-opml subscriptions.opml --dry-run
      newsmon feeds import-opml subscriptions.opml && newsmon feeds publish
    """
    from services.ingest.opml import OpmlError, parse_opml, to_yaml

    rt = runtime.start("feeds")
    config = runtime.load_or_exit(rt)
    try:
        imported = parse_opml(file.read_bytes(), (f.id for f in config.feeds), (f.url for f in config.feeds))
    except OpmlError as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    for reason in imported.skipped:
        click.echo(f"skipped {reason}", err=True)
    text = to_yaml(imported.feeds)
    if dry_run or not imported.feeds:
        click.echo(text, nl=False)
        click.echo(f"{len(imported.feeds)} feeds to add, {len(imported.skipped)} skipped", err=True)
        return
    target = output or _feeds_file(rt.runtime.config)
    _append_validated(target, text, rt.runtime.config)
    click.echo(f"added {len(imported.feeds)} feeds to {target} ({len(imported.skipped)} skipped)")


def _feeds_file(config_path: Path) -> Path:
    data = YAML(typ="safe").load(config_path.read_text(encoding="utf-8")) or {}
    name = data.get("feeds") if isinstance(data, dict) else None
    if not isinstance(name, str):
        raise click.ClickException(
            f"{config_path} lists its feeds inline; use --output FILE, or --dry-run and paste the entries"
        )
    return config_path.parent / name


def _append_validated(target: Path, text: str, config_path: Path) -> None:
    before = target.read_text(encoding="utf-8") if target.exists() else ""
    if before.strip() in ("[]", "[ ]"):
        before = ""
    glue = "" if not before or before.endswith("\n") else "\n"
    target.write_text(before + glue + text, encoding="utf-8")
    try:
        load_config(config_path)
    except ConfigError as exc:
        target.write_text(before, encoding="utf-8")
        raise click.ClickException(
            f"the imported feeds do not validate; {target} is unchanged:\n{exc}"
        ) from None


# --- feeds publish ------------------------------------------------------------------------------------
@feeds_group.command("publish")
def feeds_publish() -> None:
    """Publish the configured feed list to the feeds topic now; running replicas pick it up at once.

    Replicas also publish it when they start, so this is only needed to apply an edit without a restart.
    """
    from services.ingest import feedlist
    from streambase.kafka import create_pipeline_topics, make_consumer, make_producer
    from streambase.topics import Topics

    rt = runtime.start("feeds")
    config = runtime.load_or_exit(rt)
    _require_kafka(rt.kafka.bootstrap_servers)
    create_pipeline_topics(rt.kafka)
    producer = make_producer(rt.kafka, "newsmon-feeds-publish")
    try:
        changes = feedlist.publish(
            producer,
            lambda: make_consumer(rt.kafka, "newsmon-feeds-publish", None),
            Topics.from_settings(rt.kafka).feeds,
            config.feeds,
        )
    finally:
        producer.close(timeout=10)
    click.echo(
        f"feed list published: {len(changes.upserts)} added or changed, {len(changes.removals)} removed"
    )


# --- parse-feed ---------------------------------------------------------------------------------------
@click.command("parse-feed")
@click.argument("source")
@click.option("--feed-id", default="cli", show_default=True, help="Feed id written into the articles.")
@click.option("--outlet", default=None, help="Outlet name (default: the feed's own title).")
@click.option("--language", default=None, help="Language to record, e.g. en (default: what the feed says).")
@click.option("--base-url", default=None, help="URL that relative links in a FILE are relative to.")
def parse_feed_command(
    source: str, feed_id: str, outlet: str | None, language: str | None, base_url: str | None
) -> None:
    """Fetch (or read) SOURCE, a URL or a file, and print its normalised articles as JSON lines.

    Runs exactly what the ingest service runs, without Kafka: the same fetcher with the same limits, the same
    parser and normaliser. What went wrong, if anything, goes to stderr; the exit code is 1 when the feed
    could not be fetched or parsed.

    \b
    Example:
      newsmon parse-feed https://feeds.bbci.co.uk/news/world/rss.xml | head -3
      newsmon parse-feed saved-feed.xml --outlet "Saved copy"
    """
    clock = SystemClock()
    is_url = source.lower().startswith(("http://", "https://"))
    try:
        spec = FeedSpec(
            id=feed_id,
            url=source if is_url else (base_url or "http://localhost/"),
            outlet=outlet or "-",
            language=language,
        )
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    if is_url:
        body, content_type, final_url = _fetch_or_exit(source)
    else:
        try:
            body, content_type, final_url = Path(source).read_bytes(), None, base_url or ""
        except OSError as exc:
            raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None
    parsed = parse_feed(body, spec, clock.now(), final_url, content_type)
    if outlet is None and parsed.title:
        spec = spec.model_copy(update={"outlet": parsed.title})
        parsed = parse_feed(body, spec, clock.now(), final_url, content_type)
    out = sys.stdout
    for article in parsed.articles:
        out.write(article.model_dump_json() + "\n")
    _report(parsed)


def _fetch_or_exit(url: str) -> tuple[bytes, str | None, str]:
    from services.ingest.fetch import Fetcher

    async def go() -> tuple[bytes, str | None, str]:
        async with Fetcher(_ingest_options()) as fetcher:
            result = await fetcher.fetch(url)
        if not result.ok:
            raise click.ClickException(f"{url}: {result.outcome}: {result.error or result.status}")
        if result.redirects:
            click.echo(f"redirected {result.redirects} time(s) to {result.url}", err=True)
        return result.body, result.content_type, result.url

    return asyncio.run(go())


def _ingest_options() -> IngestOptions:
    """The config's fetch limits and User-Agent when the config loads, so this fetches as the service does."""
    from streambase.settings import RuntimeSettings

    try:
        return load_config(RuntimeSettings().config).ingest
    except (ConfigError, OSError, ValueError):
        return IngestOptions()


def _report(parsed: ParsedFeed) -> None:
    summary = (
        f"{parsed.outcome}: {parsed.entries} entries, {len(parsed.articles)} articles, "
        f"{parsed.duplicates} duplicates, {parsed.skipped} skipped"
    )
    if parsed.problem:
        summary += f" ({'malformed but usable' if parsed.outcome == 'ok' else 'problem'}: {parsed.problem})"
    click.echo(summary, err=True)
    if parsed.outcome != "ok":
        sys.exit(1)
