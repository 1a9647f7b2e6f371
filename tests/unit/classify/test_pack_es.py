"""The Spanish pack: Spanish-language press wording found with its quotes, its other senses refused."""

from __future__ import annotations

from services.classify.multilingual import MultilingualClassifier


def signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text, "es")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_spanish_bombardment_is_found_with_its_quote_in_spanish(
    multilingual: MultilingualClassifier,
) -> None:
    found = signals(multilingual, "Un bombardeo ruso mató a cuatro civiles en Járkov durante la madrugada.")
    assert found["military_strike"] == ["bombardeo"]
    assert found["casualties"] == ["mató a cuatro"]


def test_a_labour_strike_is_no_military_strike(multilingual: MultilingualClassifier) -> None:
    found = signals(
        multilingual, "La huelga de controladores aéreos golpea a miles de pasajeros este fin de semana."
    )
    assert found == {}


def test_a_denied_evacuation_and_a_drill_are_no_evacuation(multilingual: MultilingualClassifier) -> None:
    assert (
        signals(multilingual, "El ejército no ordenó la evacuación de la ciudad, desmintió el portavoz.")
        == {}
    )
    assert (
        signals(multilingual, "Un simulacro de evacuación se realizó en la central nuclear de Almaraz.") == {}
    )


def test_nationals_told_to_leave_a_country_is_an_evacuation(multilingual: MultilingualClassifier) -> None:
    found = signals(multilingual, "Exteriores pide a los españoles que abandonen el Líbano lo antes posible.")
    assert "evacuation_notice" in found


def test_negative_concord_is_one_negation(multilingual: MultilingualClassifier) -> None:
    """'no hubo ningún herido' and 'no hubo muertos ni heridos' deny casualties: the second negative word of
    Spanish concord must not cancel the first."""
    nobody = signals(
        multilingual, "No hubo ningún herido en el ataque con drones contra la refinería, según el alcalde."
    )
    assert "casualties" not in nobody
    assert "military_strike" in nobody  # the attack itself is reported
    assert "casualties" not in signals(
        multilingual, "No hubo muertos ni heridos tras la explosión, según el alcalde."
    )


def test_figurative_killing_and_road_deaths_are_no_casualties(multilingual: MultilingualClassifier) -> None:
    assert (
        signals(multilingual, "«Las plataformas han matado al cine de barrio», lamentan los exhibidores.")
        == {}
    )
    assert signals(multilingual, "Un accidente de tráfico en la A-4 deja tres muertos y cinco heridos.") == {}


def test_deaths_in_an_epidemic_told_anywhere_in_the_sentence_are_no_casualties(
    multilingual: MultilingualClassifier,
) -> None:
    text = "Las autoridades sanitarias contabilizan ya cuarenta fallecidos en la región desde que empezó la "
    text += "nueva ola de covid en otoño."
    assert signals(multilingual, text) == {}
    assert signals(multilingual, "Un ataque con drones dejó cuarenta fallecidos en la región.")["casualties"]
