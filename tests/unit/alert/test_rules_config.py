from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import load_config
from streambase.yamlconf import ConfigError


def write(tmp_path: Path, rules: str) -> Path:
    (tmp_path / "rules.yaml").write_text(rules)
    path = tmp_path / "newsmon.yaml"
    path.write_text("rules: rules.yaml\n")
    return path


def test_a_bad_rule_field_names_the_rules_file_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: a\n  kind: window\n  signals: [x]\n  within: soon\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(
        f"{(tmp_path / 'rules.yaml').resolve()}:4: rules.0.window.within: invalid duration"
    )


def test_an_unknown_rule_kind_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: a\n  kind: sometimes\n")
    with pytest.raises(ConfigError, match=r"rules.yaml:1: rules.0: Input tag 'sometimes'"):
        load_config(path)


def test_a_rule_without_any_condition_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: a\n  kind: article\n")
    with pytest.raises(ConfigError, match=r"needs at least one of topics, signals"):
        load_config(path)


def test_a_trend_rule_needs_a_threshold(tmp_path: Path) -> None:
    path = write(tmp_path, "- id: a\n  kind: trend\n")
    with pytest.raises(ConfigError, match=r"needs ratio, zscore or both"):
        load_config(path)


def test_duplicate_rule_ids_are_refused(tmp_path: Path) -> None:
    rule = "- id: same\n  kind: article\n  signals: [x]\n"
    path = write(tmp_path, rule + rule)
    with pytest.raises(ConfigError, match=r"rule id 'same' is used twice"):
        load_config(path)


def test_a_misspelt_option_in_a_route_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "newsmon.yaml"
    path.write_text("alerting:\n  routes:\n    - receivers: [slack]\n      topicz: [a]\n")
    with pytest.raises(ConfigError, match=r"newsmon.yaml:4: alerting.routes.0.topicz: unknown field"):
        load_config(path)


def test_a_replica_timeout_outside_the_brokers_session_limits_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "newsmon.yaml"
    path.write_text("alerting:\n  replica_timeout: 2s\n")
    with pytest.raises(ConfigError, match=r"replica_timeout must be between 6s and 30m"):
        load_config(path)
    path.write_text("alerting:\n  replica_timeout: 20s\n")
    assert load_config(path).alerting.replica_timeout.total_seconds() == 20
