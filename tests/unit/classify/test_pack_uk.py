"""The Ukrainian pack: the Ukrainian press's own wording found, its other senses left alone."""

from __future__ import annotations

from services.classify.multilingual import MultilingualClassifier


def signals(multilingual: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = multilingual.analyse(text, "uk")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_night_drone_attack_is_a_strike_quoted_in_ukrainian(multilingual: MultilingualClassifier) -> None:
    text = "У ніч на неділю ворог атакував Харків ударними БпЛА, є влучання в житловий будинок."
    found = signals(multilingual, text)
    assert "military_strike" in found
    assert found["military_strike"] == ["ударними БпЛА"]  # quoted as written, in Ukrainian
    assert "russia_ukraine" in multilingual.analyse("Вибухи у Харкові та Львові вночі.", "uk").topics


def test_a_labour_strike_and_a_boxers_punch_are_not_strikes(multilingual: MultilingualClassifier) -> None:
    assert not signals(multilingual, "Працівники метро оголосили страйк через затримку зарплати.")
    assert not signals(multilingual, "Боксер нокаутував суперника потужним ударом у третьому раунді.")
    assert "military_strike" not in signals(multilingual, "Водій збив пішохода на переході в центрі Полтави.")


def test_an_evacuation_under_way_is_found_and_a_denied_one_is_not(
    multilingual: MultilingualClassifier,
) -> None:
    found = signals(
        multilingual, "Із прифронтових сіл Сумщини оголошено обов'язкову евакуацію родин з дітьми."
    )
    assert "evacuation_notice" in found
    denied = "В ОВА спростували чутки про евакуацію Запоріжжя: евакуація не планується."
    assert "evacuation_notice" not in signals(multilingual, denied)
    towed = "У Києві евакуювали 300 неправильно припаркованих авто."
    assert "evacuation_notice" not in signals(multilingual, towed)


def test_peaceful_nuclear_power_and_illicit_enrichment_are_not_the_nuclear_question(
    multilingual: MultilingualClassifier,
) -> None:
    assert "nuclear" in signals(multilingual, "МАГАТЕ застерегло від обстрілів Запорізької АЕС.")
    civil = "Хмельницька АЕС після планового ремонту збільшила виробництво електроенергії."
    assert "nuclear" not in signals(multilingual, civil)
    assert "nuclear" not in signals(multilingual, "НАБУ підозрює чиновника у незаконному збагаченні.")


def test_the_name_of_the_war_under_way_is_no_escalation_warning(multilingual: MultilingualClassifier) -> None:
    text = "З початку повномасштабного вторгнення волонтери фонду зібрали понад мільярд гривень."
    assert "escalation_warning" not in signals(multilingual, text)
    assert "military_strike" not in signals(multilingual, text)


def test_a_call_for_a_ceasefire_and_an_offer_to_mediate(multilingual: MultilingualClassifier) -> None:
    call = "Генсек ООН закликав сторони до негайного припинення вогню."
    assert "ceasefire_call" in signals(multilingual, call)
    found = signals(multilingual, "Туреччина готова стати майданчиком для переговорів між Києвом і Москвою.")
    assert "mediation_offer" in found


def test_passengers_affected_by_cancellations_and_epidemic_deaths_are_no_casualties(
    multilingual: MultilingualClassifier,
) -> None:
    assert signals(multilingual, "Тисячі пасажирів постраждали через скасування рейсів авіакомпанії.") == {}
    assert signals(multilingual, "Жертви пандемії: у місті за тиждень померли десятеро людей.") == {}
