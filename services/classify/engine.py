"""The classification engine: a taxonomy compiled once, then applied to texts with no I/O and no clock.

`Classifier.analyse(text)` finds topics, signals with evidence, actors and the escalation score;
`Classifier.classify(article, now)` wraps that into the `ClassifiedArticle` message. Both the stream worker
and the offline commands use this class, so what `newsmon classify` shows is what the service does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from pydantic import BaseModel

from schemas.article import RawArticle
from schemas.bounds import MAX_QUOTE, MAX_SENTENCE, around, clip
from schemas.classified import ClassifiedArticle, Evidence, SignalHit
from services.classify import native
from services.classify.language import identify
from services.classify.matcher import Matcher
from services.classify.native import Passage
from services.classify.orthography import ENGLISH, Orthography
from services.classify.rules import CompiledSignal, Context, Scan, compile_signal
from services.classify.score import escalation_score
from services.classify.taxonomy import Taxonomy
from services.classify.topics import TopicModel

__all__ = ["Analysis", "Classifier"]

MAX_EVIDENCE = 5
"""Evidence passages kept per signal: enough to judge, short enough for an alert; the score saturates at 5."""


@dataclass(frozen=True)
class Analysis:
    """What the engine found in one text."""

    topics: tuple[str, ...]
    signals: tuple[SignalHit, ...]
    actors: tuple[str, ...]
    score: float

    def signal_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.signals)


EMPTY = Analysis((), (), (), 0.0)


class Classifier:
    """A compiled taxonomy. Build once (`from_taxonomy`), then call from any number of places."""

    def __init__(self, taxonomy: Taxonomy, version: str, orthography: Orthography = ENGLISH) -> None:
        self.taxonomy = taxonomy
        self.version = version
        self._words = orthography.words
        self._word_end = orthography.word_end
        self._language = orthography.language
        self._matcher = Matcher(orthography)
        self._context = Context.compile(taxonomy, self._matcher)
        self._signals: list[CompiledSignal] = [
            compile_signal(s, taxonomy, self._matcher, self._context, MAX_EVIDENCE) for s in taxonomy.signals
        ]
        self._topics = TopicModel.compile(taxonomy, self._matcher, self._context)
        self._matcher.compile()
        self._topic_ids = tuple(t.id for t in self._topics.topics)
        self._actor_codes = tuple(code for code, _ in self._context.actors)
        self._native = native.load(self._matcher, self._context, self._signals, self._topics, MAX_EVIDENCE)

    @classmethod
    def from_taxonomy(cls, taxonomy: Taxonomy) -> Classifier:
        digest = hashlib.sha256(taxonomy.model_dump_json().encode("utf-8")).hexdigest()[:10]
        return cls(taxonomy, f"rules-{digest}")

    @property
    def languages(self) -> frozenset[str]:
        """The language of the rules (see `multilingual` for several); an article in another language is
        classified with them all the same, and counted as unsupported."""
        return frozenset({self._language})

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    @property
    def build(self) -> str:
        """Which engine applies the rules: `rust` (see `native`) or `python`, the reference."""
        return "python" if self._native is None else "rust"

    def analyse(self, text: str) -> Analysis:
        """Topics, signals with evidence, actors and score of `text`; offsets index into `text`."""
        words = self._words(text)
        if self._native is not None:
            return self._analyse_native(self._native, text, words)
        hits = self._matcher.scan(text, words)
        if not hits:
            return EMPTY
        scan = Scan(text, words, hits, self._matcher)
        found: list[SignalHit] = []
        for signal in self._signals:
            passages = signal.find(scan)
            if passages:
                spans = scan.sentences.span
                end = self._word_end
                evidence = [(s, end(text, words, e), *spans(scan.sentence_of[s])) for s, e in passages]
                found.append(_hit(signal, text, evidence))
        actors = self._context.actors_in(scan)
        topics = self._topics.assign(scan)
        return _analysis(topics, found, actors)

    def _analyse_native(self, engine: native.NativeEngine, text: str, words: str) -> Analysis:
        answer = engine.analyse(text, words)
        if answer is None:
            return EMPTY
        signals, topics, actors = answer
        if self._language != "en":  # a quote runs to the end of its word, as in `analyse`
            end = self._word_end
            signals = [(i, [(s, end(text, words, e), a, b) for s, e, a, b in found]) for i, found in signals]
        found = [_hit(self._signals[index], text, passages) for index, passages in signals]
        topic_ids, actor_codes = self._topic_ids, self._actor_codes
        return _analysis(tuple(topic_ids[i] for i in topics), found, tuple(actor_codes[i] for i in actors))

    def classify(self, article: RawArticle, now: datetime, language: str | None = None) -> ClassifiedArticle:
        """The article with what `analyse` found in `article.text`; `now` is when it was classified, and
        `language` what it is written in (told from the text when not given)."""
        analysis = self.analyse(article.text)
        return ClassifiedArticle(
            article=article,
            topics=analysis.topics,
            signals=analysis.signals,
            actors=analysis.actors,
            escalation_score=analysis.score,
            classifier_version=self.version,
            classified_at=now,
            language=language or identify(article.text),
        )


def _analysis(topics: tuple[str, ...], found: list[SignalHit], actors: tuple[str, ...]) -> Analysis:
    score = escalation_score([(s.polarity, s.weight, len(s.evidence)) for s in found])
    return Analysis(topics, tuple(found), actors, score)


def _hit(signal: CompiledSignal, text: str, passages: list[Passage]) -> SignalHit:
    evidence = tuple(
        _trusted(
            Evidence,
            {
                "text": clip(text[start:end], MAX_QUOTE),
                "sentence": around(text[first:last], start - first, end - first, MAX_SENTENCE),
                "start": start,
                "end": end,
            },
        )
        for start, end, first, last in passages[:MAX_EVIDENCE]
    )
    spec = signal.spec
    return _trusted(
        SignalHit,
        {
            "id": spec.id,
            "label": spec.label,
            "polarity": spec.polarity,
            "severity": spec.severity,
            "weight": spec.weight,
            "evidence": evidence,
        },
    )


_Model = TypeVar("_Model", Evidence, SignalHit)
_new = object.__new__
_slots = vars(BaseModel)
_set_dict = _slots["__dict__"].__set__
_set_fields = _slots["__pydantic_fields_set__"].__set__
_set_extra = _slots["__pydantic_extra__"].__set__
_set_private = _slots["__pydantic_private__"].__set__


def _trusted(cls: type[_Model], values: dict[str, Any]) -> _Model:
    """What `cls.model_construct(**values)` builds when `values` names every field, at a quarter of its
    cost: every value comes from the compiled taxonomy and the text's own offsets, so nothing needs
    validating. It writes BaseModel's four slots through their descriptors. Valid while these models have
    no private attributes, no post-init hook and no extra fields (a test holds it to `model_construct`)."""
    model = _new(cls)
    _set_dict(model, values)
    _set_fields(model, set(values))
    _set_extra(model, None)
    _set_private(model, None)
    return model
