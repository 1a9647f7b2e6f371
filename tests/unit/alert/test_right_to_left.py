"""Quotes in right-to-left languages read right to left in every receiver, and the words around them stay
in place; quotes in other languages are shown as before."""

from __future__ import annotations

import json

from schemas import Alert, AlertEvidence
from services.alert.engine import RuleEngine
from services.alert.notification import Notification
from services.alert.receivers import email, mattermost, slack_render, teams, webhook
from services.alert.receivers.text import render_text
from tests.servers.slack import payload_problems
from tests.servers.teams import card_problems
from tests.unit.alert.factories import T0, classified
from tests.unit.alert.test_grouping import RULE, alert

ARABIC = "وأمر الجيش سكان البلدات الحدودية بالإخلاء فوراً قبل الغارات."
PROOF = "بالإخلاء"


def with_quote(sentence: str, proof: str, language: str) -> Notification:
    base = alert("a")
    quote = AlertEvidence(
        article_id="a",
        source="Desk",
        title="عنوان الخبر",
        url="https://news.example/a",
        signal="evacuation_notice",
        quote=proof,
        sentence=sentence,
        published_at=T0,
        language=language,
    )
    shown: Alert = base.model_copy(update={"evidence": (quote,)})
    return Notification("desk", shown.fingerprint, (shown,))


def test_email_sets_a_right_to_left_quote_right_to_left_with_its_bar_on_the_right() -> None:
    html = email.render_html(with_quote(ARABIC, PROOF, "ar"))
    assert "<blockquote style='border-right:3px solid" in html
    assert "lang='ar' dir='rtl'>" in html
    assert f"<strong>{PROOF}</strong>" in html
    english = email.render_html(with_quote("Residents were told to leave.", "told to leave", "en"))
    assert "<blockquote style='border-left:3px solid" in english
    assert "lang='en'>" in english
    assert "dir='rtl'" not in english


def test_text_slack_and_mattermost_isolate_a_right_to_left_quote() -> None:
    notification = with_quote(ARABIC, PROOF, "ar")
    assert f'"\u2068{ARABIC}\u2069"' in render_text(notification)
    payload = slack_render.render(notification)
    assert payload_problems(payload) == []
    text = json.dumps(payload, ensure_ascii=False)
    assert f"\u2068وأمر الجيش سكان البلدات الحدودية *{PROOF}* فوراً قبل الغارات.\u2069" in text
    assert "\u2068" in mattermost.render(notification)["attachments"][0]["text"]
    english = with_quote("Residents were told to leave.", "told to leave", "en")
    assert "\u2068" not in render_text(english)
    assert "\u2068" not in json.dumps(slack_render.render(english), ensure_ascii=False)


def test_teams_sets_a_right_to_left_quote_in_a_right_to_left_container_the_card_schema_accepts() -> None:
    payload = teams.render(with_quote(ARABIC, PROOF, "ar"))
    assert card_problems(payload) == []
    card = json.dumps(payload, ensure_ascii=False)
    assert '"type": "Container", "rtl": true' in card
    assert PROOF in card


def test_an_alert_quote_carries_the_language_classify_told_for_its_article() -> None:
    article = classified("h1", "us_intervention_warning").model_copy(update={"language": "he"})
    [fired] = RuleEngine([RULE]).observe_article(article, T0)
    assert [item.language for item in fired.evidence] == ["he"]


def test_the_webhook_body_says_which_language_each_quote_is_in() -> None:
    body = webhook.body(with_quote(ARABIC, PROOF, "ar"), T0)
    assert [e["language"] for e in body["alerts"][0]["evidence"]] == ["ar"]
