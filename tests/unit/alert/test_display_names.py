"""Every receiver names topics and signals by their taxonomy labels; an id without one reads as words; a
hostile label is escaped and bounded like a headline."""

from __future__ import annotations

import io
import json
import re
from datetime import timedelta
from pathlib import Path

import pytest

from newsmon.bootstrap import display_names
from newsmon.config import load_config
from services.alert.engine import RuleEngine
from services.alert.names import MAX_LABEL, DisplayNames, readable
from services.alert.notification import Notification
from services.alert.receivers import mattermost, slack_render, teams, webhook
from services.alert.receivers.console import ConsoleReceiver
from services.alert.receivers.email import render_html, subject
from services.alert.receivers.text import render_text
from services.alert.rules import TrendRule, WindowRule
from streambase.clock import ManualClock
from tests.unit.alert.factories import T0, classified, trend

CONFIG = Path(__file__).resolve().parents[3] / "config" / "newsmon.yaml"
NAMES = DisplayNames.of(
    [("iran_israel", "Iran–Israel conflict")],
    [("evacuation_notice", "Evacuation"), ("military_strike", "Military strike")],
)
IDS = ("iran_israel", "evacuation_notice", "military_strike")


def window_alert(names: DisplayNames = NAMES, topic: str = "iran_israel") -> Notification:
    rule = WindowRule(
        id="evac", kind="window", signals=("evacuation_notice", "military_strike"), within=timedelta(hours=1)
    )
    engine = RuleEngine([rule])
    alerts = [
        alert
        for n in range(2)
        for alert in engine.observe_article(
            classified(
                f"a{n}", "evacuation_notice", "military_strike", source=f"Outlet {n}", topics=(topic,)
            ),
            T0,
        )
    ]
    return Notification("desk", alerts[-1].fingerprint, (alerts[-1],), names=names)


def human_texts(note: Notification) -> dict[str, str]:
    """What a person reads in each receiver's message (the webhook's body is for machines: apart)."""
    card = teams.render(note)
    return {
        "text": render_text(note),
        "email subject": subject(note),
        "email html": render_html(note),
        "slack": json.dumps(slack_render.render(note), ensure_ascii=False),
        "slack plain": slack_render.render_plain(note)["text"],
        "teams": json.dumps(card, ensure_ascii=False),
        "mattermost": json.dumps(mattermost.render(note), ensure_ascii=False),
    }


@pytest.mark.parametrize("receiver", list(human_texts(window_alert())))
def test_every_receiver_names_topics_and_signals_by_their_labels(receiver: str) -> None:
    shown = human_texts(window_alert())[receiver]
    assert "Iran–Israel conflict" in shown
    if receiver != "email subject":
        assert "Evacuation" in shown
        assert "Military strike" in shown
    assert not [i for i in IDS if i in shown], shown


def test_a_window_alert_summary_reads_in_labels_with_its_own_counts() -> None:
    assert window_alert().summary == (
        "Evacuation + Military strike on Iran–Israel conflict: 2 independent reports carried by 2 outlets "
        "within 1h"
    )


def test_a_trend_alert_summary_names_its_topic_by_label() -> None:
    rule = TrendRule(id="surge", kind="trend", ratio=2, min_baseline_windows=2)
    engine = RuleEngine([rule])
    alerts = [
        a
        for h in range(4)
        for a in engine.observe_trend(
            trend("iran_israel", T0 + timedelta(hours=h), 0.5 if h < 3 else 3.0), T0
        )
    ]
    note = Notification("desk", alerts[0].fingerprint, (alerts[0],), names=NAMES)
    assert alerts[0].summary.startswith("iran_israel: escalation index 3.00")
    assert note.summary.startswith("Iran–Israel conflict: escalation index 3.00")


def test_the_webhook_keeps_the_ids_and_adds_a_label_beside_each() -> None:
    document = webhook.body(window_alert(), T0)
    assert (document["topic"], document["topic_label"]) == ("iran_israel", "Iran–Israel conflict")
    assert document["signal_labels"] == ["Evacuation", "Military strike"]
    alert = document["alerts"][0]
    assert (alert["topic_label"], alert["signal_labels"]) == (
        "Iran–Israel conflict",
        ["Evacuation", "Military strike"],
    )
    assert {(e["signal"], e["signal_label"]) for e in alert["evidence"]} == {
        ("evacuation_notice", "Evacuation"),
        ("military_strike", "Military strike"),
    }


def test_the_console_entry_carries_labels_beside_ids(tmp_path: Path) -> None:
    stream = io.StringIO()
    ConsoleReceiver(tmp_path, stream=stream, clock=ManualClock(T0)).send(window_alert())
    entry = json.loads((tmp_path / "alerts.jsonl").read_text())
    assert (entry["topic"], entry["topic_label"]) == ("iran_israel", "Iran–Israel conflict")
    assert entry["signal_labels"] == ["Evacuation", "Military strike"]
    assert "Topic: Iran–Israel conflict" in stream.getvalue()


def test_an_id_without_a_label_reads_as_words_not_an_error() -> None:
    note = window_alert(DisplayNames(), topic="korean_peninsula")
    assert readable("korean_peninsula") == "Korean peninsula"
    text = render_text(note)
    assert "Topic: Korean peninsula" in text
    assert "Signals: Evacuation notice, Military strike" in text
    assert note.summary.startswith("Evacuation notice + Military strike on Korean peninsula: ")


def test_the_shipped_taxonomy_labels_every_topic_and_signal() -> None:
    names = display_names(load_config(CONFIG))
    assert names.topic("iran_israel") == "Iran–Israel conflict"
    assert names.signal("escalation_warning") == "Escalation warning"
    assert set(names.topics) >= {"iran_israel", "russia_ukraine"}
    assert names.signals


HOSTILE = "<!channel> @all *bold* <script>alert(1)</script> [x](http://evil.example) " + "long " * 200


def test_a_hostile_label_is_escaped_and_bounded_in_every_receiver() -> None:
    names = DisplayNames.of(
        [("iran_israel", HOSTILE + "\r\nBcc: x@evil.example")], [("evacuation_notice", HOSTILE)]
    )
    note = window_alert(names)
    assert len(names.topic("iran_israel")) == MAX_LABEL
    assert "\n" not in names.topic("iran_israel")
    shown = human_texts(note)
    assert "<!channel>" not in shown["slack"]
    assert "&lt;!channel&gt;" in shown["slack"]
    assert "<!channel>" not in shown["slack plain"]
    assert "<script>" not in shown["email html"]
    assert "&lt;script&gt;" in shown["email html"]
    assert "\n" not in shown["email subject"]
    assert "\r" not in shown["email subject"]
    assert "@all" not in shown["mattermost"]
    assert "<!channel>" not in shown["mattermost"]
    facts = teams.render(note)["attachments"][0]["content"]["body"][2]["facts"]
    assert all(
        "[x](" not in f["value"] and "\\*bold\\*" in f["value"] for f in facts if f["title"] == "Topic"
    )
    text = render_text(note)
    assert max(len(line) for line in text.splitlines() if line.startswith(("Topic:", "Signals:"))) < 220
    assert not re.search(r"long (long ){150}", text)
