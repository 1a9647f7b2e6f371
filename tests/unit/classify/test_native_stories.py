"""The story features' Rust hot path gives the Python reference's answers bit for bit: signatures
(`minhash` against `python_sketch`), places and entities (`PlaceFinder` against
`python_places_and_entities`) and the copy index (`NativeCopyIndex` against `CopyIndex`), and a story
book built on either assigns the same stories. Skipped without the extension, failed where
`NEWSMON_REQUIRE_RUST_ENGINE=1` says it must be there (CI sets it)."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import pytest

from bench.stories import labelled
from services.classify import native
from services.classify.engine import Classifier
from services.classify.stories.copies import CopyIndex, Match, NativeCopyIndex, copy_index
from services.classify.stories.places import places_and_entities, python_places_and_entities
from services.classify.stories.sketch import BINS, EMPTY, Sketch, normalised_bytes, python_sketch, sketch
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy
from tests.unit.classify.test_native import LABELLED, REQUIRED, mangled, texts_of

STORY_SETS = [
    Path(__file__).parents[2] / "fixtures" / "stories" / f"{half}.jsonl" for half in ("dev", "unseen")
]


@pytest.fixture
def rust(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv(native.ENGINE_ENV, raising=False)
    module = native.extension()
    if module is None:
        if os.environ.get(REQUIRED) == "1":
            pytest.fail(f"{REQUIRED}=1 but the Rust engine is not installed or not current (make install)")
        pytest.skip("the Rust engine is not installed or not current (no Rust toolchain when installing)")
    return module


def story_texts() -> list[str]:
    return texts_of(*STORY_SETS)


def odd_texts() -> list[str]:
    """Texts at the edges: empty, shorter than a shingle, one long word, runs of spaces and of marks."""
    rng = random.Random(7)
    texts = ["", "a", "short one", "x" * 40, " " * 50, "word " * 300, "’“”–—…«»" * 20, "A  B   C    D     E"]
    texts += [
        "".join(rng.choice("ab  .,'\n\tÉж\u00a0") for _ in range(rng.randint(0, 200))) for _ in range(300)
    ]
    return texts


def test_rust_signatures_equal_the_python_reference_on_stories_labelled_and_mangled_texts(rust: Any) -> None:
    texts = story_texts() + texts_of(*sorted(LABELLED.glob("*.jsonl"))) + odd_texts()
    texts += mangled(texts[:200], 1000)
    differ = []
    for text in texts:
        data = normalised_bytes(text)
        signature, shingles = rust.minhash(data)
        expected = python_sketch(data)
        if (signature, shingles) != (expected.signature, expected.shingles) and not (
            shingles == 0 and expected == EMPTY
        ):
            differ.append(text[:80])
    assert differ == []
    assert sketch(texts[0]) == python_sketch(normalised_bytes(texts[0]))


def name_like_texts(count: int) -> list[str]:
    """Texts of capitals, accents, joiners, tails, datelines and locatives in random order: the edges of
    the name and dateline patterns (a tail after a joiner, a dateline cut short, an opening's last word)."""
    rng = random.Random(11)
    pieces = [*"AKNRaeiklnorsuÉéÀçİ -'’,.()\n", " in ", " near the ", " city of ", " region", "KYIV"]
    pieces += ["Al-", " al-", " de ", " el ", "-led", "'s", "Reuters", " Ukraine", "In ", "\nnear "]
    return ["".join(rng.choice(pieces) for _ in range(rng.randint(0, 80))) for _ in range(count)]


def test_rust_places_and_entities_equal_the_python_reference(rust: Any) -> None:
    texts = story_texts() + texts_of(*sorted(LABELLED.glob("*.jsonl"))) + odd_texts()
    texts += mangled(texts[:200], 1000) + name_like_texts(20000) + ["X" * 5000 + " in Kharkiv"]
    differ = [text[:80] for text in texts if places_and_entities(text) != python_places_and_entities(text)]
    assert differ == []
    assert places_and_entities("KHARKIV, Ukraine (Reuters) - Drones hit Kharkiv region.")[0] == ("kharkiv",)


def near_copies(texts: list[str], rng: random.Random, count: int) -> list[Sketch]:
    """Signatures of real texts and of copies with a few bins changed, so that buckets collide."""
    bases = [sketch(t) for t in texts if t]
    found = []
    for _ in range(count):
        base = rng.choice(bases)
        bins = bytearray(base.signature)
        for _ in range(rng.randint(0, 6)):
            at = 2 * rng.randrange(BINS)
            bins[at : at + 2] = rng.randrange(65536).to_bytes(2, "little")
        found.append(Sketch(bytes(bins), max(0, base.shingles + rng.randint(-20, 20))))
    return found


def answers(matches: list[Match[int]]) -> list[tuple[int, float, float]]:
    return [(m.payload, m.jaccard, m.containment) for m in matches]


@pytest.mark.parametrize("bucket_bits", [6, 16])
def test_the_rust_copy_index_answers_as_the_python_one_through_floods_expiry_and_compaction(
    rust: Any, bucket_bits: int
) -> None:
    rng = random.Random(bucket_bits)
    items = near_copies(story_texts(), rng, 6000)
    reference = CopyIndex[int](bucket_bits)
    table = NativeCopyIndex[int](rust.CopyTable(bucket_bits))
    for n, item in enumerate(items):
        when = float(n)
        assert answers(table.matches(item)) == answers(reference.matches(item)), n
        assert table.best(item, 0.6, 0.2) == reference.best(item, 0.6, 0.2), n
        reference.add(item, n, when)
        table.add(item, n, when)
        if n % 97 == 0:
            before = when - rng.randint(100, 2500)
            assert table.expire(before) == reference.expire(before)
            assert len(table) == len(reference)
    assert list(table.entries()) == list(reference.entries())
    assert list(table.newest(50)) == list(reference.newest(50))


def test_stories_assigned_on_the_rust_path_are_those_of_the_python_path(
    rust: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    classifier = Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
    assigned = {}
    for engine in ("rust", "python"):
        monkeypatch.setenv(native.ENGINE_ENV, engine)
        assert type(copy_index()) is (NativeCopyIndex if engine == "rust" else CopyIndex)
        assigned[engine] = [labelled(path, classifier) for path in STORY_SETS]
    assert assigned["rust"] == assigned["python"]
