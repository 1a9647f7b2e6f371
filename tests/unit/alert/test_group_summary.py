"""A grouped notification's summary line agrees with the facts and quotes below it, in every receiver format.

The group mixes window alerts whose windows have moved on (each, alone, says "1 story from 1 source") with
an article alert, so no single alert's summary could describe it: the summary must come from the group."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from services.alert.engine import RuleEngine
from services.alert.names import DisplayNames
from services.alert.notification import Notification
from services.alert.receivers import mattermost, slack_render, teams, webhook
from services.alert.receivers.email import render_html
from services.alert.receivers.text import render_text
from services.alert.rules import ArticleRule, WindowRule
from tests.unit.alert.factories import T0, classified

NAMES = DisplayNames.of(
    [("iran_israel", "Iran–Israel conflict")],
    [
        ("evacuation_notice", "Evacuation"),
        ("us_intervention_warning", "Warning over US military intervention"),
    ],
)
SUMMARY = re.compile(r"(\d+) alerts? from (\d+) sources?, (\d+) quotes?")


def mixed_group() -> Notification:
    """Two window alerts an hour apart (one source each, two in all) and an article alert, three sources."""
    window = WindowRule(id="evac", kind="window", signals=("evacuation_notice",), within=timedelta(hours=1))
    article = ArticleRule(id="warning", kind="article", signals=("us_intervention_warning",))
    engine = RuleEngine([window, article])
    alerts = []
    for n, (signal, at) in enumerate(
        [
            ("evacuation_notice", T0),
            ("evacuation_notice", T0 + timedelta(hours=2)),
            ("us_intervention_warning", T0 + timedelta(hours=1)),
        ]
    ):
        alerts += engine.observe_article(classified(f"a{n}", signal, source=f"Outlet {n}", at=at), at)
    lone = [a for a in alerts if a.rule_kind == "window"]
    assert all("1 independent report carried by 1 outlet" in a.summary for a in lone)  # each one alone
    return Notification("desk", alerts[0].fingerprint, tuple(alerts), names=NAMES)


def summary_counts(text: str) -> tuple[int, int, int]:
    """(alerts, sources, quotes) as the summary line states them."""
    found = SUMMARY.search(text)
    assert found is not None, f"no counts in the summary {text!r}"
    alerts, sources, quotes = (int(g) for g in found.groups())
    return alerts, sources, quotes


def not_shown(text: str) -> int:
    found = re.search(r"(\d+) more quotes? not shown", text)
    return int(found.group(1)) if found else 0


def test_the_group_has_more_sources_than_its_newest_alert_says() -> None:
    note = mixed_group()
    assert (len(note.alerts), note.distinct_sources, note.quotes) == (3, 3, 3)
    assert summary_counts(note.summary) == (3, 3, 3)
    assert note.summary.startswith(
        "Evacuation + Warning over US military intervention on Iran–Israel conflict:"
    )


def test_the_text_summary_agrees_with_its_facts_and_quotes() -> None:
    text = render_text(mixed_group())
    summary_line = text.splitlines()[1]
    sources = int(re.search(r"^Distinct sources: (\d+)$", text, re.M).group(1))  # type: ignore[union-attr]
    quotes = len(re.findall(r'^  "', text, re.M)) + not_shown(text)
    alerts = len(re.search(r"^Alert ids: (.*)$", text, re.M).group(1).split(", "))  # type: ignore[union-attr]
    assert summary_counts(summary_line) == (alerts, sources, quotes) == (3, 3, 3)


def test_the_html_email_summary_agrees_with_its_facts_and_quotes() -> None:
    page = render_html(mixed_group())
    summary_line = re.search(r"</h2><p>(.*?)</p>", page).group(1)  # type: ignore[union-attr]
    sources = int(re.search(r"Distinct sources</th><td>(\d+)<", page).group(1))  # type: ignore[union-attr]
    quotes = page.count("<blockquote") + not_shown(page)
    alerts = len(re.search(r"Alert ids: (.*?)</small>", page).group(1).split(", "))  # type: ignore[union-attr]
    assert summary_counts(summary_line) == (alerts, sources, quotes) == (3, 3, 3)


def _slack_counts(payload: dict[str, Any]) -> tuple[int, int, int]:
    blocks = payload["blocks"]
    fields = [f["text"] for b in blocks if "fields" in b for f in b["fields"]]
    sources = int(next(f for f in fields if f.startswith("*Distinct sources*")).split("\n")[1])
    context = blocks[-1]["elements"][-1]["text"]
    alerts = int(re.match(r"(\d+) alert", context).group(1))  # type: ignore[union-attr]
    quotes = sum(1 for b in blocks if b.get("text", {}).get("text", "").startswith(">")) + not_shown(context)
    return alerts, sources, quotes


def test_the_slack_summary_and_preview_agree_with_its_fields_quotes_and_context() -> None:
    payload = slack_render.render(mixed_group())
    body = _slack_counts(payload)
    assert summary_counts(payload["blocks"][1]["text"]["text"]) == body == (3, 3, 3)
    assert summary_counts(payload["text"]) == body


def test_the_slack_plain_text_summary_agrees_with_its_facts_and_quotes() -> None:
    text = slack_render.render_plain(mixed_group())["text"]
    lines = text.split("\n")
    sources = int(re.search(r"Distinct sources: (\d+)", text).group(1))  # type: ignore[union-attr]
    quotes = sum(1 for line in lines if line.startswith(">")) + not_shown(text)
    assert summary_counts(lines[1]) == (3, sources, quotes) == (3, 3, 3)


def test_the_teams_summary_agrees_with_its_facts_quotes_and_footer() -> None:
    card = teams.render(mixed_group())["attachments"][0]["content"]
    body = card["body"]
    summary_line = body[1]["inlines"][0]["text"]
    facts = {f["title"]: f["value"] for b in body if b["type"] == "FactSet" for f in b["facts"]}
    footer = body[-1]["inlines"][0]["text"]
    alerts = int(re.match(r"(\d+) alert", footer).group(1))  # type: ignore[union-attr]
    quotes = (
        sum(1 for b in body if b.get("separator") and b["type"] == "RichTextBlock") - 1
    )  # less the footer
    assert summary_counts(summary_line) == (
        alerts,
        int(facts["Distinct sources"]),
        quotes + not_shown(footer),
    )
    assert summary_counts(summary_line) == (3, 3, 3)


def test_the_mattermost_summary_agrees_with_its_fields_quotes_and_footer() -> None:
    payload = mattermost.render(mixed_group())
    attachment = payload["attachments"][0]
    fields = {f["title"]: f["value"] for f in attachment["fields"]}
    alerts = int(re.match(r"(\d+) alert", attachment["footer"]).group(1))  # type: ignore[union-attr]
    quotes = len(re.findall(r"^> ", attachment["text"], re.M)) + not_shown(attachment["footer"])
    summary_line = payload["text"].split("\n")[1]
    assert summary_counts(summary_line) == (alerts, int(fields["Distinct sources"]), quotes) == (3, 3, 3)


def test_the_webhook_summary_agrees_with_the_body() -> None:
    document = webhook.body(mixed_group(), T0)
    alerts = len(document["alerts"]) + document["alerts_omitted"]
    quotes = len({(e["article_id"], e["signal"]) for a in document["alerts"] for e in a["evidence"]})
    assert summary_counts(document["summary"]) == (alerts, document["distinct_sources"], quotes) == (3, 3, 3)


def test_a_group_spanning_hours_says_when_it_was_last_seen_as_well_as_first() -> None:
    note = mixed_group()
    assert "First seen: 2025-06-17 12:00 UTC\nLast seen: 2025-06-17 14:00 UTC" in render_text(note)
    fields = [f["text"] for f in slack_render.render(note)["blocks"][2]["fields"]]
    assert any(f.startswith("*Last seen*\n<!date^") and "2025-06-17 14:00 UTC" in f for f in fields)


def test_a_group_summary_keeps_its_counts_however_many_and_long_the_labels() -> None:
    group = mixed_group()
    many = tuple(f"signal_{n}" for n in range(12))
    alerts = (group.alerts[0].model_copy(update={"signals": many}), *group.alerts[1:])
    names = DisplayNames.of([("iran_israel", "T" * 500)], [(s, "S" * 500) for s in many])
    note = replace(group, alerts=alerts, names=names)
    card = teams.render(note)["attachments"][0]["content"]
    assert summary_counts(card["body"][1]["inlines"][0]["text"]) == (3, 3, 3)
    assert summary_counts(mattermost.render(note)["text"]) == (3, 3, 3)
