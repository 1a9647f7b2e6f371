"""The Prometheus configs and pipeline alert rules are valid, tested, and each alert says what to do."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from newsmon.serve import SERVICES
from tests.unit.deploy.conftest import PROMETHEUS_DIR

RULES = PROMETHEUS_DIR / "rules" / "pipeline.yml"


def promtool_run(promtool: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(promtool), *args], cwd=PROMETHEUS_DIR, capture_output=True, text=True, check=False, timeout=60
    )


def alert_rules() -> list[dict[str, Any]]:
    doc = YAML(typ="safe").load(RULES.read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"] if "alert" in rule]


@pytest.mark.parametrize("config", ["prometheus.local.yml", "prometheus.compose.yml"])
def test_scrape_config_passes_promtool(promtool: Path, config: str) -> None:
    result = promtool_run(promtool, "check", "config", config)
    assert result.returncode == 0, result.stdout + result.stderr


def test_pipeline_rules_pass_promtool(promtool: Path) -> None:
    result = promtool_run(promtool, "check", "rules", "rules/pipeline.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_rule_unit_tests_pass(promtool: Path) -> None:
    result = promtool_run(promtool, "test", "rules", "rules/pipeline_test.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_has_a_severity_summary_and_one_line_runbook() -> None:
    for rule in alert_rules():
        assert rule["labels"]["severity"] in {"critical", "warning", "info"}, rule["alert"]
        annotations = rule["annotations"]
        assert annotations["summary"], rule["alert"]
        assert annotations["runbook"], rule["alert"]
        assert "\n" not in annotations["runbook"].strip(), rule["alert"]


def test_every_alert_is_exercised_by_a_rule_unit_test() -> None:
    tests = YAML(typ="safe").load((PROMETHEUS_DIR / "rules" / "pipeline_test.yml").read_text("utf-8"))
    fired = {
        case["alertname"]
        for test in tests["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert {rule["alert"] for rule in alert_rules()} <= fired


def test_every_alert_has_a_runbook_section_in_the_readme() -> None:
    readme = (PROMETHEUS_DIR.parents[1] / "README.md").read_text("utf-8")
    runbook = readme.split("### Runbook", 1)[1]
    for rule in alert_rules():
        assert f"#### {rule['alert']}\n" in runbook, rule["alert"]


def test_local_config_scrapes_each_service_on_its_default_metrics_port() -> None:
    config = YAML(typ="safe").load((PROMETHEUS_DIR / "prometheus.local.yml").read_text("utf-8"))
    jobs = {job["job_name"]: job for job in config["scrape_configs"]}
    for name, entry in SERVICES.items():
        (static,) = jobs[f"newsmon-{name}"]["static_configs"]
        assert static["targets"] == [f"127.0.0.1:{entry.metrics_port}"]
    assert config["rule_files"] == ["rules/pipeline.yml"]
