"""The Hebrew pack: war news found with Hebrew quotes (prefixed forms included), labour strikes, price
offensives and denied evacuations not, and its floors on the blind Hebrew sets."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from services.classify.multilingual import MultilingualClassifier
from services.classify.packs import load_packs
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy

LABELLED = Path(__file__).parents[2] / "fixtures" / "labelled" / "lang"


@pytest.fixture(scope="module")
def hebrew() -> MultilingualClassifier:
    english = load_taxonomy(DEFAULT_TAXONOMY)
    return MultilingualClassifier(english, load_packs(DEFAULT_TAXONOMY.parent / "packs", english))


def _signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text)  # the language told from the text, as the stream does
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_an_air_strike_is_a_strike_quoted_in_hebrew(hebrew: MultilingualClassifier) -> None:
    found = _signals(hebrew, "מטוסי חיל האוויר תקפו הלילה מחסני נשק של חיזבאללה בדרום לבנון.")
    assert found["military_strike"] == ["תקפו"]


def test_words_with_the_article_and_attached_prefixes_are_found(hebrew: MultilingualClassifier) -> None:
    found = _signals(hebrew, "התושבים נדרשו להתפנות מהשכונה לאחר ההפגזה. מהפינוי של הכפרים בגבול לא חזר איש.")
    assert found["military_strike"] == ["ההפגזה"]
    assert found["evacuation_notice"] == ["להתפנות", "מהפינוי"]


def test_a_general_strike_at_the_port_is_no_military_strike(hebrew: MultilingualClassifier) -> None:
    text = "עובדי הנמל באשדוד פתחו הבוקר בשביתה כללית, וההסתדרות מאיימת להרחיב את השביתה."
    assert _signals(hebrew, text) == {}


def test_a_supermarket_price_offensive_is_no_military_strike(hebrew: MultilingualClassifier) -> None:
    assert _signals(hebrew, "רשת השיווק יוצאת למתקפה על המתחרים: מחירי רצפה על מאות מוצרים.") == {}


def test_a_denied_evacuation_and_an_eviction_are_no_evacuation(hebrew: MultilingualClassifier) -> None:
    denied = 'דובר צה"ל הכחיש את הדיווחים על פינוי תושבי קריית שמונה: "אין כל הנחיה לפנות את היישובים".'
    assert "evacuation_notice" not in _signals(hebrew, denied)
    eviction = "בית המשפט הורה על פינוי הדיירים מהבניין בתוך שלושים יום."
    assert "evacuation_notice" not in _signals(hebrew, eviction)


@pytest.mark.parametrize(("name", "floor"), [("he-dev.jsonl", 0.97), ("he-unseen.jsonl", 0.771)])
def test_the_hebrew_pack_meets_its_floors_on_the_blind_hebrew_sets(name: str, floor: float) -> None:
    result = CliRunner().invoke(cli, ["eval", str(LABELLED / name), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
