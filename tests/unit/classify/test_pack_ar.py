"""The Arabic pack: the press's own words for strikes, with the attached prefixes, and its hard negatives."""

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
def arabic(repo: Path) -> MultilingualClassifier:
    english = load_taxonomy()
    return MultilingualClassifier(english, load_packs(repo / "config" / "packs", english))


def quotes(analysis: Analysis, signal: str) -> list[str]:
    return [e.text for s in analysis.signals if s.id == signal for e in s.evidence]


def test_an_air_raid_is_a_strike_quoted_in_arabic(arabic: MultilingualClassifier) -> None:
    analysis = arabic.analyse("شنت طائرات حربية إسرائيلية غارات على مواقع في جنوب لبنان فجر اليوم.", "ar")
    assert quotes(analysis, "military_strike") == ["غارات"]
    assert analysis.actors == ("IL", "LB")


def test_a_bombardment_is_found_with_its_attached_prefixes(arabic: MultilingualClassifier) -> None:
    analysis = arabic.analyse("وقال السكان إن المدينة تعرضت للقصف طوال الليل، والقصف مستمر حتى الآن.", "ar")
    assert quotes(analysis, "military_strike") == ["للقصف"]  # one passage per sentence
    assert arabic.analyse("والقصف مستمر على أحياء خاركيف.", "ar").topics == ("russia_ukraine",)


def test_a_teachers_strike_is_no_military_strike(arabic: MultilingualClassifier) -> None:
    analysis = arabic.analyse("أعلنت نقابة المعلمين الإضراب الشامل عن العمل احتجاجا على تدني الأجور.", "ar")
    assert analysis.signals == ()


def test_a_denied_evacuation_is_no_evacuation(arabic: MultilingualClassifier) -> None:
    denied = "نفت وزارة الخارجية الأنباء عن إجلاء الرعايا الأجانب من بيروت، ووصفتها بأنها عارية عن الصحة."
    assert quotes(arabic.analyse(denied, "ar"), "evacuation_notice") == []
    ordered = "ودعت فرنسا رعاياها إلى مغادرة لبنان فورا، وبدأت عمليات الإجلاء عبر مطار بيروت."
    assert quotes(arabic.analyse(ordered, "ar"), "evacuation_notice") != []


def test_a_ceasefire_call_is_not_gunfire(arabic: MultilingualClassifier) -> None:
    analysis = arabic.analyse("دعا الأمين العام إلى وقف فوري لإطلاق النار في غزة.", "ar")
    assert [s.id for s in analysis.signals] == ["ceasefire_call"]


@pytest.mark.parametrize(("labelled", "floor"), [("ar-dev.jsonl", 0.97), ("ar-unseen.jsonl", 0.867)])
def test_the_arabic_pack_meets_its_floors_on_the_blind_sets(repo: Path, labelled: str, floor: float) -> None:
    path = repo / "tests" / "fixtures" / "labelled" / "lang" / labelled
    result = CliRunner().invoke(cli, ["eval", str(path), "--min-macro-f1", str(floor)])
    assert result.exit_code == 0, result.stdout + result.stderr
