"""The Russian pack: the Russian press's own wording found, its other senses left alone."""

from __future__ import annotations

from services.classify.multilingual import MultilingualClassifier


def signals(multilingual: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = multilingual.analyse(text, "ru")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}


def test_a_missile_strike_is_found_and_quoted_in_russian(multilingual: MultilingualClassifier) -> None:
    text = "Ночью армия нанесла ракетный удар по нефтебазе под Белгородом, начался пожар."
    found = signals(multilingual, text)
    assert "military_strike" in found
    assert "ракетный удар" in found["military_strike"]


def test_a_labour_strike_and_a_shot_on_goal_are_not_strikes(multilingual: MultilingualClassifier) -> None:
    assert not signals(multilingual, "Водители автобусов объявили забастовку из-за задержки зарплаты.")
    shot = "Нападающий нанес удар по воротам на последней минуте матча."
    assert "military_strike" not in signals(multilingual, shot)


def test_an_evacuation_under_way_is_found_and_a_denied_one_is_not(
    multilingual: MultilingualClassifier,
) -> None:
    found = signals(
        multilingual, "Власти начали эвакуацию жителей приграничных сел, детей вывозят автобусами."
    )
    assert "evacuation_notice" in found
    denied = "В администрации опровергли слухи об эвакуации города: эвакуация не планируется."
    assert "evacuation_notice" not in signals(multilingual, denied)


def test_peaceful_nuclear_power_is_not_the_nuclear_question(multilingual: MultilingualClassifier) -> None:
    threat = "МАГАТЭ предупредило об угрозе ядерной аварии на Запорожской АЭС."
    assert "nuclear" in signals(multilingual, threat)
    civil = "Росатом завершил плановый ремонт энергоблока и нарастил выработку электроэнергии."
    assert "nuclear" not in signals(multilingual, civil)


def test_a_call_for_a_ceasefire_and_a_figurative_killing(multilingual: MultilingualClassifier) -> None:
    call = "Генсек ООН призвал стороны к немедленному прекращению огня."
    assert "ceasefire_call" in signals(multilingual, call)
    assert "casualties" not in signals(multilingual, "В очереди я убил время за чтением новостей.")


def test_passengers_affected_by_cancellations_and_epidemic_deaths_are_no_casualties(
    multilingual: MultilingualClassifier,
) -> None:
    assert signals(multilingual, "Тысячи пассажиров пострадали из-за отмены рейсов лоукостера.") == {}
    text = "В регионе за неделю умерли двенадцать человек, врачи связывают рост смертности с новой волной "
    text += "коронавируса."
    assert signals(multilingual, text) == {}


def test_a_foiled_attack_a_matchs_play_and_rent_escalation_raise_nothing(
    multilingual: MultilingualClassifier,
) -> None:
    foiled = (
        "Сотрудники ФСБ предотвратили теракт: задержанный готовил подрыв автомобиля у здания администрации."
    )
    assert signals(multilingual, foiled) == {}
    match = "Весь второй тайм хозяева обстреливали ворота соперника и на последней минуте забили третий гол."
    assert signals(multilingual, match) == {}
    assert signals(multilingual, "Риелторы говорят об эскалации ставок на аренду жилья к осени.") == {}


def test_a_war_spilling_over_is_an_escalation_warning_and_no_victims_is_no_casualty(
    multilingual: MultilingualClassifier,
) -> None:
    spill = signals(multilingual, "Аналитики опасаются, что война может выплеснуться за пределы региона.")
    assert "escalation_warning" in spill
    strike = signals(multilingual, "Дроны атаковали нефтебазу под Туапсе. О жертвах пока не сообщается.")
    assert "military_strike" in strike
    assert "casualties" not in strike
