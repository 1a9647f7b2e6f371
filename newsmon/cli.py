"""The `newsmon` command. Subcommands load their modules only when run, so --help stays instant."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import click

from streambase import __version__

# name -> (module:attribute of a click command, one-line help shown in `newsmon --help`)
COMMANDS: dict[str, tuple[str, str]] = {
    "run": ("newsmon.supervisor:run_command", "Run the local Kafka broker and every service until Ctrl-C."),
    "serve": (
        "newsmon.serve:serve_command",
        "Run one service (ingest, classify or alert) in the foreground.",
    ),
    "topics": ("newsmon.admin_cli:topics_group", "Create or list the pipeline's Kafka topics."),
    "config": ("newsmon.admin_cli:config_group", "Validate newsmon.yaml and what it includes."),
    "schemas": (
        "newsmon.admin_cli:schemas_group",
        "Export the message JSON Schemas, or check they are current.",
    ),
    "classify": (
        "services.classify.cli:classify_command",
        "Classify JSON-lines articles offline: topics, signals with evidence, score.",
    ),
    "eval": ("services.classify.cli:eval_command", "Score the taxonomy on a labelled JSON-lines file."),
    "stories": (
        "newsmon.stories_cli:stories_command",
        "Group JSON-lines articles into stories offline, marking syndicated copies.",
    ),
    "feeds": ("newsmon.ingest_cli:feeds_group", "Feed health status, OPML import, publish the feed list."),
    "parse-feed": ("newsmon.ingest_cli:parse_feed_command", "Print a feed's articles as JSON lines."),
    "dashboards": (
        "newsmon.dashboards:dashboards_group",
        "Generate the Grafana dashboards from code, or check they are current.",
    ),
    "alert": ("newsmon.alert_cli:alert_group", "Send a test notification to a receiver."),
    "silence": ("newsmon.alert_cli:silence_group", "Add, list or expire alert silences."),
    "ack": (
        "newsmon.alert_cli:ack_command",
        "Acknowledge a situation: quiet until something new happens; its receivers are told who.",
    ),
    "receivers": (
        "newsmon.alert_cli:receivers_group",
        "List the alert receivers: type, secret set or missing, last delivery.",
    ),
    "backtest": (
        "newsmon.alert_cli:backtest_command",
        "Replay articles through the alert rules offline: what would have fired, and when.",
    ),
}


def register(name: str, target: str, help_text: str) -> None:
    COMMANDS[name] = (target, help_text)


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module_name, attr = COMMANDS[cmd_name][0].split(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(
    cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100}
)
@click.version_option(__version__, prog_name="newsmon")
def cli() -> None:
    """newsmon: watch news feeds for conflict escalation and alert the desk.

    \b
    Quick start:
      newsmon run                     everything, with a local Kafka broker
      newsmon config check            validate config/newsmon.yaml
      newsmon COMMAND --help          details of one command
    """


def main(argv: list[str] | None = None) -> Any:
    return cli.main(args=argv if argv is not None else sys.argv[1:], prog_name="newsmon")
