"""Grafana dashboards as code: Overview, Escalation, Feeds, Delivery; written to deploy/grafana/dashboards/.

The panels are plain data (`DashboardSpec`, `PanelSpec`) so tests can walk every PromQL expression; the
grafana-foundation-sdk builders turn them into Grafana's JSON. Queries use only the metric names of the
shared contract, and every one filters on the `$instance` variable (and `$topic` where topics apply).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import click

try:
    from grafana_foundation_sdk.builders import bargauge, dashboard, prometheus, stat, table, timeseries
    from grafana_foundation_sdk.builders import common as common_builders
    from grafana_foundation_sdk.cog.builder import Builder
    from grafana_foundation_sdk.cog.encoder import JSONEncoder
    from grafana_foundation_sdk.models import common
    from grafana_foundation_sdk.models import dashboard as model
    from grafana_foundation_sdk.models.prometheus import PromQueryFormat
except ImportError as exc:  # only the generator needs it; running services never import this module
    raise click.ClickException("generating dashboards needs the dev tools: pip install -e '.[dev]'") from exc

DASHBOARD_DIR = Path(__file__).resolve().parents[1] / "deploy" / "grafana" / "dashboards"
DATASOURCE = model.DataSourceRef(type_val="prometheus", uid="${datasource}")
INSTANCE = 'instance=~"$instance"'
TOPIC = 'topic=~"$topic"'
LAG = '{__name__=~"newsmon_(ingest|classify|alert)_consumer_lag_messages", ' + INSTANCE + "}"
RATE = "$__rate_interval"
PanelKind = Literal["timeseries", "stat", "table", "bargauge"]
PIPELINE_ALERTS = 'ALERTS{alertname=~"Newsmon.*", alertstate="firing"}'
"""Shown as annotations on every time series: when a pipeline alert (deploy/prometheus/rules) was firing."""


@dataclass(frozen=True)
class Query:
    expr: str
    legend: str = ""
    instant: bool = False


@dataclass(frozen=True)
class Columns:
    """A table whose instant queries are joined on their labels, one row per label set: the fields shown
    (labels, or `Value #A` for query A's value) in order with their headers, and the numeric label the
    rows are sorted by."""

    shown: tuple[tuple[str, str], ...]
    sort_by: str


@dataclass(frozen=True)
class PanelSpec:
    title: str
    description: str
    queries: tuple[Query, ...]
    unit: str = "short"
    kind: PanelKind = "timeseries"
    width: int = 12
    height: int = 8
    stacked: bool = False
    columns: Columns | None = None


@dataclass(frozen=True)
class Row:
    title: str
    panels: tuple[PanelSpec, ...]


@dataclass(frozen=True)
class DashboardSpec:
    uid: str
    title: str
    description: str
    rows: tuple[Row, ...]
    topic_variable: bool = False
    tags: tuple[str, ...] = field(default=("newsmon",))

    @property
    def panels(self) -> list[PanelSpec]:
        return [panel for row in self.rows for panel in row.panels]


def quantiles(metric: str, by: str = "", qs: Sequence[float] = (0.5, 0.95, 0.99)) -> tuple[Query, ...]:
    """histogram_quantile queries for a `_seconds` histogram, one per quantile."""
    group = f"le, {by}" if by else "le"
    suffix = f" {{{{{by}}}}}" if by else ""
    return tuple(
        Query(
            f"histogram_quantile({q}, sum by ({group}) (rate({metric}_bucket{{{INSTANCE}}}[{RATE}])))",
            f"p{round(q * 100)}{suffix}",
        )
        for q in qs
    )


def per_minute(metric: str, by: str = "", selector: str = "") -> str:
    labels = ", ".join(s for s in (selector, INSTANCE) if s)
    group = f" by ({by})" if by else ""
    return f"sum{group} (rate({metric}{{{labels}}}[{RATE}])) * 60"


def last_hour(metric: str, by: str, selector: str = "") -> str:
    labels = ", ".join(s for s in (selector, INSTANCE) if s)
    return f"sum by ({by}) (increase({metric}{{{labels}}}[1h]))"


GROWING = "rank, story, headline, topic"
"""Labels of the story stage's growth gauges: one series per story among the ten fastest-growing."""


def growing(metric: str) -> Query:
    return Query(f"max by ({GROWING}) ({metric}{{{TOPIC}, {INSTANCE}}})", instant=True)


OVERVIEW = DashboardSpec(
    uid="newsmon-overview",
    title="newsmon / Overview",
    description="Is the pipeline moving? Throughput per stage, lag, alerts, how long news takes to arrive.",
    rows=(
        Row(
            "Pipeline",
            (
                PanelSpec(
                    "Replicas up and ready",
                    "Scraped replicas answering per service (Prometheus `up`), and how many are ready to "
                    "work (`newsmon_<service>_ready`: connected, partitions assigned, keeping up).",
                    (
                        Query(
                            f'sum by (job) (up{{job=~"newsmon-(ingest|classify|alert)", {INSTANCE}}})',
                            "{{job}} up",
                        ),
                        Query(
                            'sum by (job) ({__name__=~"newsmon_(ingest|classify|alert)_ready", '
                            + INSTANCE
                            + "})",
                            "{{job}} ready",
                        ),
                    ),
                    kind="stat",
                    width=8,
                    height=5,
                ),
                PanelSpec(
                    "Dead letters (last hour)",
                    "Messages a service could not use; the dead-letter topic holds them with the reason.",
                    (
                        Query(
                            'sum by (job) (increase({__name__=~"newsmon_(classify|alert)_deadletter_total", '
                            + INSTANCE
                            + "}[1h]))",
                            "{{job}}",
                        ),
                    ),
                    kind="stat",
                    width=8,
                    height=5,
                ),
                PanelSpec(
                    "Running versions",
                    "Version of every replica; exported_instance is its NEWSMON_INSTANCE name.",
                    (
                        Query(
                            "max by (job, instance, exported_instance, version) "
                            '({__name__=~"newsmon_(ingest|classify|alert)_build_info", ' + INSTANCE + "})",
                            instant=True,
                        ),
                    ),
                    kind="table",
                    width=8,
                    height=5,
                ),
                PanelSpec(
                    "Articles per minute by stage",
                    "Articles produced by ingest, classified by classify, notifications delivered by alert.",
                    (
                        Query(per_minute("newsmon_ingest_articles_produced_total"), "ingested"),
                        Query(
                            per_minute("newsmon_classify_articles_total", selector='outcome="classified"'),
                            "classified",
                        ),
                        Query(
                            per_minute("newsmon_alert_notifications_total", selector='outcome="delivered"'),
                            "notifications delivered",
                        ),
                    ),
                    unit="short",
                ),
                PanelSpec(
                    "Consumer lag by service and topic",
                    "Messages waiting per consuming service; growing lag: the stage needs more replicas.",
                    (Query(f"sum by (job, topic) ({LAG})", "{{job}} {{topic}}"),),
                ),
                PanelSpec(
                    "Alerts fired per hour by severity",
                    "News alerts raised by the rules (not pipeline alerts).",
                    (Query(last_hour("newsmon_alert_alerts_fired_total", "severity"), "{{severity}}"),),
                    stacked=True,
                ),
                PanelSpec(
                    "End-to-end latency: first article fetched to alert delivered",
                    "How long the desk waits for news: percentiles of the end-to-end latency histogram.",
                    quantiles("newsmon_alert_end_to_end_latency_seconds"),
                    unit="s",
                ),
                PanelSpec(
                    "Stage latency (p95)",
                    "Fetched to classified (classify), and alert fired to delivered (alert).",
                    (
                        *quantiles("newsmon_classify_stage_latency_seconds", qs=(0.95,)),
                        *quantiles("newsmon_alert_delivery_latency_seconds", qs=(0.95,)),
                    ),
                    unit="s",
                ),
                PanelSpec(
                    "Classify outcomes per minute",
                    "Classified, duplicate (already seen) and invalid (dead-lettered) articles.",
                    (Query(per_minute("newsmon_classify_articles_total", by="outcome"), "{{outcome}}"),),
                    stacked=True,
                ),
            ),
        ),
    ),
)

ESCALATION = DashboardSpec(
    uid="newsmon-escalation",
    title="newsmon / Escalation",
    description="How escalation develops per conflict topic: latest window's index, signals and sources.",
    topic_variable=True,
    rows=(
        Row(
            "Escalation",
            (
                PanelSpec(
                    "Escalation index per topic",
                    "Escalation index of each topic's latest closed window.",
                    (
                        Query(
                            f"max by (topic) (newsmon_classify_escalation_index{{{TOPIC}, {INSTANCE}}})",
                            "{{topic}}",
                        ),
                    ),
                    width=16,
                ),
                PanelSpec(
                    "Escalation index now",
                    "Latest value per topic, highest first.",
                    (
                        Query(
                            "sort_desc(max by (topic) "
                            f"(newsmon_classify_escalation_index{{{TOPIC}, {INSTANCE}}}))",
                            "{{topic}}",
                            instant=True,
                        ),
                    ),
                    kind="bargauge",
                    width=8,
                ),
                PanelSpec(
                    "Signals per hour by topic",
                    "Escalation signals found in articles, per conflict topic.",
                    (
                        Query(
                            last_hour("newsmon_classify_signals_total", "topic", TOPIC),
                            "{{topic}}",
                        ),
                    ),
                    stacked=True,
                ),
                PanelSpec(
                    "Signals per hour by kind",
                    "Which escalation signals drive the topics selected above.",
                    (
                        Query(
                            last_hour("newsmon_classify_signals_total", "signal", TOPIC),
                            "{{signal}}",
                        ),
                    ),
                    stacked=True,
                ),
                PanelSpec(
                    "Articles in the latest window per topic",
                    "How much coverage each topic's latest closed window had.",
                    (
                        Query(
                            f"max by (topic) (newsmon_classify_window_articles{{{TOPIC}, {INSTANCE}}})",
                            "{{topic}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Distinct sources reporting (last hour)",
                    "Feeds with at least one new article in the last hour: how widely news is corroborated.",
                    (
                        Query(
                            "count(sum by (feed) (increase(newsmon_ingest_articles_produced_total{"
                            + INSTANCE
                            + "}[1h])) > 0) or vector(0)",
                            "sources",
                        ),
                    ),
                ),
                PanelSpec(
                    "Fastest-growing stories (last hour)",
                    "The ten stories that gained the most outlets in the last hour (then independent "
                    "reports): new outlets, new independent reports (copies of a wire story count once), "
                    "and growth, those reports against the hour before (what a story rule's growth "
                    "compares). From the story stage; the topic is the one its reports named most.",
                    (
                        growing("newsmon_classify_story_growth"),
                        growing("newsmon_classify_story_growth_reports"),
                        growing("newsmon_classify_story_growth_ratio"),
                    ),
                    kind="table",
                    width=24,
                    height=10,
                    columns=Columns(
                        (
                            ("rank", "rank"),
                            ("headline", "headline"),
                            ("topic", "topic"),
                            ("Value #A", "new outlets"),
                            ("Value #B", "new reports"),
                            ("Value #C", "growth"),
                        ),
                        sort_by="rank",
                    ),
                ),
                PanelSpec(
                    "Alerts fired per hour by rule",
                    "Which alert rules the escalation triggered.",
                    (Query(last_hour("newsmon_alert_alerts_fired_total", "rule"), "{{rule}}"),),
                    stacked=True,
                    width=24,
                ),
            ),
        ),
    ),
)

FEEDS = DashboardSpec(
    uid="newsmon-feeds",
    title="newsmon / Feeds",
    description="Health of every feed: failures in a row, last success, errors by reason and fetch latency.",
    rows=(
        Row(
            "Feed health",
            (
                PanelSpec(
                    "Failures in a row per feed",
                    "0 is healthy; the NewsmonFeedFailing alert fires at 3 for 15 minutes.",
                    (
                        Query(
                            "sort_desc(max by (feed) (newsmon_ingest_feed_consecutive_failures{"
                            + INSTANCE
                            + "}))",
                            "{{feed}}",
                            instant=True,
                        ),
                    ),
                    kind="bargauge",
                ),
                PanelSpec(
                    "Time since last successful poll per feed",
                    "Feeds that have never succeeded are not listed; see failures in a row.",
                    (
                        Query(
                            "sort_desc(time() - max by (feed) "
                            f"(newsmon_ingest_feed_last_success_timestamp_seconds{{{INSTANCE}}} > 0))",
                            "{{feed}}",
                            instant=True,
                        ),
                    ),
                    unit="s",
                    kind="bargauge",
                ),
                PanelSpec(
                    "Polls per minute by outcome",
                    "ok and not_modified are healthy; everything else is an error with its reason.",
                    (Query(per_minute("newsmon_ingest_polls_total", by="outcome"), "{{outcome}}"),),
                    stacked=True,
                ),
                PanelSpec(
                    "Errors per hour by feed and reason",
                    "Failed polls by outcome (http_error, timeout, too_large, parse_error, not_a_feed, ...).",
                    (
                        Query(
                            last_hour(
                                "newsmon_ingest_polls_total", "feed, outcome", 'outcome!~"ok|not_modified"'
                            ),
                            "{{feed}} {{outcome}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Fetch latency",
                    "Time to fetch a feed over HTTP.",
                    quantiles("newsmon_ingest_fetch_duration_seconds"),
                    unit="s",
                ),
                PanelSpec(
                    "Parse latency",
                    "Time to parse and normalise a fetched feed.",
                    quantiles("newsmon_ingest_parse_duration_seconds"),
                    unit="s",
                ),
                PanelSpec(
                    "Articles produced per hour by feed",
                    "New articles each feed contributed.",
                    (Query(last_hour("newsmon_ingest_articles_produced_total", "feed"), "{{feed}}"),),
                    stacked=True,
                ),
                PanelSpec(
                    "Downloaded per minute",
                    "Bytes fetched from feeds; 304 Not Modified answers cost none.",
                    (Query(per_minute("newsmon_ingest_fetched_bytes_total"), "bytes"),),
                    unit="bytes",
                ),
                PanelSpec(
                    "Duplicates skipped and produce errors per minute",
                    "Articles already produced earlier, and failed produce attempts by reason.",
                    (
                        Query(per_minute("newsmon_ingest_duplicates_skipped_total"), "duplicates skipped"),
                        Query(
                            per_minute("newsmon_ingest_produce_errors_total", by="reason"),
                            "produce error {{reason}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Feeds and pending articles per replica",
                    "Feeds assigned to each ingest replica, and articles waiting to be produced.",
                    (
                        Query(
                            f"sum by (instance) (newsmon_ingest_feeds_assigned{{{INSTANCE}}})",
                            "feeds {{instance}}",
                        ),
                        Query(
                            f"sum by (instance) (newsmon_ingest_pending_articles{{{INSTANCE}}})",
                            "pending {{instance}}",
                        ),
                    ),
                ),
            ),
        ),
    ),
)

DELIVERY = DashboardSpec(
    uid="newsmon-delivery",
    title="newsmon / Delivery",
    description="Whether alerts reach the desk: notifications by receiver and outcome, pending, retries.",
    rows=(
        Row(
            "Notifications",
            (
                PanelSpec(
                    "Notifications per minute by receiver and outcome",
                    "delivered, retried (a retryable failure; tried again) and failed (gave up).",
                    (
                        Query(
                            per_minute("newsmon_alert_notifications_total", by="receiver, outcome"),
                            "{{receiver}} {{outcome}}",
                        ),
                    ),
                    stacked=True,
                ),
                PanelSpec(
                    "Retries and failures per hour by reason",
                    "Why deliveries were retried or failed, per receiver.",
                    (
                        Query(
                            last_hour(
                                "newsmon_alert_notifications_total",
                                "receiver, outcome, reason",
                                'outcome=~"retried|failed"',
                            ),
                            "{{receiver}} {{outcome}} {{reason}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Pending deliveries",
                    "Notifications waiting to be sent or retried, per alert replica.",
                    (
                        Query(
                            f"sum by (instance) (newsmon_alert_pending_deliveries{{{INSTANCE}}})",
                            "{{instance}}",
                        ),
                    ),
                ),
                PanelSpec(
                    "Delivery latency: alert fired to delivered",
                    "Includes grouping waits and retries.",
                    quantiles("newsmon_alert_delivery_latency_seconds"),
                    unit="s",
                ),
                PanelSpec(
                    "Alerts fired per hour by rule and severity",
                    "What the rules raised.",
                    (
                        Query(
                            last_hour("newsmon_alert_alerts_fired_total", "rule, severity"),
                            "{{rule}} {{severity}}",
                        ),
                    ),
                    stacked=True,
                ),
                PanelSpec(
                    "Suppressed per hour by reason",
                    "Notifications not sent on purpose: grouped, within repeat_interval, or duplicate.",
                    (Query(last_hour("newsmon_alert_suppressed_total", "reason"), "{{reason}}"),),
                    stacked=True,
                ),
                PanelSpec(
                    "Silenced per hour by rule",
                    "Alerts matched by a silence.",
                    (Query(last_hour("newsmon_alert_silenced_total", "rule"), "{{rule}}"),),
                    stacked=True,
                ),
                PanelSpec(
                    "Alert service dead letters per hour by reason",
                    "Messages the alert service could not use.",
                    (Query(last_hour("newsmon_alert_deadletter_total", "reason"), "{{reason}}"),),
                ),
            ),
        ),
    ),
)

DASHBOARDS: dict[str, DashboardSpec] = {
    "overview": OVERVIEW,
    "escalation": ESCALATION,
    "feeds": FEEDS,
    "delivery": DELIVERY,
}


def _target(query: Query, ref_id: str, table_format: bool = False) -> prometheus.Dataquery:
    target = prometheus.Dataquery().expr(query.expr).ref_id(ref_id).datasource(DATASOURCE)
    if query.legend:
        target = target.legend_format(query.legend)
    if table_format:
        target = target.format(PromQueryFormat.TABLE)
    return target.instant() if query.instant else target.range()


def _joined(columns: Columns) -> list[model.DataTransformerConfig]:
    """Grafana transformations that join table-format queries into rows and show `columns`."""
    fields = [field for field, _ in columns.shown]
    steps: list[tuple[str, object]] = [
        ("merge", {}),
        ("filterFieldsByName", {"include": {"names": fields}}),
        (
            "convertFieldType",
            {"conversions": [{"targetField": columns.sort_by, "destinationType": "number"}], "fields": {}},
        ),
        ("sortBy", {"fields": {}, "sort": [{"field": columns.sort_by, "desc": False}]}),
        (
            "organize",
            {
                "excludeByName": {},
                "indexByName": {field: index for index, field in enumerate(fields)},
                "renameByName": {field: header for field, header in columns.shown if field != header},
            },
        ),
    ]
    return [model.DataTransformerConfig(id_val=step, options=options) for step, options in steps]


def _panel(spec: PanelSpec, panel_id: int) -> Builder[model.Panel]:
    builder: timeseries.Panel | stat.Panel | table.Panel | bargauge.Panel
    if spec.kind == "stat":
        last = common_builders.ReduceDataOptions().calcs(["lastNotNull"])
        builder = stat.Panel().graph_mode(common.BigValueGraphMode.AREA).reduce_options(last)
    elif spec.kind == "table":
        builder = table.Panel()
        if spec.columns is not None:
            builder = builder.transformations(_joined(spec.columns))
    elif spec.kind == "bargauge":
        last = common_builders.ReduceDataOptions().calcs(["lastNotNull"])
        builder = bargauge.Panel().orientation(common.VizOrientation.HORIZONTAL).reduce_options(last)
    else:
        builder = timeseries.Panel().fill_opacity(10).line_width(1)
        if spec.stacked:
            builder = builder.stacking(common_builders.StackingConfig().mode(common.StackingMode.NORMAL))
    builder = builder.id(panel_id).title(spec.title).description(spec.description).unit(spec.unit)
    builder = builder.datasource(DATASOURCE).span(spec.width).height(spec.height)
    for index, query in enumerate(spec.queries):
        builder = builder.with_target(_target(query, chr(ord("A") + index), spec.columns is not None))
    return builder


def _variables(spec: DashboardSpec) -> list[dashboard.DatasourceVariable | dashboard.QueryVariable]:
    source = dashboard.DatasourceVariable("datasource").label("Data source").type("prometheus")
    instance = _query_variable(
        "instance", "Instance", 'label_values(up{job=~"newsmon-(ingest|classify|alert)"}, instance)'
    )
    if not spec.topic_variable:
        return [source, instance]
    topic = _query_variable("topic", "Topic", "label_values(newsmon_classify_escalation_index, topic)")
    return [source, instance, topic]


def _query_variable(name: str, label: str, query: str) -> dashboard.QueryVariable:
    return (
        dashboard.QueryVariable(name)
        .label(label)
        .query(query)
        .datasource(DATASOURCE)
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .refresh(model.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(model.VariableSort.ALPHABETICAL_ASC)
        .current(model.VariableOption(selected=True, text="All", value="$__all"))
    )


def build(spec: DashboardSpec) -> model.Dashboard:
    builder = (
        dashboard.Dashboard(spec.title)
        .uid(spec.uid)
        .description(spec.description)
        .tags(list(spec.tags))
        .refresh("30s")
        .time("now-6h", "now")
        .timezone("browser")
        .tooltip(model.DashboardCursorSync.CROSSHAIR)
        .variables(_variables(spec))  # type: ignore[arg-type]
        .annotation(
            dashboard.AnnotationQuery()
            .name("Pipeline alerts")
            .datasource(DATASOURCE)
            .expr(PIPELINE_ALERTS)
            .enable(True)
            .icon_color("red")
        )
        .link(
            dashboard.DashboardLink("newsmon")
            .type(model.DashboardLinkType.DASHBOARDS)
            .tags(["newsmon"])
            .as_dropdown(True)
            .include_vars(True)
            .keep_time(True)
        )
    )
    panel_id = 0
    for row in spec.rows:
        panel_id += 1
        builder = builder.with_row(dashboard.Row(row.title).id(panel_id))
        for panel in row.panels:
            panel_id += 1
            builder = builder.with_panel(_panel(panel, panel_id))
    return builder.build()


def render(spec: DashboardSpec) -> str:
    """The dashboard's JSON exactly as committed: sorted keys, two-space indent, final newline."""
    encoded = json.dumps(build(spec), cls=JSONEncoder, sort_keys=True, indent=2)
    return encoded + "\n"


def stale(directory: Path) -> list[str]:
    """Names of dashboards whose committed JSON differs from what the code generates."""
    return [
        name
        for name, spec in DASHBOARDS.items()
        if not (directory / f"{name}.json").is_file()
        or (directory / f"{name}.json").read_text(encoding="utf-8") != render(spec)
    ]


@click.group("dashboards")
def dashboards_group() -> None:
    """Grafana dashboards generated from code (deploy/grafana/dashboards/)."""


@dashboards_group.command("generate")
@click.option("--check", is_flag=True, help="Write nothing; fail if a committed dashboard is stale.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=DASHBOARD_DIR,
    show_default=True,
    help="Directory of the dashboard JSON files.",
)
def generate_command(check: bool, out: Path) -> None:
    """Write every dashboard as Grafana JSON (or, with --check, verify the committed ones)."""
    if check:
        outdated = stale(out)
        if outdated:
            raise click.ClickException(
                f"stale dashboards: {', '.join(outdated)}; run `newsmon dashboards generate`"
            )
        click.echo(f"{len(DASHBOARDS)} dashboards are current")
        return
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in DASHBOARDS.items():
        (out / f"{name}.json").write_text(render(spec), encoding="utf-8")
        click.echo(f"wrote {out / f'{name}.json'} ({len(spec.panels)} panels)")


@dashboards_group.command("list")
def list_command() -> None:
    """Each dashboard with its panels."""
    for name, spec in DASHBOARDS.items():
        click.echo(f"{name}: {spec.title} (uid {spec.uid})")
        for panel in spec.panels:
            click.echo(f"  - {panel.title}")
