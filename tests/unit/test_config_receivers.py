"""The `receivers:` section: named receivers of every type, secrets only from the environment (or NAME_FILE),
and every mistake reported with its file, line and field."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from newsmon.cli import cli
from newsmon.config import load_config
from services.alert.receivers.email import EmailReceiver
from services.alert.receivers.mattermost import MattermostReceiver
from services.alert.receivers.slack import SlackReceiver
from services.alert.receivers.teams import TeamsReceiver
from services.alert.receivers.webhook import WebhookReceiver
from services.alert.settings import AlertSettings, SlackSettings, SmtpSettings, read_secrets
from services.alert.wiring import build_receivers
from streambase.settings import KafkaSettings, RuntimeSettings
from streambase.yamlconf import ConfigError

DESKS = """\
receivers:
  - name: mideast-desk
    type: slack
    webhook_url_env: NEWSMON_RECEIVER_MIDEAST_DESK_URL
  - name: mideast-editors
    type: email
    to: [editors-mideast@example.org]
  - name: europe-teams
    type: teams
    webhook_url_env: NEWSMON_RECEIVER_EUROPE_TEAMS_URL
  - name: europe-mm
    type: mattermost
    webhook_url_env: NEWSMON_RECEIVER_EUROPE_MM_URL
    channel: europe
  - name: bot
    type: webhook
    url_env: NEWSMON_RECEIVER_BOT_URL
    secret_env: NEWSMON_RECEIVER_BOT_SECRET
  - name: night-log
    type: console
alerting:
  receivers: [night-log]
  routes:
    - topics: [iran_israel]
      receivers: [mideast-desk, mideast-editors]
    - topics: [russia_ukraine]
      receivers: [europe-teams, europe-mm, bot]
"""

ENV = {
    "NEWSMON_RECEIVER_MIDEAST_DESK_URL": "https://hooks.slack.com/services/T1/B1/mideast-token-123",
    "NEWSMON_RECEIVER_EUROPE_TEAMS_URL": "https://example.logic.azure.com/workflows/w1/triggers/manual/paths/"
    "invoke?api-version=2016-06-01&sig=teams-signature-abcdef123456",
    "NEWSMON_RECEIVER_EUROPE_MM_URL": "https://chat.example.org/hooks/mm-hook-token-xyz",
    "NEWSMON_RECEIVER_BOT_URL": "https://bot.example.org/newsmon",
    "NEWSMON_RECEIVER_BOT_SECRET": "bot-signing-secret-0042",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def settings(tmp_path: Path, env: dict[str, str], smtp_host: str | None = "127.0.0.1") -> AlertSettings:
    config = load_config(tmp_path / "newsmon.yaml")
    names = [v for spec in config.receivers for v in spec.secret_vars().values()]
    secrets, problems = read_secrets(names, env)
    return AlertSettings(
        runtime=RuntimeSettings(state_dir=tmp_path),
        kafka=KafkaSettings(),
        slack=SlackSettings(webhook_url=None),
        smtp=SmtpSettings(host=smtp_host, recipients=""),
        secrets=secrets,
        secret_problems=problems,
    )


def test_any_number_of_receivers_of_each_type_are_built_under_their_names(tmp_path: Path) -> None:
    write(tmp_path, "newsmon.yaml", DESKS)
    config = load_config(tmp_path / "newsmon.yaml")
    receivers = build_receivers(settings(tmp_path, ENV), config.receivers)
    kinds = {name: type(r) for name, r in receivers.items()}
    assert kinds == {
        "console": kinds["console"],
        "mideast-desk": SlackReceiver,
        "mideast-editors": EmailReceiver,
        "europe-teams": TeamsReceiver,
        "europe-mm": MattermostReceiver,
        "bot": WebhookReceiver,
        "night-log": kinds["console"],
    }
    assert {r.name for r in receivers.values()} == set(receivers)


def test_the_section_may_live_in_a_file_beside_the_main_one(tmp_path: Path) -> None:
    head, _, alerting = DESKS.partition("alerting:")
    body = "\n".join(line[2:] for line in head.splitlines()[1:])
    write(tmp_path, "receivers.yaml", body + "\n")
    write(tmp_path, "newsmon.yaml", "receivers: receivers.yaml\nalerting:" + alerting)
    config = load_config(tmp_path / "newsmon.yaml")
    assert [r.name for r in config.receivers][:2] == ["mideast-desk", "mideast-editors"]


def test_a_route_to_an_unknown_receiver_is_reported_with_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path, "newsmon.yaml", DESKS.replace("[europe-teams, europe-mm, bot]", "[europe-teams, erope]")
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:27: alerting.routes.1.receivers.1: no receiver is named 'erope' (see `receivers:`)"
    )


def test_a_name_used_twice_is_reported_where_it_is_used_again(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", DESKS.replace("name: europe-mm", "name: europe-teams"))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (
        f"{path}:11: receivers.3.name: receiver name 'europe-teams' is used twice; names must be unique"
    ) in str(caught.value)


def test_an_unknown_type_is_reported_with_the_types_there_are(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", "receivers:\n  - name: pager\n    type: pagerduty\n")
    with pytest.raises(
        ConfigError, match=r"newsmon.yaml:2: receivers.0: unknown or missing receiver type: use one"
    ):
        load_config(path)


def test_a_url_or_secret_written_in_the_yaml_is_refused_without_being_repeated(tmp_path: Path) -> None:
    secret_url = "https://hooks.slack.com/services/T9/B9/written-in-yaml-token"
    path = write(
        tmp_path,
        "newsmon.yaml",
        "receivers:\n"
        f"  - {{name: a, type: slack, webhook_url: '{secret_url}'}}\n"
        f"  - {{name: b, type: slack, webhook_url_env: '{secret_url}'}}\n"
        "  - {name: c, type: webhook, url_env: U, secret: hunter2-signing}\n"
        "  - {name: d, type: email, to: [x@example.org], smtp: {password: hunter3-smtp}}\n",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    for secret in (secret_url, "written-in-yaml-token", "hunter2-signing", "hunter3-smtp"):
        assert secret not in message
    assert f"{path}:2: receivers.0.slack.webhook_url: secrets are never written in this file" in message
    assert "give the variable's name in `webhook_url_env`" in message
    assert (
        f"{path}:3: receivers.1.slack.webhook_url_env: must be the name of an environment variable" in message
    )
    assert f"{path}:4: receivers.2.webhook.secret: secrets are never written" in message
    assert f"{path}:5: receivers.3.email.smtp.password: secrets are never written" in message


def test_config_check_names_each_receiver_whose_secret_is_not_set(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", DESKS)
    env = {k: v for k, v in ENV.items() if "EUROPE_MM" not in k and "BOT_SECRET" not in k}
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env={**env, "NEWSMON_SMTP_HOST": "mail"})
    assert result.exit_code == 1
    assert (
        f"{path}:13: receivers.3.webhook_url_env: "
        "NEWSMON_RECEIVER_EUROPE_MM_URL is not set (nor NEWSMON_RECEIVER_EUROPE_MM_URL_FILE)"
    ) in result.output
    assert f"{path}:18: receivers.4.secret_env: NEWSMON_RECEIVER_BOT_SECRET is not set" in result.output
    for secret in ENV.values():
        assert secret not in result.output


def test_config_check_passes_when_every_secret_is_set_and_counts_the_receivers(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", DESKS)
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env={**ENV, "NEWSMON_SMTP_HOST": "mail"})
    assert result.exit_code == 0, result.output
    assert "6 receivers" in result.output


def test_an_email_receiver_without_any_smtp_server_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", DESKS)
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env={**ENV, "NEWSMON_SMTP_HOST": None})
    assert result.exit_code == 1
    assert f"{path}:7: receivers.1.to: no SMTP server: set NEWSMON_SMTP_HOST" in result.output


def test_a_route_to_the_old_slack_receiver_needs_its_variable(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", "alerting:\n  receivers: [slack]\n")
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env={"NEWSMON_SLACK_WEBHOOK_URL": None})
    assert result.exit_code == 1
    assert (
        "alerting.receivers.0: receiver 'slack' is not configured (set NEWSMON_SLACK_WEBHOOK_URL)"
        in result.output
    )
    ok = CliRunner().invoke(
        cli, ["config", "check", str(path)], env={"NEWSMON_SLACK_WEBHOOK_URL": "https://hooks.example/x"}
    )
    assert ok.exit_code == 0, ok.output


def test_a_named_receiver_may_not_take_a_name_the_old_variables_configure(tmp_path: Path) -> None:
    path = write(
        tmp_path, "newsmon.yaml", "receivers:\n  - {name: slack, type: slack, webhook_url_env: DESK}\n"
    )
    env = {"DESK": "https://hooks.example/desk", "NEWSMON_SLACK_WEBHOOK_URL": "https://hooks.example/old"}
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env=env)
    assert result.exit_code == 1
    assert (
        "receivers.0.name: receiver 'slack' is also configured by NEWSMON_SLACK_WEBHOOK_URL" in result.output
    )


def test_a_secret_may_come_from_the_file_named_by_name_file(tmp_path: Path) -> None:
    secret_file = write(tmp_path, "bot-secret", "from-a-docker-secret-file\n")
    found, problems = read_secrets(["BOT"], {"BOT_FILE": str(secret_file)})
    assert found["BOT"].get_secret_value() == "from-a-docker-secret-file"
    assert problems == {}
    _, both = read_secrets(["BOT"], {"BOT": "x", "BOT_FILE": str(secret_file)})
    assert both == {"BOT": "both BOT and BOT_FILE are set; set one"}
    _, missing = read_secrets(["BOT"], {"BOT_FILE": str(tmp_path / "nope")})
    assert missing == {"BOT": "BOT_FILE names a file that cannot be read (FileNotFoundError)"}


def test_every_secret_of_every_receiver_is_kept_from_the_logs(tmp_path: Path) -> None:
    write(tmp_path, "newsmon.yaml", DESKS)
    values = {str(v) for v in settings(tmp_path, ENV).secret_values() if v is not None}
    values |= {
        v.get_secret_value() for v in settings(tmp_path, ENV).secret_values() if isinstance(v, SecretStr)
    }
    for secret in ENV.values():
        assert secret in values
    assert "/services/T1/B1/mideast-token-123" in values
    assert "teams-signature-abcdef123456" in values
    assert "/hooks/mm-hook-token-xyz" in values


def test_the_old_variables_keep_working_as_the_receivers_slack_and_email(tmp_path: Path) -> None:
    rt = AlertSettings(
        runtime=RuntimeSettings(state_dir=tmp_path),
        kafka=KafkaSettings(),
        slack=SlackSettings(webhook_url=SecretStr("https://hooks.example/old")),
        smtp=SmtpSettings(host="mail.example", recipients="desk@example.org"),
    )
    receivers = build_receivers(rt)
    assert sorted(receivers) == ["console", "email", "slack"]
    assert isinstance(receivers["slack"], SlackReceiver)
    assert isinstance(receivers["email"], EmailReceiver)


def test_the_readme_example_of_desks_is_a_valid_configuration(repo: Path, tmp_path: Path) -> None:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Receivers\n", 1)[1]
    example = section.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = write(tmp_path, "newsmon.yaml", example)
    config = load_config(path)
    assert [r.type for r in config.receivers] == [
        "slack",
        "email",
        "teams",
        "mattermost",
        "webhook",
        "console",
    ]
    env = {v: "https://hooks.example/secret-path" for r in config.receivers for v in r.secret_vars().values()}
    result = CliRunner().invoke(cli, ["config", "check", str(path)], env={**env, "NEWSMON_SMTP_HOST": "mail"})
    assert result.exit_code == 0, result.output
