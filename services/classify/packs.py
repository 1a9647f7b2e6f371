"""Language packs: the taxonomy's terms in another language, one YAML file per language.

A pack holds only words: for every signal its patterns, exclusions and other-sense contexts, for every
topic its places and groups, aliases for the actors, and the language's own negation and hedging cues and
term groups. What a signal or topic *is* (its id, label, polarity, weight, severity, the sides of a
conflict, the topic rule) stays in the main taxonomy, so a desk's rules and dashboards mean the same thing
whichever language an article was written in. `pack_taxonomy` merges the two into a complete taxonomy that
the engine compiles like the English one, with the pack language's orthography.

Terms are written as in English, except that `~` (English inflections) is refused: a word's endings are
written with `*` (удар*, bombardier*), and Arabic and Hebrew attached prefixes come by themselves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from schemas.common import Identifier
from services.classify.taxonomy import (
    Actor,
    CueList,
    Pattern,
    Proximity,
    Signal,
    Taxonomy,
    Term,
    Topic,
    cue_terms,
    signal_terms,
)
from streambase.yamlconf import ConfigError, Problem, load, read_yaml

LanguageCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2}$")]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SignalTerms(_Model):
    id: Identifier
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    exclude: tuple[Term, ...] = ()
    unless_near: tuple[Proximity, ...] = ()
    negation_window: int | None = Field(default=None, ge=0, le=50)
    hedged: Literal["keep", "drop"] | None = None

    @field_validator("patterns", mode="before")
    @classmethod
    def _bare_patterns(cls, value: object) -> object:
        if not isinstance(value, list):
            return value
        return [{"all": [[v]]} if isinstance(v, str) else _one_set(v) for v in value]


def _one_set(value: object) -> object:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {"all": [value]}
    return value


class TopicTerms(_Model):
    id: Identifier
    terms: tuple[Term, ...] = ()
    unless: tuple[Term, ...] = ()


class ActorAliases(_Model):
    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    aliases: tuple[Term, ...] = Field(min_length=1)


class Pack(_Model):
    """One language's pack file (config/packs/<language>.yaml)."""

    language: LanguageCode
    lexicon: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")], tuple[Term, ...]] = Field(
        default_factory=dict
    )
    negation: CueList = CueList()
    hedging: CueList = CueList()
    clause_breaks: tuple[str, ...] = ()
    actors: tuple[ActorAliases, ...] = ()
    topics: tuple[TopicTerms, ...] = ()
    signals: tuple[SignalTerms, ...] = ()


def pack_taxonomy(base: Taxonomy, pack: Pack) -> Taxonomy:
    """The complete taxonomy of `pack`'s language: the base's meanings with the pack's words.

    Every signal needs the pack's terms; a topic the pack leaves out (a theatre added to the taxonomy since)
    is found in that language through its parties' aliases alone. Raises ValueError naming every signal the
    pack leaves out, every id or actor code the base does not know, every English `~` and every reference
    that does not resolve."""
    problems = _coverage_problems(base, pack)
    if problems:
        raise ValueError("; ".join(problems))
    names = {a.code: a.name for a in base.actors}
    actors = tuple(Actor(code=a.code, name=names[a.code], aliases=a.aliases) for a in pack.actors)
    known = {a.code for a in actors}
    own_topics = {t.id: t for t in pack.topics}
    unnamed = TopicTerms(id="unnamed")
    topics = tuple(
        Topic(
            id=topic.id,
            label=topic.label,
            parties=_parties(topic.parties, known),
            terms=own_topics.get(topic.id, unnamed).terms,
            unless=own_topics.get(topic.id, unnamed).unless,
        )
        for topic in base.topics
    )
    own_signals = {s.id: s for s in pack.signals}
    signals = tuple(_signal(signal, own_signals[signal.id]) for signal in base.signals)
    return Taxonomy(
        version=base.version,
        lexicon=pack.lexicon,
        negation=pack.negation,
        hedging=pack.hedging,
        clause_breaks=pack.clause_breaks or base.clause_breaks,
        actors=actors,
        topics=topics,
        topic_rule=base.topic_rule,
        signals=signals,
    )


def _parties(parties: tuple[str, ...], known: set[str]) -> tuple[str, ...]:
    """A theatre's parties where the pack can name every one of them, else none: with one side left, every
    sentence naming the other would be about the theatre (a pack knowing the US but not Yemen would read
    all American news as the Red Sea)."""
    return parties if all(p in known for p in parties) else ()


def _signal(signal: Signal, terms: SignalTerms) -> Signal:
    update: dict[str, object] = {
        "patterns": terms.patterns,
        "exclude": terms.exclude,
        "unless_near": terms.unless_near,
    }
    if terms.negation_window is not None:
        update["negation_window"] = terms.negation_window
    if terms.hedged is not None:
        update["hedged"] = terms.hedged
    return signal.model_copy(update=update)


def _coverage_problems(base: Taxonomy, pack: Pack) -> list[str]:
    problems = []
    signals = [s.id for s in base.signals]
    missing = [x for x in signals if x not in {s.id for s in pack.signals}]
    if missing:
        problems.append(f"every signal needs its terms in the pack; missing: {', '.join(missing)}")
    for kind, wanted, given in (
        ("signal", signals, [s.id for s in pack.signals]),
        ("topic", [t.id for t in base.topics], [t.id for t in pack.topics]),
    ):
        unknown = [x for x in given if x not in wanted]
        if unknown:
            problems.append(f"no {kind} of that id in the taxonomy: {', '.join(unknown)}")
    codes = {a.code for a in base.actors}
    strays = [a.code for a in pack.actors if a.code not in codes]
    if strays:
        problems.append(f"actor codes not in the taxonomy's gazetteer: {', '.join(strays)}")
    inflected = sorted({t for t in _pack_terms(pack) if "~" in t})
    if inflected:
        problems.append(f"'~' is English inflection; write endings with '*': {', '.join(inflected[:5])}")
    return problems


def _pack_terms(pack: Pack) -> list[str]:
    terms = [t for group in pack.lexicon.values() for t in group]
    terms += cue_terms(pack.negation) + cue_terms(pack.hedging)
    for signal in pack.signals:
        terms += signal_terms(signal.patterns, signal.exclude, signal.unless_near)
    for topic in pack.topics:
        terms += [*topic.terms, *topic.unless]
    for actor in pack.actors:
        terms += list(actor.aliases)
    return terms


def load_packs(directory: Path, base: Taxonomy) -> dict[str, Taxonomy]:
    """Every `<language>.yaml` in `directory`, merged with `base`; {} when there is no such directory.

    Raises ConfigError naming the file (and line, where the YAML itself is at fault)."""
    if not directory.is_dir():
        return {}
    taxonomies: dict[str, Taxonomy] = {}
    problems: list[Problem] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            pack = load(path, Pack)
        except ConfigError as exc:
            problems += exc.problems
            continue
        if path.stem != pack.language:
            problems.append(
                Problem(
                    path,
                    None,
                    "language",
                    f"the file of language {pack.language!r} must be named {pack.language}.yaml",
                )
            )
            continue
        try:
            taxonomies[pack.language] = pack_taxonomy(base, pack)
        except ValueError as exc:
            problems.append(Problem(path, _line(path), None, str(exc)))
    if problems:
        raise ConfigError(problems)
    return taxonomies


def _line(path: Path) -> int | None:
    """The first line of the pack, so the message points into the right file."""
    return 1 if read_yaml(path).data is not None else None
