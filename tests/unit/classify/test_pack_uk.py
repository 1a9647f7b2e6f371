"""The Ukrainian pack: the Ukrainian press's own wording found, its other senses left alone, and floors."""

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
    analysis = classifier.analyse(text, "uk")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_night_drone_attack_is_a_strike_quoted_in_ukrainian(classifier: MultilingualClassifier) -> None:
    text = "У ніч на неділю ворог атакував Харків ударними БпЛА, є влучання в житловий будинок."
    found = signals(classifier, text)
    assert "military_strike" in found
    assert found["military_strike"] == ["ударними БпЛА"]  # quoted as written, in Ukrainian
    assert "russia_ukraine" in classifier.analyse("Вибухи у Харкові та Львові вночі.", "uk").topics


def test_a_labour_strike_and_a_boxers_punch_are_not_strikes(classifier: MultilingualClassifier) -> None:
    assert not signals(classifier, "Працівники метро оголосили страйк через затримку зарплати.")
    assert not signals(classifier, "Боксер нокаутував суперника потужним ударом у третьому раунді.")
    assert "military_strike" not in signals(classifier, "Водій збив пішохода на переході в центрі Полтави.")


def test_an_evacuation_under_way_is_found_and_a_denied_one_is_not(classifier: MultilingualClassifier) -> None:
    found = signals(classifier, "Із прифронтових сіл Сумщини оголошено обов'язкову евакуацію родин з дітьми.")
    assert "evacuation_notice" in found
    denied = "В ОВА спростували чутки про евакуацію Запоріжжя: евакуація не планується."
    assert "evacuation_notice" not in signals(classifier, denied)
    towed = "У Києві евакуювали 300 неправильно припаркованих авто."
    assert "evacuation_notice" not in signals(classifier, towed)


def test_peaceful_nuclear_power_and_illicit_enrichment_are_not_the_nuclear_question(
    classifier: MultilingualClassifier,
) -> None:
    assert "nuclear" in signals(classifier, "МАГАТЕ застерегло від обстрілів Запорізької АЕС.")
    civil = "Хмельницька АЕС після планового ремонту збільшила виробництво електроенергії."
    assert "nuclear" not in signals(classifier, civil)
    assert "nuclear" not in signals(classifier, "НАБУ підозрює чиновника у незаконному збагаченні.")


def test_the_name_of_the_war_under_way_is_no_escalation_warning(classifier: MultilingualClassifier) -> None:
    text = "З початку повномасштабного вторгнення волонтери фонду зібрали понад мільярд гривень."
    assert "escalation_warning" not in signals(classifier, text)
    assert "military_strike" not in signals(classifier, text)


def test_a_call_for_a_ceasefire_and_an_offer_to_mediate(classifier: MultilingualClassifier) -> None:
    call = "Генсек ООН закликав сторони до негайного припинення вогню."
    assert "ceasefire_call" in signals(classifier, call)
    found = signals(classifier, "Туреччина готова стати майданчиком для переговорів між Києвом і Москвою.")
    assert "mediation_offer" in found


@pytest.mark.parametrize(("name", "floor"), [("uk-dev.jsonl", 0.938), ("uk-unseen.jsonl", 0.826)])
def test_the_ukrainian_pack_meets_its_floors_on_the_blind_sets(name: str, floor: float) -> None:
    result = CliRunner().invoke(cli, ["eval", str(LABELLED / name), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
