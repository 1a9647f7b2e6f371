"""Language packs: the English taxonomy's meanings with another language's words."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.article import RawArticle
from services.classify.multilingual import MultilingualClassifier
from services.classify.orthography import orthography
from services.classify.packs import Pack, load_packs, pack_taxonomy
from services.classify.taxonomy import Taxonomy, load_taxonomy
from streambase.yamlconf import ConfigError

NOW = datetime(2026, 12, 7, tzinfo=UTC)


def _pack(language: str, strike: list[str], **extra: object) -> dict[str, object]:
    """A pack where every signal but the strike is a placeholder word no text here contains."""
    base = load_taxonomy()
    signals = [
        {"id": s.id, "patterns": [strike if s.id == "military_strike" else ["zzqx"]]} for s in base.signals
    ]
    topics = [{"id": t.id, "terms": ["zzqx"]} for t in base.topics]
    return {"language": language, "signals": signals, "topics": topics, **extra}


@pytest.fixture(scope="module")
def english() -> Taxonomy:
    return load_taxonomy()


def test_a_pack_keeps_the_meanings_of_the_taxonomy_and_brings_its_own_words(english: Taxonomy) -> None:
    pack = Pack.model_validate(_pack("ru", ["удар*", "обстрел*"]))
    merged = pack_taxonomy(english, pack)
    strike = merged.signal("military_strike")
    assert strike is not None
    assert strike.severity == english.signal("military_strike").severity  # type: ignore[union-attr]
    assert strike.patterns[0].all == (("удар*", "обстрел*"),)
    assert [t.id for t in merged.topics] == [t.id for t in english.topics]


def test_a_pack_that_leaves_out_a_signal_or_uses_english_inflection_is_refused_with_what_to_fix(
    english: Taxonomy,
) -> None:
    document = _pack("ru", ["удар~"])
    document["signals"] = document["signals"][1:]  # type: ignore[index]
    with pytest.raises(ValueError, match="missing: escalation_warning") as refused:
        pack_taxonomy(english, Pack.model_validate(document))
    message = str(refused.value)
    assert "missing: escalation_warning" in message
    assert "write endings with '*': удар~" in message


def test_pack_files_are_named_after_their_language_and_errors_name_the_file(
    tmp_path: Path, english: Taxonomy
) -> None:
    (tmp_path / "de.yaml").write_text("language: fr\nsignals: []\n", encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_packs(tmp_path, english)
    assert "de.yaml" in str(refused.value)
    assert "must be named fr.yaml" in str(refused.value)
    assert load_packs(tmp_path / "none", english) == {}


def test_each_article_is_read_with_the_rules_of_its_language(english: Taxonomy) -> None:
    russian = pack_taxonomy(english, Pack.model_validate(_pack("ru", ["удар*", "обстрел*"])))
    classifier = MultilingualClassifier(english, {"ru": russian})
    article = RawArticle(
        id="r1",
        feed_id="f",
        source="Desk",
        title="Ночной обстрел Харькова",
        summary="Российские войска нанесли ракетный удар по промышленной зоне города, сообщили власти.",
        published_at=NOW,
        fetched_at=NOW,
    )
    classified = classifier.classify(article, NOW)
    assert classified.language == "ru"
    strike = classified.signal("military_strike")
    assert strike is not None
    assert [e.text for e in strike.evidence] == ["обстрел", "удар"]  # quoted in the original language
    assert classifier.languages == {"en", "ru"}


@pytest.mark.parametrize(
    ("language", "text", "folded"),
    [
        ("ru", "Ещё удар", "еще удар"),
        ("ar", "أعلنَ الجيشُ", "اعلن  الجيش "),
        ("fa", "حمله‌ی موشکي", "حملهی  موشکی"),
        ("he", 'צה"ל תקף', "צה ל תקף"),
        ("de", "Öl-Depot: Angriff!", "öl depot  angriff "),
    ],
)
def test_folding_keeps_every_offset_and_makes_spelling_variants_one(
    language: str, text: str, folded: str
) -> None:
    spelling = orthography(language)
    words = spelling.words(text)
    assert words == spelling.words(folded)  # the variant spellings read as one
    assert len(words) == len(text)
    assert words.isascii()  # one byte per character, as the Rust engine reads it
    assert [len(w) for w in words.split(" ")] == [len(w) for w in folded.split(" ")]


def test_arabic_and_hebrew_terms_also_match_with_their_attached_prefixes() -> None:
    arabic = {form.text for form in orthography("ar").forms("قصف")}
    assert {"قصف", "والقصف", "بالقصف", "للقصف", "وقصف"} <= arabic
    hebrew = {form.text for form in orthography("he").forms("עזה")}
    assert {"עזה", "בעזה", "ועזה", "מעזה", "שבעזה"} <= hebrew
    assert {form.text for form in orthography("ru").forms("удар*")} == {"удар"}


def test_sentences_of_a_caseless_script_end_at_its_full_stops_and_question_marks(english: Taxonomy) -> None:
    arabic = pack_taxonomy(english, Pack.model_validate(_pack("ar", ["قصف"])))
    classifier = MultilingualClassifier(english, {"ar": arabic})
    text = "وقال المتحدث إن القصف استمر طوال الليل. وأضاف أن المدارس أغلقت؟ ولم يصدر تعليق آخر."
    analysis = classifier.analyse(text, "ar")
    strike = next(s for s in analysis.signals if s.id == "military_strike")
    assert [e.text for e in strike.evidence] == ["القصف"]
    assert strike.evidence[0].sentence == "وقال المتحدث إن القصف استمر طوال الليل."


def test_a_topic_a_pack_leaves_out_is_found_through_its_parties_alone(english: Taxonomy) -> None:
    document = _pack(
        "ru", ["удар*"], actors=[{"code": "IR", "aliases": ["иран*"]}, {"code": "IL", "aliases": ["израил*"]}]
    )
    document["topics"] = []
    merged = pack_taxonomy(english, Pack.model_validate(document))
    topic = next(t for t in merged.topics if t.id == "iran_israel")
    assert topic.terms == ()
    assert topic.parties == ("IR", "IL")


def test_a_quote_runs_to_the_end_of_its_word_past_marks_and_joiners(english: Taxonomy) -> None:
    persian = pack_taxonomy(english, Pack.model_validate(_pack("fa", ["آتش‌بس", "موشکی"])))
    classifier = MultilingualClassifier(english, {"fa": persian})
    text = "خبرگزاری‌ها از برقراری آتش‌بس در مرز خبر دادند."
    strike = next(s for s in classifier.analyse(text, "fa").signals if s.id == "military_strike")
    assert [e.text for e in strike.evidence] == ["آتش‌بس"]
    arabic = pack_taxonomy(english, Pack.model_validate(_pack("ar", ["صاروخا"])))
    quoted = MultilingualClassifier(english, {"ar": arabic}).analyse("أطلقوا صاروخاً على المدينة.", "ar")
    assert [e.text for e in quoted.signals[0].evidence] == ["صاروخاً"]


def test_a_term_of_several_words_with_a_half_space_before_its_last_is_found_half_spaced_or_joined(
    english: Taxonomy,
) -> None:
    """The half-space's place in the word string is a space after its word: a term written with it must
    put that space there too, or "گفت‌وگوی سیاسی" is never found where the press writes it so."""
    persian = pack_taxonomy(english, Pack.model_validate(_pack("fa", ["حمله‌های موشکی"])))
    classifier = MultilingualClassifier(english, {"fa": persian})
    for attacks in ("حمله‌های موشکی", "حملههای موشکی"):
        analysis = classifier.analyse(f"ارتش از {attacks} گسترده به پایگاه خبر داد.", "fa")
        quotes = [e.text for s in analysis.signals if s.id == "military_strike" for e in s.evidence]
        assert quotes == [attacks]


def test_a_theatre_whose_sides_a_pack_names_only_in_part_is_not_found_on_one_side(english: Taxonomy) -> None:
    """A pack naming the US but not Yemen must not read every sentence about America as the Red Sea."""
    document = _pack("ru", ["удар*"], actors=[{"code": "US", "aliases": ["сша", "вашингтон*"]}])
    document["topics"] = []
    merged = pack_taxonomy(english, Pack.model_validate(document))
    assert all(t.parties == () for t in merged.topics if "US" in t.parties)
    article = RawArticle(
        id="r2",
        feed_id="f",
        source="Desk",
        title="Вашингтон объявил о новых пошлинах",
        summary="США ввели пошлины на сталь и алюминий, сообщил Вашингтон в пятницу.",
        published_at=NOW,
        fetched_at=NOW,
    )
    classified = MultilingualClassifier(english, {"ru": merged}).classify(article, NOW)
    assert (classified.language, set(classified.topics)) == ("ru", set())


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("ru", "В результате обстрела никто не пострадал."),
        ("ru", "Никто из пассажиров не погиб."),
        ("uk", "Внаслідок атаки ніхто не постраждав."),
        ("he", "אף אחד לא נפגע בתקרית."),
    ],
)
def test_nobody_was_hurt_in_a_language_of_negative_concord_is_no_casualty(
    multilingual: MultilingualClassifier, language: str, text: str
) -> None:
    """ "Никто не пострадал" holds two negation words and one negation: in these languages they do not cancel
    as "did not rule out" does in English."""
    assert "casualties" not in multilingual.analyse(text, language).signal_ids()
