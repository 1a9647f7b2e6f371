"""Slack payloads stay within Slack's limits and inert, whatever the feed text; checked against the same
limits the stand-in Slack server enforces (`tests.servers.slack.payload_problems`)."""

from __future__ import annotations

import itertools
import re
from datetime import timedelta
from typing import Any

import pytest

from schemas import Alert, AlertEvidence, Severity
from services.alert.notification import Notification
from services.alert.receivers.slack_render import (
    MAX_SECTION,
    MAX_TEXT,
    escape,
    fit,
    link,
    render,
    render_plain,
    size,
)
from tests.servers.slack import payload_problems
from tests.unit.alert.factories import T0

LONG_NAME = "r" + "x" * 127  # the longest id a rule, topic or signal may have

TITLES = [
    "&<>" * 500,  # 1,500 characters, 6,500 once escaped
    "Strikes <!channel> see <http://evil.example|click> & more",
    "🛑" * 2000,  # two UTF-16 units each
    "line one\nline two\r\n" * 200,
    "",
]
URLS = [
    "https://news.example/a",
    "https://news.example/" + "|>" * 1000,  # the 2,000-character URL of the report, of `|` and `>`
    "https://news.example/" + "&" * 5000,
    "https://news.example/with space\nand newline",
    None,
]
SOURCES = ["Wire One", "&<>" * 700]
QUOTE_COUNTS = [1, 60]


def evidence(n: int, title: str, url: str | None, source: str) -> AlertEvidence:
    quote = "warned of &<> escalation" * 20
    return AlertEvidence(
        article_id=f"a{n}",
        source=source,
        title=title,
        url=url,
        signal=LONG_NAME,
        quote=quote,
        sentence=("<<&>> " * 300) + quote + " *said*",
        published_at=T0 + timedelta(seconds=n),
    )


def hostile(title: str, url: str | None, source: str, quotes: int, repeat: bool = False) -> Notification:
    alert = Alert(
        id="al-1",
        fingerprint="fp",
        rule_id=LONG_NAME,
        rule_kind="window",
        severity=Severity.CRITICAL,
        title=title,
        summary=title * 3,
        topic=LONG_NAME,
        signals=tuple(f"{LONG_NAME[:-3]}{n:03d}" for n in range(40)),
        evidence=tuple(evidence(n, title, url, source) for n in range(quotes)),
        distinct_sources=quotes,
        first_seen=T0,
        last_seen=T0,
        fired_at=T0,
    )
    return Notification("slack", "fp", (alert,), possible_repeat=repeat)


def mrkdwn_texts(value: Any) -> list[str]:
    if isinstance(value, dict):
        own = [value["text"]] if value.get("type") == "mrkdwn" else []
        return own + [t for k, v in value.items() if k != "text" for t in mrkdwn_texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in mrkdwn_texts(v)]
    return []


def assert_well_formed(text: str) -> None:
    """Every `&` starts a whole entity and every `<` a whole token of ours (`>` opens only a quote):
    nothing was cut inside one, and no feed text became markup."""
    assert not re.search(r"&(?!(?:amp|lt|gt);)", text), f"a broken entity in {text[:200]!r}"
    text = re.sub(r"(^|\n)>", r"\1", text)  # a quote's own marker
    tokens = re.findall(r"<([^<>]*)>", text)
    assert not re.search(r"[<>]", re.sub(r"<[^<>]*>", "", text)), f"a broken token in {text[:200]!r}"
    for token in tokens:
        assert token.startswith(("https://", "http://", "!date^")), f"markup from feed text: <{token}>"


@pytest.mark.parametrize(
    ("title", "url", "source", "quotes"), list(itertools.product(TITLES, URLS, SOURCES, QUOTE_COUNTS))
)
def test_hostile_feed_text_never_breaks_a_slack_limit(
    title: str, url: str | None, source: str, quotes: int
) -> None:
    for repeat in (False, True):
        notification = hostile(title, url, source, quotes, repeat)
        for payload in (render(notification), render_plain(notification)):
            assert payload_problems(payload) == []
            assert size(payload["text"]) <= MAX_TEXT
            for text in [payload["text"], *mrkdwn_texts(payload.get("blocks", []))]:
                assert_well_formed(text)  # plain_text (the header) is shown as it is, never parsed


def test_a_link_whose_url_is_too_long_shows_the_title_without_it() -> None:
    blocks = render(hostile("Port closed", URLS[1], "Wire One", 1))["blocks"]
    text = blocks[-2]["text"]["text"]  # the one quote, before the context block
    assert "Port closed (link too long to show)" in text
    assert "news.example" not in text


def test_a_possible_repeat_says_so_in_the_fallback_text_and_the_first_block() -> None:
    payload = render(hostile("Port closed", URLS[0], "Wire One", 1, repeat=True))
    assert payload["text"].startswith("(possible repeat) CRITICAL: Port closed")
    assert payload["blocks"][0]["text"]["text"].startswith("(possible repeat) CRITICAL: Port closed")
    plain = render_plain(hostile("Port closed", URLS[0], "Wire One", 1, repeat=True))
    assert plain["text"].startswith("*(possible repeat) CRITICAL: Port closed*")
    assert "possible repeat" not in str(render(hostile("Port closed", URLS[0], "Wire One", 1)))


def test_the_plain_text_form_counts_the_quotes_it_leaves_out() -> None:
    text = render_plain(hostile("Port closed", URLS[0], "Wire One", 60))["text"]
    shown = text.count("\n>")
    assert 1 <= shown < 60
    assert f"_{60 - shown} more quote(s) not shown_" in text


def test_the_three_control_characters_are_escaped() -> None:
    assert escape("a & b <!here> <https://x|y>") == "a &amp; b &lt;!here&gt; &lt;https://x|y&gt;"


def test_cutting_never_splits_an_entity() -> None:
    text = escape("x" * (MAX_SECTION - 3) + "<<<")
    cut = fit(text)
    assert len(cut) <= MAX_SECTION
    assert cut.endswith("x…")


def test_cutting_never_splits_a_link_or_an_emoji() -> None:
    assert fit("x" * 2990 + "<https://news.example/a|title>") == "x" * 2990 + "…"
    assert fit("🛑" * 2000, 11) == "🛑" * 5 + "…"


def test_a_link_cannot_be_broken_out_of_by_its_url_or_label() -> None:
    made = link("https://evil.example/a|b>c", "click | <here>")
    assert made == "<https://evil.example/a%7Cb&gt;c|click ¦ &lt;here&gt;>"
