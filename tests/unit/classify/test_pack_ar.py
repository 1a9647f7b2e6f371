"""The Arabic pack: the press's own words for strikes, with the attached prefixes, and its hard negatives."""

from __future__ import annotations

from services.classify.engine import Analysis
from services.classify.multilingual import MultilingualClassifier


def quotes(analysis: Analysis, signal: str) -> list[str]:
    return [e.text for s in analysis.signals if s.id == signal for e in s.evidence]


def test_an_air_raid_is_a_strike_quoted_in_arabic(multilingual: MultilingualClassifier) -> None:
    analysis = multilingual.analyse(
        "شنت طائرات حربية إسرائيلية غارات على مواقع في جنوب لبنان فجر اليوم.", "ar"
    )
    assert quotes(analysis, "military_strike") == ["غارات"]
    assert analysis.actors == ("IL", "LB")


def test_a_bombardment_is_found_with_its_attached_prefixes(multilingual: MultilingualClassifier) -> None:
    analysis = multilingual.analyse(
        "وقال السكان إن المدينة تعرضت للقصف طوال الليل، والقصف مستمر حتى الآن.", "ar"
    )
    assert quotes(analysis, "military_strike") == ["للقصف"]  # one passage per sentence
    assert multilingual.analyse("والقصف مستمر على أحياء خاركيف.", "ar").topics == ("russia_ukraine",)


def test_a_teachers_strike_is_no_military_strike(multilingual: MultilingualClassifier) -> None:
    analysis = multilingual.analyse(
        "أعلنت نقابة المعلمين الإضراب الشامل عن العمل احتجاجا على تدني الأجور.", "ar"
    )
    assert analysis.signals == ()


def test_a_denied_evacuation_is_no_evacuation(multilingual: MultilingualClassifier) -> None:
    denied = "نفت وزارة الخارجية الأنباء عن إجلاء الرعايا الأجانب من بيروت، ووصفتها بأنها عارية عن الصحة."
    assert quotes(multilingual.analyse(denied, "ar"), "evacuation_notice") == []
    ordered = "ودعت فرنسا رعاياها إلى مغادرة لبنان فورا، وبدأت عمليات الإجلاء عبر مطار بيروت."
    assert quotes(multilingual.analyse(ordered, "ar"), "evacuation_notice") != []


def test_a_ceasefire_call_is_not_gunfire(multilingual: MultilingualClassifier) -> None:
    analysis = multilingual.analyse("دعا الأمين العام إلى وقف فوري لإطلاق النار في غزة.", "ar")
    assert [s.id for s in analysis.signals] == ["ceasefire_call"]


def test_a_players_injury_a_films_plot_and_a_rocket_launch_are_no_war(
    multilingual: MultilingualClassifier,
) -> None:
    injury = "وكان أبرز التغييرات غياب اللاعب المصري عن صفوف ناديه رغم الاطمئنان على حالته الصحية بعد "
    injury += "الإصابة التي تعرض لها الأسبوع الماضي."
    assert _found(multilingual, injury) == {}
    plot = "وفاز الممثلان بجائزتي أفضل ممثل وأفضل ممثلة عن فيلم أمريكي جديد حول أم غاضبة تبحث منذ شهور "
    plot += "عمن قتل ابنتها."
    assert _found(multilingual, plot) == {}
    launch = "استأجرت الشركة صاروخا من سبيس إكس لإطلاق قمر صناعي جديد، لكن الصاروخ انفجر على منصة "
    launch += "الإطلاق وتسبب بتدمير القمر."
    assert _found(multilingual, launch) == {}
    assert _found(multilingual, "قتل ثلاثة مدنيين وأصيب خمسة في غارة على البلدة.")["casualties"]


def _found(classifier: MultilingualClassifier, text: str) -> dict[str, list[str]]:
    analysis = classifier.analyse(text, "ar")
    return {s.id: [e.text for e in s.evidence] for s in analysis.signals}
