"""Acknowledge links in newsmon.yaml: `newsmon config check` reports links configured without a secret to
sign them (file, line and field), a secret too short, and a public URL that cannot work."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newsmon.cli import cli
from services.alert.settings import read_ack_secret

SECRET = "0123456789abcdef0123456789abcdef"
CONFIG = """\
alerting:
  group_wait: 30s
  ack:
    public_base_url: https://newsmon.example.org/desk/
    link_valid_for: 3d
"""


def check(tmp_path: Path, text: str, **env: str | None) -> tuple[int, str]:
    path = tmp_path / "newsmon.yaml"
    path.write_text(text)
    variables = {"NEWSMON_ACK_SECRET": None, "NEWSMON_ACK_SECRET_FILE": None} | env
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env=variables)
    return result.exit_code, result.output


def test_config_check_reports_links_without_a_secret_with_file_line_and_field(tmp_path: Path) -> None:
    code, output = check(tmp_path, CONFIG)
    assert code == 1
    assert "newsmon.yaml:4: alerting.ack.public_base_url" in output
    assert "NEWSMON_ACK_SECRET is not set (nor NEWSMON_ACK_SECRET_FILE)" in output


def test_config_check_passes_with_the_secret_in_a_variable_or_a_file(tmp_path: Path) -> None:
    assert check(tmp_path, CONFIG, NEWSMON_ACK_SECRET=SECRET)[0] == 0
    secret_file = tmp_path / "ack-secret"
    secret_file.write_text(SECRET + "\n")
    assert check(tmp_path, CONFIG, NEWSMON_ACK_SECRET_FILE=str(secret_file))[0] == 0


def test_a_secret_too_short_is_reported_without_repeating_it(tmp_path: Path) -> None:
    code, output = check(tmp_path, CONFIG, NEWSMON_ACK_SECRET="hunter2")
    assert code == 1
    assert "too short" in output
    assert "hunter2" not in output


def test_without_a_public_url_no_secret_is_needed(tmp_path: Path) -> None:
    assert check(tmp_path, "alerting:\n  group_wait: 30s\n")[0] == 0


def test_a_public_url_that_cannot_work_is_reported(tmp_path: Path) -> None:
    code, output = check(tmp_path, CONFIG.replace("https://newsmon.example.org/desk/", "newsmon.example.org"))
    assert code == 1
    assert "alerting.ack.public_base_url" in output
    assert "http:// or https://" in output
    code, output = check(tmp_path, CONFIG.replace("3d", "90d"), NEWSMON_ACK_SECRET=SECRET)
    assert code == 1
    assert "between 1m and 30d" in output


def test_the_secret_comes_from_the_variable_or_the_file_it_names() -> None:
    secret, problem = read_ack_secret({"NEWSMON_ACK_SECRET": SECRET})
    assert secret is not None
    assert (secret.get_secret_value(), problem) == (SECRET, None)
    secret, problem = read_ack_secret({})
    assert (secret, problem) == (None, "NEWSMON_ACK_SECRET is not set (nor NEWSMON_ACK_SECRET_FILE)")
