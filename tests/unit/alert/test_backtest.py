from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from schemas import RawArticle
from services.alert.backtest import backtest, parse_line
from services.alert.grouping import Timing
from services.alert.rules import ArticleRule, WindowRule
from tests.unit.alert.factories import T0, classified, trend

TIMING = Timing(timedelta(seconds=30), timedelta(minutes=5), timedelta(hours=4))
RULES = (
    ArticleRule(id="usw", kind="article", signals=("us_intervention_warning",)),
    WindowRule(id="evac", kind="window", signals=("evacuation_notice",), min_sources=2),
)


def test_backtest_orders_input_by_time_and_reports_fired_and_sent() -> None:
    items = [
        classified("c", "evacuation_notice", source="Wire Two", at=T0 + timedelta(minutes=20)),
        classified("a", "us_intervention_warning", at=T0),
        classified("b", "evacuation_notice", source="Wire One", at=T0 + timedelta(minutes=10)),
        classified("d", "us_intervention_warning", at=T0 + timedelta(hours=1)),
    ]
    result = backtest(items, RULES, TIMING)
    assert [a.rule_id for a in result.fired] == ["usw", "evac", "usw"]
    assert [(s.notification.rule_id, s.at - T0) for s in result.sent] == [
        ("usw", timedelta(minutes=2, seconds=30)),
        ("evac", timedelta(minutes=22, seconds=30)),
    ]
    assert result.suppressed == {"repeat_interval": 1}


def test_a_line_may_hold_a_classified_article_or_a_trend_window() -> None:
    assert parse_line(classified("a", "x").model_dump_json()).id == "a"  # type: ignore[union-attr]
    assert parse_line(trend("iran_israel", T0, 0.3).model_dump_json()).topic == "iran_israel"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="escalation_score"):
        parse_line('{"article": {}, "classifier_version": "x", "classified_at": "2025-06-17T12:00:00Z"}')


def test_the_backtest_command_prints_alerts_and_names_bad_lines(tmp_path: Path, repo: Path) -> None:
    second = classified("c", "evacuation_notice", source="Wire Two", at=T0 + timedelta(minutes=5))
    own_words = "Residents of the port district were told by the army to leave before nightfall."
    second = second.model_copy(update={"article": second.article.model_copy(update={"summary": own_words})})
    lines = [
        classified("a", "us_intervention_warning", at=T0).model_dump_json(),
        "not json",
        classified("b", "evacuation_notice", source="Wire One", at=T0).model_dump_json(),
        second.model_dump_json(),
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        cli, ["backtest", "--config", str(repo / "config" / "newsmon.yaml"), str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "read 4 item(s), 1 skipped" in result.output
    assert "2 alert(s) fired" in result.output
    assert "us_intervention_warning" in result.output
    assert "evacuation_corroborated" in result.output
    assert f"skipped {path}:2: " in result.output


def test_a_copy_in_the_backtest_is_not_a_second_source(tmp_path: Path, repo: Path) -> None:
    lines = [
        classified("b", "evacuation_notice", source="Wire One", at=T0).model_dump_json(),
        classified(
            "c", "evacuation_notice", source="Wire Two", at=T0 + timedelta(minutes=5)
        ).model_dump_json(),
    ]
    path = tmp_path / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        cli, ["backtest", "--config", str(repo / "config" / "newsmon.yaml"), str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "evacuation_corroborated" not in result.output  # the same text twice: one report


def test_the_two_example_articles_fire_the_expected_alerts(
    tmp_path: Path, repo: Path, example_articles: dict[str, str]
) -> None:
    paths = []
    for name, text in example_articles.items():
        paths.append(tmp_path / f"{name}.txt")
        paths[-1].write_text(text)
    result = CliRunner().invoke(
        cli, ["backtest", "--json", "--config", str(repo / "config" / "newsmon.yaml"), *map(str, paths)]
    )
    assert result.exit_code == 0, result.output
    fired = {
        line.split('"rule_id":"')[1].split('"')[0] for line in result.output.splitlines() if "rule_id" in line
    }
    assert {"us_intervention_warning", "escalation_with_strikes"} <= fired


def test_raw_articles_are_classified_first_with_the_taxonomy(tmp_path: Path, repo: Path) -> None:
    raw = RawArticle(
        id="raw-1",
        feed_id="wire",
        source="Wire One",
        url="https://news.example/raw-1",
        title="Moscow cautions Washington",
        summary="Russia warned the United States against military intervention in the conflict with Iran.",
        published_at=T0,
        fetched_at=T0,
    )
    path = tmp_path / "raw.jsonl"
    path.write_text(raw.model_dump_json() + "\n")
    result = CliRunner().invoke(
        cli, ["backtest", "--config", str(repo / "config" / "newsmon.yaml"), str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "(1 classified here)" in result.output
    assert "us_intervention_warning" in result.output


def test_the_backtest_reads_what_classify_reads_and_names_the_fields_at_fault(
    tmp_path: Path, repo: Path
) -> None:
    lines = [
        '{"id": "m1", "title": "Evacuation ordered", "source": "A", "published_at": "2026-03-03T10:00:00Z", '
        '"text": "Authorities ordered the evacuation of the port town of Zarnitsa on Tuesday."}',
        '{"id": "m2", "title": "Port town told to leave", "source": "B", '
        '"published_at": "2026-03-03T10:20:00Z", '
        '"text": "Residents of Zarnitsa were told by officials to evacuate as shelling went on overnight."}',
        '{"id": "m3", "title": 5}',
        '{"id": "m4", "title": "t", "text": "x", "published_at": "yesterday"}',
    ]
    path = tmp_path / "minimal.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        cli, ["backtest", "--config", str(repo / "config" / "newsmon.yaml"), str(path)]
    )
    assert result.exit_code == 0, result.output
    assert "2 classified here" in result.output
    assert "evacuation_corroborated" in result.output
    assert f"skipped {path}:3: missing field(s): text" in result.output
    assert f"skipped {path}:4: published_at: Input should be a valid datetime" in result.output
