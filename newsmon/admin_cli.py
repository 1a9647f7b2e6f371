"""Operator commands that need no running service: topics, config and schema checks."""

from __future__ import annotations

from pathlib import Path

import click

from newsmon import runtime
from streambase.topics import Topics


@click.group("topics")
def topics_group() -> None:
    """Create or list the pipeline's Kafka topics (names start with NEWSMON_KAFKA_TOPIC_PREFIX)."""


@topics_group.command("ensure")
def topics_ensure() -> None:
    """Create missing topics with the configured partitions and retention; services also do this at start."""
    from streambase.kafka import create_pipeline_topics

    rt = runtime.start("topics")
    created = create_pipeline_topics(rt.kafka)
    click.echo(
        f"created {len(created)} topic(s)" + (": " + ", ".join(created) if created else "; all present")
    )


@topics_group.command("list")
def topics_list() -> None:
    """Show each pipeline topic with its key, schema and retention."""
    rt = runtime.start("topics")
    for name, spec in Topics.from_settings(rt.kafka).all().items():
        retention = "compacted" if spec.compacted else f"{(spec.retention_ms or 0) // 86_400_000}d"
        click.echo(
            f"{name:<32} key={spec.key:<20} value={spec.value.__name__:<18} {retention:<10} {spec.purpose}"
        )


@click.group("config")
def config_group() -> None:
    """Validate configuration files."""


@config_group.command("check")
@click.argument("path", required=False, type=click.Path(path_type=Path))
def config_check(path: Path | None) -> None:
    """Validate PATH (default: NEWSMON_CONFIG or config/newsmon.yaml) and every file it includes.

    Named receivers are checked against this environment too: run it where the alert service runs, with
    its variables, to see that every secret a receiver names is set."""
    rt = runtime.start("config")
    config = runtime.load_or_exit(rt, path)
    runtime.check_receivers(runtime.alert_settings(rt, config.receivers), config, path)
    receivers = f", {len(config.receivers)} receivers" if config.receivers else ""
    packs = f", language packs: {', '.join(sorted(config.packs))}" if config.packs else ""
    click.echo(
        f"{path or rt.runtime.config}: OK ({len(config.feeds)} feeds, "
        f"{len(config.taxonomy.topics)} topics, {len(config.taxonomy.signals)} signals, "
        f"{len(config.rules)} rules{receivers}{packs})"
    )


@click.group("schemas")
def schemas_group() -> None:
    """JSON Schema files for every message, in schemas/json/."""


@schemas_group.command("export")
@click.option("--check", is_flag=True, help="Write nothing; fail if the files are not current.")
def schemas_export(check: bool) -> None:
    """Write (or with --check, verify) the JSON Schema of every message."""
    from schemas import export

    if check:
        stale = export.stale_files()
        if stale:
            raise click.ClickException(
                "stale JSON Schemas: " + ", ".join(stale) + "; run `newsmon schemas export`"
            )
        click.echo("JSON Schemas are current")
        return
    for path in export.write():
        click.echo(f"wrote {path}")
