"""The French pack: French press wording found with its quotes, its other senses refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from services.classify.multilingual import MultilingualClassifier
from services.classify.packs import load_packs
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy

FLOORS = {"fr-dev.jsonl": 0.97, "fr-unseen.jsonl": 0.79}  # measured 1.000 and 0.828, less 0.03


@pytest.fixture(scope="module")
def fr() -> MultilingualClassifier:
    english = load_taxonomy(DEFAULT_TAXONOMY)
    return MultilingualClassifier(english, load_packs(DEFAULT_TAXONOMY.parent / "packs", english))


def signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text, "fr")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_french_air_strike_is_found_with_its_quote_in_french(fr: MultilingualClassifier) -> None:
    found = signals(fr, "Des frappes aériennes israéliennes ont visé le sud du Liban dans la nuit.")
    assert found["military_strike"] == ["frappes aériennes"]


def test_a_labour_strike_hitting_travellers_is_no_military_strike(fr: MultilingualClassifier) -> None:
    found = signals(fr, "La grève des contrôleurs aériens frappe durement les vacanciers ce week-end.")
    assert found == {}


def test_a_denied_evacuation_and_a_drill_are_no_evacuation(fr: MultilingualClassifier) -> None:
    assert signals(fr, "L'armée n'a pas ordonné l'évacuation de la ville, a démenti le porte-parole.") == {}
    drill = "Quelque 300 élèves ont été évacués mardi en moins de cinq minutes lors d'un exercice incendie."
    assert signals(fr, drill) == {}


def test_nationals_told_to_leave_a_country_is_an_evacuation(fr: MultilingualClassifier) -> None:
    found = signals(fr, "Le Quai d'Orsay appelle les ressortissants français à quitter le Liban sans délai.")
    assert "evacuation_notice" in found


def test_negation_is_counted_once_in_ne_pas(fr: MultilingualClassifier) -> None:
    """'ne ... pas' is one negation: the 'ne' is no cue, or the two would cancel."""
    assert "casualties" not in signals(fr, "L'explosion n'a pas fait de blessés, selon les secours.")
    assert "casualties" in signals(fr, "Deux soldats ont été tués et trois blessés par un drone.")


def test_figurative_killing_and_road_deaths_are_no_casualties(fr: MultilingualClassifier) -> None:
    assert signals(fr, "Le PSG a tué le match dès la première mi-temps.") == {}
    road = "Un accident sur l'autoroute A7 a fait trois morts et cinq blessés dimanche, selon la préfecture."
    assert signals(fr, road) == {}


@pytest.mark.parametrize(("name", "floor"), sorted(FLOORS.items()))
def test_the_french_pack_meets_its_floors_on_the_blind_sets(repo: Path, name: str, floor: float) -> None:
    labelled = repo / "tests" / "fixtures" / "labelled" / "lang" / name
    result = CliRunner().invoke(cli, ["eval", str(labelled), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
