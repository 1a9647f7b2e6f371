"""The Hebrew pack: war news found with Hebrew quotes (prefixed forms included), labour strikes, price
offensives and denied evacuations not."""

from __future__ import annotations

from services.classify.multilingual import MultilingualClassifier


def _signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text)  # the language told from the text, as the stream does
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_an_air_strike_is_a_strike_quoted_in_hebrew(multilingual: MultilingualClassifier) -> None:
    found = _signals(multilingual, "מטוסי חיל האוויר תקפו הלילה מחסני נשק של חיזבאללה בדרום לבנון.")
    assert found["military_strike"] == ["תקפו"]


def test_words_with_the_article_and_attached_prefixes_are_found(multilingual: MultilingualClassifier) -> None:
    found = _signals(
        multilingual, "התושבים נדרשו להתפנות מהשכונה לאחר ההפגזה. מהפינוי של הכפרים בגבול לא חזר איש."
    )
    assert found["military_strike"] == ["ההפגזה"]
    assert found["evacuation_notice"] == ["להתפנות", "מהפינוי"]


def test_a_general_strike_at_the_port_is_no_military_strike(multilingual: MultilingualClassifier) -> None:
    text = "עובדי הנמל באשדוד פתחו הבוקר בשביתה כללית, וההסתדרות מאיימת להרחיב את השביתה."
    assert _signals(multilingual, text) == {}


def test_a_supermarket_price_offensive_is_no_military_strike(multilingual: MultilingualClassifier) -> None:
    assert _signals(multilingual, "רשת השיווק יוצאת למתקפה על המתחרים: מחירי רצפה על מאות מוצרים.") == {}


def test_a_denied_evacuation_and_an_eviction_are_no_evacuation(multilingual: MultilingualClassifier) -> None:
    denied = 'דובר צה"ל הכחיש את הדיווחים על פינוי תושבי קריית שמונה: "אין כל הנחיה לפנות את היישובים".'
    assert "evacuation_notice" not in _signals(multilingual, denied)
    eviction = "בית המשפט הורה על פינוי הדיירים מהבניין בתוך שלושים יום."
    assert "evacuation_notice" not in _signals(multilingual, eviction)


def test_cyber_attacks_and_a_rule_still_valid_are_no_military_strike(
    multilingual: MultilingualClassifier,
) -> None:
    assert _signals(multilingual, "החברה מודה שנפגעה ממתקפת כופר קשה, וההאקרים דורשים תשלום.") == {}
    assert _signals(multilingual, "אותו העיקרון תקף גם כשמדובר במודעות ממומנות.") == {}
