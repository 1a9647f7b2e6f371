"""A real Prometheus scrapes the running services during a short pipeline scenario; then every dashboard
panel's PromQL and every pipeline alert rule is evaluated through Prometheus' HTTP API.

The scenario: a local feed server with one healthy feed whose articles report strikes and an evacuation in
the Iran–Israel conflict, and one broken feed; a real SMTP server and a local Slack webhook as receivers;
one silence. Services that are not part of this build are left out, and the panels that read only their
metrics are skipped with that reason (when ingest is absent, the articles are produced to Kafka directly).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from ruamel.yaml import YAML

from newsmon.dashboards import DASHBOARD_DIR, DASHBOARDS
from newsmon.serve import SERVICES
from schemas import RawArticle, Silence
from streambase.kafka import create_pipeline_topics, make_producer, send_and_wait
from streambase.settings import KafkaSettings
from streambase.topics import Topics
from tests.conftest import REPO
from tests.servers.http_feeds import FeedServer
from tests.unit.deploy.contract import CONTRACT

pytestmark = [pytest.mark.kafka, pytest.mark.slow]

RULES_FILE = REPO / "deploy" / "prometheus" / "rules" / "pipeline.yml"
AVAILABLE = {name for name, entry in SERVICES.items() if entry.available()}
SCRAPE_SECONDS = 1
DATA_TIMEOUT = 150.0
SUBSTITUTIONS = {"$__rate_interval": "30s", "$instance": ".*", "$topic": ".*"}
SERVICE_OF_METRIC = re.compile(r"newsmon_\(?([a-z|]+)\)?_")

ARTICLES = (
    (
        "Missile strikes hit targets as Iran and Israel trade fire",
        "Israeli jets carried out air strikes near Tehran overnight, and Iran answered with missiles fired "
        "towards Israel, officials in both countries said.",
    ),
    (
        "Residents told to evacuate border towns",
        "Israel ordered the evacuation of several towns after Iranian missiles were launched, and Iran "
        "warned of further strikes.",
    ),
    (
        "Second wave of air strikes reported",
        "A second wave of Israeli air strikes struck sites in Iran on Tuesday, according to Iranian media.",
    ),
    (  # a language without a pack: counted as unsupported
        "Nuovo orario dei treni regionali",
        "Da lunedì cambiano gli orari dei treni regionali in tutta la provincia, ha comunicato l'azienda "
        "di trasporto, che invita i viaggiatori a consultare il sito prima di partire.",
    ),
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss(now: datetime) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example/{index}</link>"
        f"<guid>https://news.example/{index}</guid><description>{summary}</description>"
        f"<pubDate>{format_datetime(now - timedelta(seconds=index))}</pubDate></item>"
        for index, (title, summary) in enumerate(ARTICLES)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Test wire</title>'
        f"<link>https://news.example/</link><description>wire</description>{items}</channel></rss>"
    ).encode()


class SlackHook(BaseHTTPRequestHandler):
    """Answers like a Slack incoming webhook."""

    received: list[bytes] = []  # noqa: RUF012 - one hook per test module

    def do_POST(self) -> None:
        self.received.append(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        return


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 OK"


@dataclass
class Process:
    name: str
    args: list[str]
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.args, cwd=REPO, env=self.env, stdout=out, stderr=subprocess.STDOUT
            )
        return self

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines: int = 30) -> str:
        text = self.log.read_text("utf-8", errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class Pipeline:
    prometheus_url: str
    processes: list[Process] = field(default_factory=list)
    metrics_ports: dict[str, int] = field(default_factory=dict)

    def value(self, expr: str) -> float:
        """The single value of an instant query; 0 when it returns nothing."""
        result = self.query(expr)["data"]["result"]
        return float(result[0]["value"][1]) if result else 0.0

    def query(self, expr: str) -> dict[str, Any]:
        url = f"{self.prometheus_url}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                answer: dict[str, Any] = json.load(response)
        except urllib.error.HTTPError as error:
            answer = json.load(error)
        return answer

    def get(self, path: str) -> dict[str, Any]:
        with urllib.request.urlopen(self.prometheus_url + path, timeout=10) as response:
            answer: dict[str, Any] = json.load(response)
        return answer

    def logs(self) -> str:
        return "\n".join(p.tail() for p in self.processes)


def concrete(expr: str) -> str:
    for variable, value in SUBSTITUTIONS.items():
        expr = expr.replace(variable, value)
    return expr


def dashboard_panels() -> list[tuple[str, str, list[str]]]:
    """(dashboard, panel title, PromQL of each target) from the committed JSON Grafana loads."""
    panels = []
    for name in DASHBOARDS:
        board = json.loads((DASHBOARD_DIR / f"{name}.json").read_text("utf-8"))
        for panel in board["panels"]:
            if panel["type"] != "row":
                panels.append((name, panel["title"], [t["expr"] for t in panel["targets"]]))
    return panels


def joined_tables() -> list[tuple[str, str, list[str]]]:
    """(dashboard, panel title, PromQL of each target) of the tables that join their queries row by row."""
    joined = []
    for name in DASHBOARDS:
        board = json.loads((DASHBOARD_DIR / f"{name}.json").read_text("utf-8"))
        for panel in board["panels"]:
            if any(step["id"] == "merge" for step in panel.get("transformations", ())):
                joined.append((name, panel["title"], [t["expr"] for t in panel["targets"]]))
    return joined


def services_read(expr: str) -> set[str]:
    found = set()
    for group in SERVICE_OF_METRIC.findall(expr):
        found.update(s for s in group.split("|") if s in SERVICES)
    return found


def alert_rules() -> list[dict[str, Any]]:
    doc = YAML(typ="safe").load(RULES_FILE.read_text("utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def write_config(directory: Path, feed_url: str, broken_url: str) -> Path:
    """newsmon.yaml for the scenario: quick polls, short trend windows, no grouping delay.

    A trend window must outlast the services' start-up, or the articles arrive after their windows closed.
    """
    shutil.copy(REPO / "config" / "taxonomy.yaml", directory / "taxonomy.yaml")
    (directory / "feeds.yaml").write_text(
        f"- {{id: test-wire, url: '{feed_url}', outlet: Test Wire, language: en, interval: 2s}}\n"
        f"- {{id: broken-wire, url: '{broken_url}', outlet: Broken Wire, language: en, interval: 2s}}\n"
    )
    (directory / "rules.yaml").write_text(
        "- {id: strike_reported, kind: article, title: Strike reported, signals: [military_strike],"
        " severity: high}\n"
        "- {id: evacuation_reported, kind: article, title: Evacuation reported,"
        " signals: [evacuation_notice], severity: medium}\n"
    )
    main = directory / "newsmon.yaml"
    main.write_text(
        "feeds: feeds.yaml\ntaxonomy: taxonomy.yaml\nrules: rules.yaml\n"
        "ingest: {default_interval: 2s, min_interval: 1s, max_interval: 10s, allow_private_networks: true}\n"
        "classify: {window: 60s, window_step: 10s, window_grace: 20s, emit_interval: 1s}\n"
        "alerting: {group_wait: 1s, group_interval: 5s, repeat_interval: 1h}\n"
    )
    return main


def write_prometheus_config(directory: Path, targets: dict[str, int]) -> Path:
    jobs = [
        {"job_name": f"newsmon-{service}", "static_configs": [{"targets": [f"127.0.0.1:{port}"]}]}
        for service, port in targets.items()
    ]
    config = {
        "global": {"scrape_interval": f"{SCRAPE_SECONDS}s", "evaluation_interval": f"{SCRAPE_SECONDS}s"},
        "rule_files": [str(RULES_FILE)],
        "scrape_configs": jobs,
    }
    path = directory / "prometheus.yml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def wait_ready(url: str, timeout: float = 60, process: Process | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.process is not None and process.process.poll() is not None:
            raise AssertionError(f"{process.name} exited with code {process.process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer within {timeout:.0f}s")


def produce_articles(settings: KafkaSettings, now: datetime) -> None:
    """Stands in for ingest when this build has no ingest service."""
    producer = make_producer(settings, "e2e-prometheus")
    try:
        for index, (title, summary) in enumerate(ARTICLES):
            article = RawArticle(
                id=f"e2e-{index}",
                feed_id="test-wire",
                source="Test Wire",
                url=f"https://news.example/{index}",
                title=title,
                summary=summary,
                published_at=now - timedelta(seconds=index),
                fetched_at=now,
                language="en",
            )
            send_and_wait(producer, Topics.from_settings(settings).articles, article.id, article)
    finally:
        producer.close(timeout=10)


def silence_evacuations(settings: KafkaSettings, now: datetime) -> None:
    producer = make_producer(settings, "e2e-prometheus")
    try:
        silence = Silence(
            id="e2e-silence",
            matchers={"rule": "evacuation_reported"},
            starts_at=now - timedelta(minutes=1),
            ends_at=now + timedelta(hours=1),
            comment="scenario: evacuation alerts are muted",
            created_by="e2e",
            created_at=now,
        )
        send_and_wait(producer, Topics.from_settings(settings).silences, silence.id, silence)
    finally:
        producer.close(timeout=10)


def panels_without_data(pipeline: Pipeline) -> list[str]:
    missing = []
    for board, title, exprs in dashboard_panels():
        if services_read(" ".join(exprs)) - AVAILABLE:
            continue
        empty = [e for e in exprs if not pipeline.query(concrete(e)).get("data", {}).get("result")]
        if empty:
            missing.append(f"{board} / {title}: {empty[0]}")
    return missing


SCENARIO = {
    "ingest": [
        ("articles produced", "sum(newsmon_ingest_articles_produced_total)", len(ARTICLES)),
        ("failed polls of the broken feed", 'sum(newsmon_ingest_polls_total{outcome="http_error"})', 1),
    ],
    "classify": [
        ("articles classified", 'sum(newsmon_classify_articles_total{outcome="classified"})', len(ARTICLES)),
        ("strike signals", 'sum(newsmon_classify_signals_total{signal="military_strike"})', 1),
        ("articles without rules", 'sum(newsmon_classify_unsupported_language_total{lang="it"})', 1),
        ("closed trend windows", "count(newsmon_classify_escalation_index)", 1),
    ],
    "alert": [
        ("alerts fired", "sum(newsmon_alert_alerts_fired_total)", 2),
        ("delivered notifications", 'sum(newsmon_alert_notifications_total{outcome="delivered"})', 1),
        ("silenced alerts", "sum(newsmon_alert_silenced_total)", 1),
        ("end-to-end latencies", "sum(newsmon_alert_end_to_end_latency_seconds_count)", 1),
    ],
}


def scenario_pending(pipeline: Pipeline) -> list[str]:
    return [
        what
        for service in AVAILABLE
        for what, expr, at_least in SCENARIO[service]
        if pipeline.value(expr) < at_least
    ]


@pytest.fixture(scope="module")
def pipeline(kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        pytest.fail("prometheus is not installed: run deploy/testtools/install.sh (make test does)")
    if not AVAILABLE:
        pytest.skip("no newsmon service is part of this build yet")
    work = tmp_path_factory.mktemp("prometheus-e2e")
    now = datetime.now(UTC)
    feeds = FeedServer().start()
    feeds.add("/wire.xml", rss(now))
    feeds.status("/broken.xml", 500)
    inbox = Inbox()
    smtp = Controller(inbox, hostname="127.0.0.1", port=free_port())
    smtp.start()
    slack = ThreadingHTTPServer(("127.0.0.1", 0), SlackHook)
    threading.Thread(target=slack.serve_forever, daemon=True).start()

    prefix = f"e2e-{uuid.uuid4().hex[:8]}."
    settings = KafkaSettings(bootstrap=kafka_bootstrap, topic_prefix=prefix, partitions=3)
    create_pipeline_topics(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSMON_")} | {
        "NEWSMON_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "NEWSMON_KAFKA_TOPIC_PREFIX": prefix,
        "NEWSMON_KAFKA_PARTITIONS": "3",
        "NEWSMON_CONFIG": str(write_config(work, feeds.url("/wire.xml"), feeds.url("/broken.xml"))),
        "NEWSMON_STATE_DIR": str(work / "var"),
        "NEWSMON_METRICS_HOST": "127.0.0.1",
        "NEWSMON_SMTP_HOST": "127.0.0.1",
        "NEWSMON_SMTP_PORT": str(smtp.port),
        "NEWSMON_SMTP_SECURITY": "none",
        "NEWSMON_SMTP_RECIPIENTS": "desk@newsroom.example",
        "NEWSMON_SLACK_WEBHOOK_URL": f"http://127.0.0.1:{slack.server_address[1]}/hook",
    }
    ports = {service: free_port() for service in sorted(AVAILABLE)}
    result = Pipeline(prometheus_url="", metrics_ports=ports)
    for service, port in ports.items():
        service_env = env | {"NEWSMON_METRICS_PORT": str(port), "NEWSMON_INSTANCE": f"{service}-e2e"}
        args = [sys.executable, "-m", "newsmon", "serve", service]
        result.processes.append(Process(service, args, service_env, work / f"{service}.log").start())
    web_port = free_port()
    prometheus_process = Process(
        "prometheus",
        [
            prometheus,
            f"--config.file={write_prometheus_config(work, ports)}",
            f"--storage.tsdb.path={work / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{web_port}",
            "--log.level=warn",
        ],
        env,
        work / "prometheus.log",
    ).start()
    result.processes.append(prometheus_process)
    result.prometheus_url = f"http://127.0.0.1:{web_port}"
    try:
        wait_ready(result.prometheus_url + "/-/ready")
        for process, port in zip(result.processes, ports.values(), strict=False):
            try:
                wait_ready(f"http://127.0.0.1:{port}/healthz", timeout=90, process=process)
            except AssertionError as exc:
                raise AssertionError(f"{exc}\n{process.tail(60)}") from None
        if "alert" in AVAILABLE:
            silence_evacuations(settings, now)
        if "ingest" not in AVAILABLE:
            produce_articles(settings, now)
        deadline = time.monotonic() + DATA_TIMEOUT
        while (panels_without_data(result) or scenario_pending(result)) and time.monotonic() < deadline:
            time.sleep(2)
        time.sleep(3 * SCRAPE_SECONDS)  # let every rule evaluate on the final data
        yield result
    finally:
        for process in result.processes:
            process.stop()
        slack.shutdown()
        slack.server_close()
        smtp.stop()
        feeds.stop()


def test_every_service_of_this_build_is_scraped(pipeline: Pipeline) -> None:
    up = pipeline.query('up{job=~"newsmon-.*"}')["data"]["result"]
    scraped = {series["metric"]["job"].removeprefix("newsmon-"): series["value"][1] for series in up}
    assert scraped == dict.fromkeys(AVAILABLE, "1"), pipeline.logs()


@pytest.mark.parametrize(
    ("expr"),
    [
        pytest.param(t, id=f"{board}/{title}/{i}")
        for board, title, ts in dashboard_panels()
        for i, t in enumerate(ts)
    ],
)
def test_every_panel_query_is_valid_promql(pipeline: Pipeline, expr: str) -> None:
    answer = pipeline.query(concrete(expr))
    assert answer["status"] == "success", answer.get("error")


@pytest.mark.parametrize(
    ("board", "title", "exprs"),
    [pytest.param(b, t, e, id=f"{b}/{t}") for b, t, e in dashboard_panels()],
)
def test_every_panel_shows_data(pipeline: Pipeline, board: str, title: str, exprs: list[str]) -> None:
    missing = services_read(" ".join(exprs)) - AVAILABLE
    if missing:
        pytest.skip(f"reads metrics of {', '.join(sorted(missing))}, not part of this build yet")
    empty = [expr for expr in exprs if not pipeline.query(concrete(expr))["data"]["result"]]
    assert empty == [], f"{board} / {title} has no data for {empty}\n{pipeline.logs()}"


@pytest.mark.parametrize(
    ("board", "title", "exprs"),
    [pytest.param(b, t, e, id=f"{b}/{t}") for b, t, e in joined_tables()],
)
def test_a_joined_table_s_queries_return_the_same_rows(
    pipeline: Pipeline, board: str, title: str, exprs: list[str]
) -> None:
    """Grafana merges the queries of such a table on their labels: each must return the same label sets,
    or rows come out split in halves."""
    missing = services_read(" ".join(exprs)) - AVAILABLE
    if missing:
        pytest.skip(f"reads metrics of {', '.join(sorted(missing))}, not part of this build yet")
    rows = [
        {frozenset(series["metric"].items()) for series in pipeline.query(concrete(e))["data"]["result"]}
        for e in exprs
    ]
    assert rows[0], f"{board} / {title} has no rows\n{pipeline.logs()}"
    assert all(found == rows[0] for found in rows), f"{board} / {title}: {rows}"


@pytest.mark.parametrize("service", sorted(SCENARIO))
def test_the_scenario_shows_in_each_stage_metrics(pipeline: Pipeline, service: str) -> None:
    """Panels with data could still be all zeros; these figures prove the articles went through."""
    if service not in AVAILABLE:
        pytest.skip(f"the {service} service is not part of this build yet")
    for what, expr, at_least in SCENARIO[service]:
        assert pipeline.value(expr) >= at_least, f"{what}: {expr}\n{pipeline.logs()}"


def test_every_service_reports_ready_after_the_scenario(pipeline: Pipeline) -> None:
    for service, port in pipeline.metrics_ports.items():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=5) as response:
                status, reason = response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            status, reason = error.code, error.read().decode()
        assert status == 200, f"{service}: {reason}"


@pytest.mark.parametrize("metric", sorted(CONTRACT))
def test_every_contract_metric_is_exported_with_its_labels(pipeline: Pipeline, metric: str) -> None:
    service = metric.split("_")[1]
    if service not in AVAILABLE:
        pytest.skip(f"the {service} service is not part of this build yet")
    series = []
    for name in (metric, f"{metric}_count"):
        series = pipeline.query(f'{{__name__="{name}"}}')["data"]["result"]
        if series:
            break
    assert series, f"{metric} is in the metrics contract but {service} does not export it"
    labels = set(series[0]["metric"]) - {"__name__", "job", "instance"}
    expected = set(CONTRACT[metric]) - {"instance"}  # build_info's own instance becomes exported_instance
    assert expected <= labels, f"{metric}: labels {sorted(labels)}, contract {sorted(CONTRACT[metric])}"


def test_every_dashboard_annotation_query_is_valid_promql(pipeline: Pipeline) -> None:
    for name in DASHBOARDS:
        board = json.loads((DASHBOARD_DIR / f"{name}.json").read_text("utf-8"))
        for annotation in board["annotations"]["list"]:
            answer = pipeline.query(concrete(annotation["expr"]))
            assert answer["status"] == "success", f"{name} / {annotation['name']}: {answer.get('error')}"


def test_every_alert_rule_expression_is_valid_promql(pipeline: Pipeline) -> None:
    for rule in alert_rules():
        answer = pipeline.query(rule["expr"])
        assert answer["status"] == "success", f"{rule['alert']}: {answer.get('error')}"


def test_prometheus_evaluates_every_pipeline_rule_without_error(pipeline: Pipeline) -> None:
    groups = pipeline.get("/api/v1/rules")["data"]["groups"]
    loaded = {rule["name"]: rule for group in groups for rule in group["rules"]}
    assert set(loaded) == {rule["alert"] for rule in alert_rules()}
    for name, rule in loaded.items():
        assert rule["health"] == "ok", f"{name}: {rule.get('lastError')}"
