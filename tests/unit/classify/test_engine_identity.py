"""The fast engine gives exactly the answers the first, straightforward engine gave.

`golden/cases.jsonl` holds texts (conflict-dense articles, mixed and everyday news, single paragraphs, odd
punctuation) with what the engine found in each before any speed work: topics, actors, score, and every
signal's evidence offsets plus a digest of its full message. `golden/taxonomy.yaml` is the taxonomy of that
moment, kept apart so tuning the default taxonomy never moves these answers. A speed change that alters one
offset fails here.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from pathlib import Path
from typing import Any

import pytest

from schemas.classified import Evidence, SignalHit
from schemas.common import Polarity, Severity
from services.classify.engine import Analysis, Classifier, _trusted
from services.classify.matcher import Matcher
from services.classify.rules import Scan
from services.classify.taxonomy import load_taxonomy
from services.classify.text import normalise

GOLDEN = Path(__file__).parent / "golden"


@pytest.fixture(scope="module")
def frozen_classifier() -> Classifier:
    return Classifier.from_taxonomy(load_taxonomy(GOLDEN / "taxonomy.yaml"))


def _cases() -> list[dict[str, Any]]:
    lines = (GOLDEN / "cases.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _compact(analysis: Analysis) -> dict[str, Any]:
    messages = [[s.model_dump(mode="json") for s in analysis.signals]]
    digest = json.dumps(messages, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return {
        "topics": list(analysis.topics),
        "actors": list(analysis.actors),
        "score": analysis.score,
        "signals": [[s.id, [[e.start, e.end] for e in s.evidence]] for s in analysis.signals],
        "digest": hashlib.sha256(digest).hexdigest()[:16],
    }


def test_every_golden_text_gets_the_same_topics_signals_evidence_actors_and_score(
    frozen_classifier: Classifier,
) -> None:
    cases = _cases()
    assert len(cases) > 100
    assert sum(bool(c["expect"]["signals"]) for c in cases) > 60  # most cases exercise the rules
    for number, case in enumerate(cases, 1):
        assert _compact(frozen_classifier.analyse(case["text"])) == case["expect"], f"case {number}"


def test_analysing_a_text_twice_gives_the_same_answer(frozen_classifier: Classifier) -> None:
    text = _cases()[0]["text"]
    assert _compact(frozen_classifier.analyse(text)) == _compact(frozen_classifier.analyse(text))


@pytest.mark.parametrize(
    ("model", "values"),
    [
        (Evidence, {"text": "struck", "sentence": "Missiles struck the port.", "start": 9, "end": 15}),
        (
            SignalHit,
            {
                "id": "military_strike",
                "label": "Military strike",
                "polarity": Polarity.ESCALATORY,
                "severity": Severity.CRITICAL,
                "weight": 1.0,
                "evidence": (Evidence(text="struck", sentence="It struck.", start=3, end=9),),
            },
        ),
    ],
)
def test_a_trusted_message_is_what_model_construct_builds(model: type[Any], values: dict[str, Any]) -> None:
    assert not model.__pydantic_post_init__
    assert not model.__private_attributes__
    assert model.model_config.get("extra") != "allow"
    fast, slow = _trusted(model, dict(values)), model.model_construct(**values)
    assert fast == slow
    assert hash(fast) == hash(slow)
    assert fast.model_fields_set == slow.model_fields_set
    assert fast.model_dump_json() == slow.model_dump_json()
    assert repr(fast) == repr(slow)


@pytest.mark.parametrize("sentences", [3, 255, 256, 300])
def test_the_sentence_table_agrees_with_a_search_of_sentence_starts(sentences: int) -> None:
    text = " ".join(f"Sentence {n} ends here." for n in range(sentences))
    scan = Scan(text, normalise(text), {}, Matcher())
    starts = scan.sentences.starts
    assert len(starts) == sentences
    assert [scan.sentence(i) for i in range(len(text) + 1)] == [
        bisect_right(starts, i) - 1 for i in range(len(text) + 1)
    ]
