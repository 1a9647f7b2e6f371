"""The Rust engine gives exactly the Python engine's answers, and runs only when installed and wanted.

The Python engine is the reference: every rule is written there first. These tests apply both to every
labelled text, to the golden cases, and to texts mangled with punctuation, quotes, abbreviations and other
scripts, and require the same topics, signals, evidence offsets, actors and score. Without the extension
they are skipped, except where `NEWSMON_REQUIRE_RUST_ENGINE=1` says it must be there (CI sets it).
"""

from __future__ import annotations

import importlib
import json
import os
import random
import shutil
from pathlib import Path

import pytest

from services.classify import native
from services.classify.engine import Classifier
from services.classify.orthography import ENGLISH, Orthography, orthography
from services.classify.packs import load_packs
from services.classify.taxonomy import DEFAULT_TAXONOMY, Taxonomy, load_taxonomy
from services.classify.text import normalise

GOLDEN = Path(__file__).parent / "golden"
LABELLED = Path(__file__).parents[2] / "fixtures" / "labelled"
REQUIRED = "NEWSMON_REQUIRE_RUST_ENGINE"

ODDITIES = (
    *(". ", "\n", "? ", "! ", '." ', ".) ", "’ ", "” ", "» ", "«", "“", "'", ".\n", "\n\n", "...", ": "),
    *(" U.S. ", " Mr. ", " e.g. ", " Gen. ", " No. 5 ", " No. ", " a. ", "\u00a0", "\t", " ; ", " - "),
    *("é", "Ж", "İ", "K", "½", "²", "\u0301", "\x1c", "\u2028", "\x01", "  "),
    *(" but ", " no ", " not ", " denied ", " US ", " u.s.a. ", " escalating ", " Kyiv "),
)


@pytest.fixture(autouse=True)
def no_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests name the engine themselves; a choice made for the whole run must not leak in."""
    monkeypatch.delenv(native.ENGINE_ENV, raising=False)


def both_engines(taxonomy: Taxonomy, spelling: Orthography = ENGLISH) -> tuple[Classifier, Classifier]:
    if not native.extension_usable():
        if os.environ.get(REQUIRED) == "1":
            pytest.fail(f"{REQUIRED}=1 but the Rust engine is not installed or not current (make install)")
        pytest.skip("the Rust engine is not installed or not current (no Rust toolchain when installing)")
    rust, python = built(taxonomy, "rust", spelling), built(taxonomy, "python", spelling)
    assert (rust.build, python.build) == ("rust", "python")
    return rust, python


def built(taxonomy: Taxonomy, engine: str, spelling: Orthography = ENGLISH) -> Classifier:
    """A classifier built with `NEWSMON_CLASSIFY_ENGINE=engine`, whatever the run's own setting."""
    before = os.environ.get(native.ENGINE_ENV)
    os.environ[native.ENGINE_ENV] = engine
    try:
        return Classifier(taxonomy, "test", spelling)
    finally:
        if before is None:
            del os.environ[native.ENGINE_ENV]
        else:
            os.environ[native.ENGINE_ENV] = before


@pytest.fixture(scope="module")
def default_engines() -> tuple[Classifier, Classifier]:
    return both_engines(load_taxonomy(DEFAULT_TAXONOMY))


def texts_of(*paths: Path) -> list[str]:
    return [
        json.loads(line)["text"]
        for path in paths
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def disagreements(engines: tuple[Classifier, Classifier], texts: list[str]) -> list[str]:
    rust, python = engines
    return [text for text in texts if rust.analyse(text) != python.analyse(text)]


def test_both_engines_give_the_same_answers_on_every_labelled_text(
    default_engines: tuple[Classifier, Classifier],
) -> None:
    texts = texts_of(GOLDEN / "cases.jsonl", *sorted(LABELLED.glob("*.jsonl")))
    assert len(texts) > 1900
    assert disagreements(default_engines, texts) == []


def test_both_engines_give_the_golden_answers_under_the_golden_taxonomy() -> None:
    engines = both_engines(load_taxonomy(GOLDEN / "taxonomy.yaml"))
    assert disagreements(engines, texts_of(GOLDEN / "cases.jsonl")) == []


def mangled(paragraphs: list[str], count: int) -> list[str]:
    """Sentence ends, abbreviations, closing quotes, word boundaries and negation cues placed at random."""
    rng = random.Random(2026)
    texts = []
    for _ in range(count):
        chars = list(" ".join(rng.sample(paragraphs, rng.randint(1, 3))))
        for _ in range(rng.randint(1, 12)):
            at = rng.randrange(len(chars) + 1)
            chars[at:at] = rng.choice(ODDITIES)
        for _ in range(rng.randint(0, 4)):
            del chars[rng.randrange(len(chars))]
        texts.append("".join(chars))
    return texts


def test_both_engines_agree_on_texts_mangled_with_punctuation_quotes_and_other_scripts(
    default_engines: tuple[Classifier, Classifier],
) -> None:
    assert disagreements(default_engines, mangled(texts_of(*sorted(LABELLED.glob("*.jsonl"))), 3000)) == []


@pytest.mark.parametrize("language", ["ar", "de", "es", "fa", "fr", "he", "ru", "uk"])
def test_both_engines_give_the_same_answers_with_each_language_pack(language: str) -> None:
    """Packs fold their letters to one ASCII byte each, so the Rust engine reads them as it reads English;
    in caseless scripts (Arabic, Persian, Hebrew) both start sentences at any letter."""
    english = load_taxonomy(DEFAULT_TAXONOMY)
    taxonomy = load_packs(DEFAULT_TAXONOMY.parent / "packs", english)[language]
    engines = both_engines(taxonomy, orthography(language))
    own = [
        f"{item['title']}\n{item['text']}"
        for half in ("dev", "unseen")
        for line in (LABELLED / "lang" / f"{language}-{half}.jsonl").read_text(encoding="utf-8").splitlines()
        for item in [json.loads(line)]
    ]
    assert disagreements(engines, own + mangled(own, 600)) == []


def test_naming_the_python_engine_sets_the_rust_one_aside(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.ENGINE_ENV, "python")
    assert native.engine_build() == "python"
    assert Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY)).build == "python"


def test_a_rust_engine_built_from_other_sources_is_set_aside(
    default_engines: tuple[Classifier, Classifier],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(native, "sources_digest", lambda: "0" * 16)
    native._current_extension.cache_clear()
    try:
        assert Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY)).build == "python"
    finally:
        native._current_extension.cache_clear()
    assert "built from other sources than these" in caplog.text


def test_the_sources_digest_follows_every_rust_source(tmp_path: Path) -> None:
    shutil.copytree(native.SOURCES, tmp_path / "src")
    before = native.sources_digest(tmp_path / "src")
    assert before == native.sources_digest(tmp_path / "src")
    with (tmp_path / "src" / "rules.rs").open("a") as edited:
        edited.write("// an edit after the build\n")
    assert native.sources_digest(tmp_path / "src") != before
    assert native.sources_digest(tmp_path / "missing") is None


def test_the_rust_engine_refuses_words_that_are_not_the_normalised_text(
    default_engines: tuple[Classifier, Classifier],
) -> None:
    rust, _ = default_engines
    engine = rust._native
    assert engine is not None
    text = "Moscow warned Washington."
    assert engine.analyse(text, normalise(text)) is not None
    with pytest.raises(ValueError, match="as long as the text"):
        engine.analyse(text, normalise(text) + " ")
    with pytest.raises(ValueError, match="as long as the text"):
        engine.analyse("ab", "é")


def test_the_rust_engine_refuses_a_plan_that_names_a_group_it_does_not_have(
    default_engines: tuple[Classifier, Classifier],
) -> None:
    rust, _ = default_engines
    plan = native.plan(rust.matcher, rust._context, rust._signals, rust._topics, 5)
    extension = importlib.import_module(native.EXTENSION)
    extension.Engine(plan)
    count, located, every = plan["groups"]  # type: ignore[misc]
    with pytest.raises(ValueError, match="inconsistent plan: group"):
        extension.Engine({**plan, "actor_terms": count})
    with pytest.raises(ValueError, match="tables by literal"):
        extension.Engine({**plan, "groups": (count, located[:-1], every)})
