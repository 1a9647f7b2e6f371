"""The Persian pack: strikes in the press's words, half-spaced or joined; verb-final denials."""

from __future__ import annotations

from services.classify.engine import Analysis
from services.classify.multilingual import MultilingualClassifier


def quotes(analysis: Analysis, signal: str) -> list[str]:
    return [e.text for s in analysis.signals if s.id == signal for e in s.evidence]


def test_a_missile_attack_is_a_strike_quoted_in_persian(multilingual: MultilingualClassifier) -> None:
    text = "روسیه بامداد امروز با حمله موشکی زیرساخت‌های انرژی خارکیف را هدف قرار داد."
    analysis = multilingual.analyse(text, "fa")
    assert quotes(analysis, "military_strike") == ["حمله موشکی"]
    assert analysis.topics == ("russia_ukraine",)


def test_half_spaced_and_joined_spellings_are_one_word(multilingual: MultilingualClassifier) -> None:
    for ceasefire in ("آتش‌بس", "آتشبس", "آتش بس"):
        analysis = multilingual.analyse(f"دبیرکل سازمان ملل خواستار {ceasefire} فوری در غزه شد.", "fa")
        assert [s.id for s in analysis.signals] == ["ceasefire_call"], ceasefire


def test_a_truckers_strike_is_no_military_strike(multilingual: MultilingualClassifier) -> None:
    analysis = multilingual.analyse(
        "کامیون‌داران در چند استان در اعتراض به نرخ کرایه دست به اعتصاب زدند.", "fa"
    )
    assert analysis.signals == ()


def test_an_evacuation_denied_by_the_verb_after_it_is_none(multilingual: MultilingualClassifier) -> None:
    denied = "استانداری خبر تخلیه شهرک‌های مرزی را تکذیب کرد."
    assert quotes(multilingual.analyse(denied, "fa"), "evacuation_notice") == []
    ordered = "سفارت از شهروندان خود خواست فوراً خاک لبنان را ترک کنند."
    assert quotes(multilingual.analyse(ordered, "fa"), "evacuation_notice") != []


def test_nobody_killed_is_no_casualty_but_nine_killed_is(multilingual: MultilingualClassifier) -> None:
    assert quotes(multilingual.analyse("در این حمله هیچ کس کشته نشد.", "fa"), "casualties") == []
    nine = multilingual.analyse("نه نفر در حمله پهپادی کشته شدند.", "fa")  # نه is also nine
    assert quotes(nine, "casualties") == ["کشته"]


def test_an_interview_with_a_reporter_and_a_constructive_role_are_no_diplomacy(
    multilingual: MultilingualClassifier,
) -> None:
    interview = "مدیر کل ورزش استان امروز در گفت‌وگو با خبرنگار فارس با اشاره به اهمیت طرح جدید گفت."
    assert _found(multilingual, interview) == {}
    assert _found(multilingual, "وی بر نقش سازنده خانواده در تربیت فرزندان تاکید کرد.") == {}


def _found(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text, "fa")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}
