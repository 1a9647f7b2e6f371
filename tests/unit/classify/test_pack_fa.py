"""The Persian pack: strikes in the press's words, half-spaced or joined; verb-final denials."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from newsmon.cli import cli
from services.classify.engine import Analysis
from services.classify.multilingual import MultilingualClassifier
from services.classify.packs import load_packs
from services.classify.taxonomy import load_taxonomy


@pytest.fixture(scope="module")
def persian(repo: Path) -> MultilingualClassifier:
    english = load_taxonomy()
    return MultilingualClassifier(english, load_packs(repo / "config" / "packs", english))


def quotes(analysis: Analysis, signal: str) -> list[str]:
    return [e.text for s in analysis.signals if s.id == signal for e in s.evidence]


def test_a_missile_attack_is_a_strike_quoted_in_persian(persian: MultilingualClassifier) -> None:
    text = "روسیه بامداد امروز با حمله موشکی زیرساخت‌های انرژی خارکیف را هدف قرار داد."
    analysis = persian.analyse(text, "fa")
    assert quotes(analysis, "military_strike") == ["حمله موشکی"]
    assert analysis.topics == ("russia_ukraine",)


def test_half_spaced_and_joined_spellings_are_one_word(persian: MultilingualClassifier) -> None:
    for ceasefire in ("آتش‌بس", "آتشبس", "آتش بس"):
        analysis = persian.analyse(f"دبیرکل سازمان ملل خواستار {ceasefire} فوری در غزه شد.", "fa")
        assert [s.id for s in analysis.signals] == ["ceasefire_call"], ceasefire


def test_a_truckers_strike_is_no_military_strike(persian: MultilingualClassifier) -> None:
    analysis = persian.analyse("کامیون‌داران در چند استان در اعتراض به نرخ کرایه دست به اعتصاب زدند.", "fa")
    assert analysis.signals == ()


def test_an_evacuation_denied_by_the_verb_after_it_is_none(persian: MultilingualClassifier) -> None:
    denied = "استانداری خبر تخلیه شهرک‌های مرزی را تکذیب کرد."
    assert quotes(persian.analyse(denied, "fa"), "evacuation_notice") == []
    ordered = "سفارت از شهروندان خود خواست فوراً خاک لبنان را ترک کنند."
    assert quotes(persian.analyse(ordered, "fa"), "evacuation_notice") != []


def test_nobody_killed_is_no_casualty_but_nine_killed_is(persian: MultilingualClassifier) -> None:
    assert quotes(persian.analyse("در این حمله هیچ کس کشته نشد.", "fa"), "casualties") == []
    nine = persian.analyse("نه نفر در حمله پهپادی کشته شدند.", "fa")  # نه is also nine
    assert quotes(nine, "casualties") == ["کشته"]


@pytest.mark.parametrize(("labelled", "floor"), [("fa-dev.jsonl", 0.97), ("fa-unseen.jsonl", 0.763)])
def test_the_persian_pack_meets_its_floors_on_the_blind_sets(repo: Path, labelled: str, floor: float) -> None:
    path = repo / "tests" / "fixtures" / "labelled" / "lang" / labelled
    result = CliRunner().invoke(cli, ["eval", str(path), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
