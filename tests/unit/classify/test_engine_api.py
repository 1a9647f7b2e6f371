"""The public engine API other parts build on: build from a taxonomy, classify an article, analyse text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import encode
from schemas.article import RawArticle
from schemas.bounds import MAX_QUOTE, MAX_SENTENCE
from services.classify.engine import Classifier
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy

NOW = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def article(title: str, content: str) -> RawArticle:
    return RawArticle(
        id="a1",
        feed_id="f1",
        source="Test Wire",
        title=title,
        content=content,
        published_at=NOW,
        fetched_at=NOW,
    )


def test_the_default_taxonomy_is_found_beside_the_package_not_the_working_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    assert DEFAULT_TAXONOMY.is_file()
    assert load_taxonomy(DEFAULT_TAXONOMY).signals


def test_the_version_names_the_rules_and_changes_with_the_taxonomy(classifier: Classifier) -> None:
    taxonomy = classifier.taxonomy
    edited = taxonomy.model_copy(update={"signals": taxonomy.signals[1:]})
    assert classifier.version.startswith("rules-")
    assert Classifier.from_taxonomy(taxonomy).version == classifier.version
    assert Classifier.from_taxonomy(edited).version != classifier.version


def test_classify_wraps_the_article_with_evidence_offsets_into_its_text(classifier: Classifier) -> None:
    raw = article("Embassy staff evacuated", "Missiles hit the capital overnight, officials said.")
    classified = classifier.classify(raw, NOW)
    assert classified.article == raw
    assert classified.classified_at == NOW
    assert classified.classifier_version == classifier.version
    strike = classified.signal("military_strike")
    assert strike is not None
    for evidence in strike.evidence:
        assert raw.text[evidence.start : evidence.end] == evidence.text
        assert evidence.text in evidence.sentence
    assert 0 < classified.escalation_score <= 1


def test_text_with_nothing_to_report_yields_an_empty_analysis(classifier: Classifier) -> None:
    analysis = classifier.analyse("The council approved a new bicycle lane on the high street.")
    assert (analysis.topics, analysis.signals, analysis.actors, analysis.score) == ((), (), (), 0.0)


def test_a_classified_article_survives_the_codec_round_trip(classifier: Classifier) -> None:
    from schemas.classified import ClassifiedArticle
    from schemas.codec import decode, encode

    raw = article("Strikes and evacuations", "Missiles hit the port. Embassy staff were evacuated overnight.")
    classified = classifier.classify(raw, NOW)
    assert decode(ClassifiedArticle, encode(classified)) == classified


def test_every_evidence_points_at_its_text_inside_its_sentence(classifier: Classifier, repo: Path) -> None:
    import json

    for path in sorted((repo / "tests" / "fixtures" / "labelled").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"]
            for signal in classifier.analyse(text).signals:
                assert 1 <= len(signal.evidence) <= 5
                for evidence in signal.evidence:
                    assert text[evidence.start : evidence.end] == evidence.text
                    assert evidence.text in evidence.sentence
                    assert evidence.sentence in text


def test_empty_and_blank_texts_classify_to_nothing(classifier: Classifier) -> None:
    for text in ("", "   \n\t ", "...", "✍️"):
        assert classifier.analyse(text) == classifier.analyse("")
        assert classifier.analyse(text).score == 0.0


def test_offsets_survive_emoji_accents_and_windows_line_ends(classifier: Classifier) -> None:
    text = "🚨 Türkiye: “Missiles hit the port” ✍️\r\nOfficials in Kyiv said 3 people were killed.\r\n"
    analysis = classifier.analyse(text)
    assert {"military_strike", "casualties"} <= set(analysis.signal_ids())
    for signal in analysis.signals:
        for evidence in signal.evidence:
            assert text[evidence.start : evidence.end] == evidence.text


def test_a_long_article_is_classified_with_bounded_evidence(classifier: Classifier) -> None:
    paragraph = "Artillery pounded the town overnight and two soldiers were killed. "
    analysis = classifier.analyse(paragraph * 2_000)  # about 130 KB, 2,000 sentences
    strike = next(s for s in analysis.signals if s.id == "military_strike")
    assert len(strike.evidence) == 5
    assert 0 < analysis.score < 1


def test_evidence_from_a_text_without_sentence_ends_is_bounded_and_keeps_its_quote(
    classifier: Classifier,
) -> None:
    filler = " ".join(["and the talks went on"] * 25_000)  # about 550 KB with no full stop
    text = f"{filler} as officials warned of a galloping escalation {filler}"
    found = classifier.classify(article("Border update", text), NOW)
    evidence = [e for s in found.signals for e in s.evidence]
    assert evidence, "the warning is still found"
    for item in evidence:
        assert len(item.sentence) <= MAX_SENTENCE
        assert len(item.text) <= MAX_QUOTE
        assert item.text in item.sentence
        assert found.article.text[item.start : item.end] == item.text
    assert len(encode(found)) < len(encode(found.article)) + 10_000
