"""The German pack: war news found with German quotes, labour strikes and denied evacuations not."""

from __future__ import annotations

from services.classify.multilingual import MultilingualClassifier


def _signals(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text)  # the language told from the text, as the stream does
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_drone_and_missile_attack_is_a_strike_quoted_in_german(
    multilingual: MultilingualClassifier,
) -> None:
    text = "Russische Truppen haben in der Nacht Charkiw mit Raketen und Drohnen angegriffen."
    found = _signals(multilingual, text)
    assert found["military_strike"] == ["Drohnen angegriffen"]


def test_a_warning_strike_in_public_transport_is_no_military_strike(
    multilingual: MultilingualClassifier,
) -> None:
    text = "Die Gewerkschaft Verdi ruft am Montag zum Warnstreik im Nahverkehr auf, Busse bleiben stehen."
    assert _signals(multilingual, text) == {}


def test_a_denied_embassy_evacuation_is_no_evacuation(multilingual: MultilingualClassifier) -> None:
    text = "Das Auswärtige Amt dementierte Berichte über eine Evakuierung der Botschaft in Beirut."
    assert "evacuation_notice" not in _signals(multilingual, text)


def test_a_visit_a_price_war_and_a_live_fire_exercise_raise_nothing(
    multilingual: MultilingualClassifier,
) -> None:
    visit = "Der Kanzler hat den Präsidenten Kenias im Kanzleramt empfangen, es ging um Handel und Energie."
    assert _signals(multilingual, visit) == {}
    prices = "Im Preiskrieg der Discounter sprechen Händler von einer neuen Eskalationsstufe bei Butter."
    assert _signals(multilingual, prices) == {}
    drill = (
        "Auf dem Schießplatz feuerten die Soldaten beim jährlichen Übungsschießen Raketen auf Zieldrohnen ab."
    )
    assert _signals(multilingual, drill) == {}
    assert _signals(multilingual, "Warnschüsse an der Seegrenze. Verletzt wurde niemand.") == {}


def test_an_invitation_to_talks_between_the_parties_is_a_mediation_offer(
    multilingual: MultilingualClassifier,
) -> None:
    found = _signals(multilingual, "Die Schweiz lädt beide Kriegsparteien zu Gesprächen nach Genf ein.")
    assert "mediation_offer" in found
