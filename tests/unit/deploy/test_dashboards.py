"""The Grafana dashboards: generated from code, current, provisioned, and built only on contract metrics."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from newsmon.cli import cli
from newsmon.dashboards import DASHBOARD_DIR, DASHBOARDS, render, stale
from tests.unit.deploy.conftest import GRAFANA_DIR
from tests.unit.deploy.contract import CONTRACT, metric_names


def committed(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((DASHBOARD_DIR / f"{name}.json").read_text("utf-8"))
    return loaded


def targets(board: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (panel["title"], target["expr"])
        for panel in board["panels"]
        if panel["type"] != "row"
        for target in panel["targets"]
    ]


def test_committed_dashboards_match_the_code() -> None:
    assert stale(DASHBOARD_DIR) == [], (
        "run `newsmon dashboards generate` and commit deploy/grafana/dashboards"
    )


def test_the_check_fails_on_a_hand_edited_dashboard(tmp_path: Path) -> None:
    runner = CliRunner()
    assert runner.invoke(cli, ["dashboards", "generate", "--out", str(tmp_path)]).exit_code == 0
    edited = tmp_path / "feeds.json"
    edited.write_text(edited.read_text("utf-8").replace("Fetch latency", "Fetch time"), "utf-8")
    result = runner.invoke(cli, ["dashboards", "generate", "--check", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "stale dashboards: feeds" in result.output


def test_generation_is_deterministic() -> None:
    for spec in DASHBOARDS.values():
        assert render(spec) == render(spec)


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_dashboard_has_a_datasource_and_instance_variable(name: str) -> None:
    variables = {v["name"]: v for v in committed(name)["templating"]["list"]}
    assert variables["datasource"]["query"] == "prometheus"
    assert variables["instance"]["includeAll"] is True
    assert variables["instance"]["allValue"] == ".*"


def test_the_escalation_dashboard_filters_by_topic() -> None:
    board = committed("escalation")
    assert "topic" in {v["name"] for v in board["templating"]["list"]}
    topical = [expr for _, expr in targets(board) if "classify" in expr]
    assert topical
    assert all('topic=~"$topic"' in expr for expr in topical)


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_every_query_filters_by_instance_and_reads_only_contract_metrics(name: str) -> None:
    for title, expr in targets(committed(name)):
        assert 'instance=~"$instance"' in expr, title
        names = metric_names(expr)
        assert names or expr.startswith("sum by (job) (up{"), f"{title}: reads no newsmon metric"
        assert names <= set(CONTRACT), f"{title}: not in the metrics contract: {names - set(CONTRACT)}"


def joined_tables(board: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        panel
        for panel in board["panels"]
        if any(step["id"] == "merge" for step in panel.get("transformations", ()))
    ]


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_a_joined_table_shows_every_query_value_under_a_header(name: str) -> None:
    """Grafana names query A's value `Value #A` in a merged table: each header must name a query."""
    for panel in joined_tables(committed(name)):
        assert all(t["format"] == "table" and t["instant"] for t in panel["targets"]), panel["title"]
        steps = {step["id"]: step["options"] for step in panel["transformations"]}
        renamed = set(steps["organize"]["renameByName"])
        assert renamed == {f"Value #{t['refId']}" for t in panel["targets"]}, panel["title"]
        assert renamed <= set(steps["filterFieldsByName"]["include"]["names"]), panel["title"]


def test_the_fastest_growing_stories_table_ranks_ten_stories_by_rank() -> None:
    [panel] = joined_tables(committed("escalation"))
    assert panel["title"] == "Fastest-growing stories (last hour)"
    steps = {step["id"]: step["options"] for step in panel["transformations"]}
    assert steps["sortBy"]["sort"] == [{"field": "rank", "desc": False}]
    assert steps["convertFieldType"]["conversions"][0]["targetField"] == "rank"  # "10" after "9"
    headers = sorted(steps["organize"]["indexByName"], key=steps["organize"]["indexByName"].get)
    shown = [steps["organize"]["renameByName"].get(field, field) for field in headers]
    assert shown == ["rank", "headline", "topic", "new outlets", "new reports", "growth"]


@pytest.mark.parametrize("name", sorted(DASHBOARDS))
def test_panel_ids_are_unique_and_panels_fit_the_grid(name: str) -> None:
    panels = committed(name)["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    assert all(p["gridPos"]["x"] + p["gridPos"]["w"] <= 24 for p in panels)


def test_the_four_dashboards_cover_the_issue() -> None:
    titles = {name: [p.title for p in spec.panels] for name, spec in DASHBOARDS.items()}
    assert set(titles) == {"overview", "escalation", "feeds", "delivery"}
    assert "Articles per minute by stage" in titles["overview"]
    assert "Escalation index per topic" in titles["escalation"]
    assert "Fastest-growing stories (last hour)" in titles["escalation"]
    assert "Failures in a row per feed" in titles["feeds"]
    assert "Pending deliveries" in titles["delivery"]


def test_provisioning_loads_the_generated_folder_from_the_compose_datasource() -> None:
    yaml = YAML(typ="safe")
    source = yaml.load((GRAFANA_DIR / "provisioning" / "datasources" / "prometheus.yml").read_text("utf-8"))
    provider = yaml.load((GRAFANA_DIR / "provisioning" / "dashboards" / "newsmon.yml").read_text("utf-8"))
    assert source["datasources"][0]["type"] == "prometheus"
    assert source["datasources"][0]["url"] == "http://prometheus:9090"
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards/newsmon"


def test_pipeline_rules_read_only_contract_metrics() -> None:
    rules = YAML(typ="safe").load((GRAFANA_DIR.parent / "prometheus" / "rules" / "pipeline.yml").read_text())
    for group in rules["groups"]:
        for rule in group["rules"]:
            names = metric_names(rule["expr"])
            assert names <= set(CONTRACT), f"{rule['alert']}: {names - set(CONTRACT)}"
