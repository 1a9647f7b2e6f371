"""A receiver's `digest:` block: checked by `newsmon config check` with file, line and field; a receiver
with `immediate: false` gets only its digest."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from newsmon.cli import cli
from newsmon.config import load_config
from services.alert.routing import Router
from services.alert.wiring import digest_schedules

STANDARDS = """\
receivers:
  - name: standards-desk
    type: console
    digest:
      every: {every}
      at: "{at}"
      timezone: {timezone}
      min_severity: low
      immediate: false
  - name: night-log
    type: console
"""


def check(tmp_path: Path, every: str = "1d", at: str = "07:00", timezone: str = "Europe/Berlin") -> str:
    path = tmp_path / "newsmon.yaml"
    path.write_text(STANDARDS.format(every=every, at=at, timezone=timezone))
    result = CliRunner().invoke(cli, ["config", "check", str(path)])
    return result.output


def test_config_check_names_file_line_and_field_of_each_digest_mistake(tmp_path: Path) -> None:
    output = check(tmp_path, every="36h", at="7 am", timezone="Europe/Berln")
    path = tmp_path / "newsmon.yaml"
    assert f"{path}:5: receivers.0.console.digest.every: must tile a day or a week" in output
    assert f'{path}:6: receivers.0.console.digest.at: must be a time of day as "HH:MM"' in output
    assert f"{path}:7: receivers.0.console.digest.timezone: unknown time zone 'Europe/Berln'" in output


def test_a_period_that_is_not_whole_hours_is_refused(tmp_path: Path) -> None:
    assert "digest.every: must be a whole number of hours" in check(tmp_path, every="90m")


def test_a_valid_digest_passes_the_check(tmp_path: Path) -> None:
    assert ": OK (" in check(tmp_path)


def test_a_receiver_taking_only_its_digest_gets_no_immediate_message(tmp_path: Path) -> None:
    check(tmp_path)
    config = load_config(tmp_path / "newsmon.yaml")
    schedules = digest_schedules(config.receivers)
    assert list(schedules) == ["standards-desk"]
    router = Router(config.alerting, ["console", "standards-desk", "night-log"], ["standards-desk"])
    labels = {"rule": "r", "topic": "iran_israel"}
    assert router.receivers_for(labels) == ("night-log",)
    assert router.routed_to(labels) == ("standards-desk", "night-log"), "its digest still takes the alert"


def test_the_readme_digest_example_is_a_valid_configuration(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("**Digests.**", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "newsmon.yaml"
    path.write_text(example)
    config = load_config(path)
    digest = config.receivers[0].digest
    assert digest is not None
    assert (digest.at, digest.timezone, digest.immediate) == ("07:00", "Europe/Berlin", False)
