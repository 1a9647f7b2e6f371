from __future__ import annotations

from click.testing import CliRunner

from newsmon.cli import COMMANDS, cli


def test_help_lists_every_command() -> None:
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_every_command_has_its_own_help() -> None:
    for name in COMMANDS:
        result = CliRunner().invoke(cli, [name, "--help"])
        assert result.exit_code == 0, result.output
        assert "Usage:" in result.output


def test_config_check_reports_a_broken_file_and_fails(tmp_path: object) -> None:
    runner = CliRunner()
    with runner.isolated_filesystem():
        with open("bad.yaml", "w") as handle:
            handle.write("ingest:\n  concurrency: -1\n")
        result = runner.invoke(cli, ["config", "check", "bad.yaml"])
    assert result.exit_code == 1
    assert "bad.yaml:2: ingest.concurrency: Input should be greater than or equal to 1" in result.output


def test_schemas_check_passes_when_files_are_current() -> None:
    result = CliRunner().invoke(cli, ["schemas", "export", "--check"])
    assert result.exit_code == 0, result.output
