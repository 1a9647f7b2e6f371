"""The German pack: war news found with German quotes, labour strikes and denied evacuations not, and its
floors on the blind German sets."""

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
def german() -> MultilingualClassifier:
    english = load_taxonomy(DEFAULT_TAXONOMY)
    return MultilingualClassifier(english, load_packs(DEFAULT_TAXONOMY.parent / "packs", english))


def _signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text)  # the language told from the text, as the stream does
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_drone_and_missile_attack_is_a_strike_quoted_in_german(german: MultilingualClassifier) -> None:
    text = "Russische Truppen haben in der Nacht Charkiw mit Raketen und Drohnen angegriffen."
    found = _signals(german, text)
    assert found["military_strike"] == ["Drohnen angegriffen"]


def test_a_warning_strike_in_public_transport_is_no_military_strike(german: MultilingualClassifier) -> None:
    text = "Die Gewerkschaft Verdi ruft am Montag zum Warnstreik im Nahverkehr auf, Busse bleiben stehen."
    assert _signals(german, text) == {}


def test_a_denied_embassy_evacuation_is_no_evacuation(german: MultilingualClassifier) -> None:
    text = "Das Auswärtige Amt dementierte Berichte über eine Evakuierung der Botschaft in Beirut."
    assert "evacuation_notice" not in _signals(german, text)


@pytest.mark.parametrize(("name", "floor"), [("de-dev.jsonl", 0.797), ("de-unseen.jsonl", 0.895)])
def test_the_german_pack_meets_its_floors_on_the_blind_german_sets(name: str, floor: float) -> None:
    result = CliRunner().invoke(cli, ["eval", str(LABELLED / name), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
