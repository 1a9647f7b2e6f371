"""The Russian pack: the Russian press's own wording found, its other senses left alone, and floors."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from services.classify.multilingual import MultilingualClassifier
from services.classify.packs import load_packs
from services.classify.taxonomy import load_taxonomy

REPO = Path(__file__).resolve().parents[3]
LABELLED = REPO / "tests" / "fixtures" / "labelled" / "lang"


@pytest.fixture(scope="module")
def classifier() -> MultilingualClassifier:
    english = load_taxonomy()
    return MultilingualClassifier(english, load_packs(REPO / "config" / "packs", english))


def signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text, "ru")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_missile_strike_is_found_and_quoted_in_russian(classifier: MultilingualClassifier) -> None:
    text = "Ночью армия нанесла ракетный удар по нефтебазе под Белгородом, начался пожар."
    found = signals(classifier, text)
    assert "military_strike" in found
    assert "ракетный удар" in found["military_strike"]


def test_a_labour_strike_and_a_shot_on_goal_are_not_strikes(classifier: MultilingualClassifier) -> None:
    assert not signals(classifier, "Водители автобусов объявили забастовку из-за задержки зарплаты.")
    shot = "Нападающий нанес удар по воротам на последней минуте матча."
    assert "military_strike" not in signals(classifier, shot)


def test_an_evacuation_under_way_is_found_and_a_denied_one_is_not(classifier: MultilingualClassifier) -> None:
    found = signals(classifier, "Власти начали эвакуацию жителей приграничных сел, детей вывозят автобусами.")
    assert "evacuation_notice" in found
    denied = "В администрации опровергли слухи об эвакуации города: эвакуация не планируется."
    assert "evacuation_notice" not in signals(classifier, denied)


def test_peaceful_nuclear_power_is_not_the_nuclear_question(classifier: MultilingualClassifier) -> None:
    threat = "МАГАТЭ предупредило об угрозе ядерной аварии на Запорожской АЭС."
    assert "nuclear" in signals(classifier, threat)
    civil = "Росатом завершил плановый ремонт энергоблока и нарастил выработку электроэнергии."
    assert "nuclear" not in signals(classifier, civil)


def test_a_call_for_a_ceasefire_and_a_figurative_killing(classifier: MultilingualClassifier) -> None:
    call = "Генсек ООН призвал стороны к немедленному прекращению огня."
    assert "ceasefire_call" in signals(classifier, call)
    assert "casualties" not in signals(classifier, "В очереди я убил время за чтением новостей.")


@pytest.mark.parametrize(("name", "floor"), [("ru-dev.jsonl", 0.815), ("ru-unseen.jsonl", 0.799)])
def test_the_russian_pack_meets_its_floors_on_the_blind_sets(name: str, floor: float) -> None:
    result = CliRunner().invoke(cli, ["eval", str(LABELLED / name), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
