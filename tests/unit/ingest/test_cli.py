from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from newsmon.cli import cli
from newsmon.ingest_cli import render_status
from schemas import FeedSpec
from services.ingest.health import FeedHealth

FEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "feeds"
NOW = datetime(2025, 6, 17, 12, tzinfo=UTC)


def test_parse_feed_prints_one_json_article_per_line() -> None:
    result = CliRunner().invoke(
        cli, ["parse-feed", str(FEEDS / "rss2-basic.xml"), "--base-url", "https://example.org/"]
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [a["title"] for a in lines] == ["Talks resume in Geneva & Vienna", "Withdrawal confirmed"]
    assert lines[0]["source"] == "Example World"
    assert "ok: 2 entries, 2 articles" in result.stderr


def test_parse_feed_fails_clearly_on_an_html_page() -> None:
    result = CliRunner().invoke(cli, ["parse-feed", str(FEEDS / "html-page.html")])
    assert result.exit_code == 1
    assert "not_a_feed" in result.stderr
    assert result.stdout == ""


def test_parse_feed_names_a_missing_file() -> None:
    result = CliRunner().invoke(cli, ["parse-feed", "no-such-feed.xml"])
    assert result.exit_code == 1
    assert "cannot read no-such-feed.xml" in result.output


def _config(tmp_path: Path) -> Path:
    (tmp_path / "feeds.yaml").write_text(
        "# my feeds\n- id: known\n  url: https://known.example.org/feed\n  outlet: Known\n"
    )
    main = tmp_path / "newsmon.yaml"
    main.write_text("feeds: feeds.yaml\n")
    return main


OPML = """<opml version="2.0"><body><outline text="Wire" xmlUrl="https://wire.example.org/rss"/>
<outline text="Known again" xmlUrl="https://known.example.org/feed"/></body></opml>"""


def test_import_opml_appends_new_feeds_to_the_included_feeds_file(tmp_path: Path) -> None:
    main = _config(tmp_path)
    (tmp_path / "subs.opml").write_text(OPML)
    result = CliRunner().invoke(
        cli, ["feeds", "import-opml", str(tmp_path / "subs.opml")], env={"NEWSMON_CONFIG": str(main)}
    )
    assert result.exit_code == 0, result.output
    assert "added 1 feeds" in result.stdout
    text = (tmp_path / "feeds.yaml").read_text()
    assert text.startswith("# my feeds\n")  # comments survive
    assert "- id: wire" in text
    check = CliRunner().invoke(cli, ["config", "check", str(main)])
    assert "2 feeds" in check.output


def test_import_opml_dry_run_changes_nothing(tmp_path: Path) -> None:
    main = _config(tmp_path)
    before = (tmp_path / "feeds.yaml").read_text()
    (tmp_path / "subs.opml").write_text(OPML)
    result = CliRunner().invoke(
        cli,
        ["feeds", "import-opml", str(tmp_path / "subs.opml"), "--dry-run"],
        env={"NEWSMON_CONFIG": str(main)},
    )
    assert result.exit_code == 0, result.output
    assert "- id: wire" in result.stdout
    assert (tmp_path / "feeds.yaml").read_text() == before


def test_import_opml_refuses_a_broken_file(tmp_path: Path) -> None:
    main = _config(tmp_path)
    (tmp_path / "subs.opml").write_text("<opml><body>")
    result = CliRunner().invoke(
        cli, ["feeds", "import-opml", str(tmp_path / "subs.opml")], env={"NEWSMON_CONFIG": str(main)}
    )
    assert result.exit_code == 1
    assert "not well-formed" in result.output


def test_the_status_table_puts_failing_feeds_first_and_says_why() -> None:
    ok = FeedHealth(
        feed_id="fine",
        url="https://a.example/",
        instance="r1",
        last_poll_at=NOW - timedelta(minutes=2),
        last_outcome="not_modified",
        last_status=304,
        last_success_at=NOW - timedelta(minutes=2),
        items_seen=20,
        next_poll_at=NOW + timedelta(minutes=3),
    )
    bad = FeedHealth(
        feed_id="broken",
        url="https://b.example/",
        instance="r2",
        last_poll_at=NOW - timedelta(seconds=30),
        last_outcome="timeout",
        last_error="no complete answer within 60s",
        consecutive_failures=4,
        last_success_at=NOW - timedelta(hours=3),
    )
    rows: list[tuple[FeedSpec | None, FeedHealth | None]] = [
        (FeedSpec(id="fine", url="https://a.example/", outlet="A"), ok),
        (FeedSpec(id="broken", url="https://b.example/", outlet="B"), bad),
        (FeedSpec(id="new", url="https://c.example/", outlet="C"), None),
    ]
    table = render_status(rows, NOW).splitlines()
    assert table[0].split()[:3] == ["FEED", "LAST", "POLL"]
    assert table[1].startswith("broken")
    assert "no complete answer within 60s" in table[1]
    assert "3h ago" in table[1]
    assert table[2].startswith("new")
    assert "not polled yet" in table[2]
    assert table[3].startswith("fine")
    assert "in 3m" in table[3]
    assert "2m ago" in table[3]


def test_feeds_status_says_when_no_broker_answers(tmp_path: Path) -> None:
    main = _config(tmp_path)
    result = CliRunner().invoke(
        cli, ["feeds", "status"], env={"NEWSMON_CONFIG": str(main), "NEWSMON_KAFKA_BOOTSTRAP": "127.0.0.1:9"}
    )
    assert result.exit_code == 1
    assert "no Kafka broker answers at 127.0.0.1:9" in result.output
