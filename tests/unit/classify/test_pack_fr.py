"""The French pack: French press wording found with its quotes, its other senses refused."""

from __future__ import annotations

from services.classify.multilingual import MultilingualClassifier


def signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text, "fr")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_french_air_strike_is_found_with_its_quote_in_french(multilingual: MultilingualClassifier) -> None:
    found = signals(multilingual, "Des frappes aériennes israéliennes ont visé le sud du Liban dans la nuit.")
    assert found["military_strike"] == ["frappes aériennes"]


def test_a_labour_strike_hitting_travellers_is_no_military_strike(
    multilingual: MultilingualClassifier,
) -> None:
    found = signals(
        multilingual, "La grève des contrôleurs aériens frappe durement les vacanciers ce week-end."
    )
    assert found == {}


def test_a_denied_evacuation_and_a_drill_are_no_evacuation(multilingual: MultilingualClassifier) -> None:
    assert (
        signals(multilingual, "L'armée n'a pas ordonné l'évacuation de la ville, a démenti le porte-parole.")
        == {}
    )
    drill = "Quelque 300 élèves ont été évacués mardi en moins de cinq minutes lors d'un exercice incendie."
    assert signals(multilingual, drill) == {}


def test_nationals_told_to_leave_a_country_is_an_evacuation(multilingual: MultilingualClassifier) -> None:
    found = signals(
        multilingual, "Le Quai d'Orsay appelle les ressortissants français à quitter le Liban sans délai."
    )
    assert "evacuation_notice" in found


def test_negation_is_counted_once_in_ne_pas(multilingual: MultilingualClassifier) -> None:
    """'ne ... pas' is one negation: the 'ne' is no cue, or the two would cancel."""
    assert "casualties" not in signals(
        multilingual, "L'explosion n'a pas fait de blessés, selon les secours."
    )
    assert "casualties" in signals(multilingual, "Deux soldats ont été tués et trois blessés par un drone.")


def test_figurative_killing_and_road_deaths_are_no_casualties(multilingual: MultilingualClassifier) -> None:
    assert signals(multilingual, "Le PSG a tué le match dès la première mi-temps.") == {}
    road = "Un accident sur l'autoroute A7 a fait trois morts et cinq blessés dimanche, selon la préfecture."
    assert signals(multilingual, road) == {}
