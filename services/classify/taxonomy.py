"""The taxonomy language: topics, signals, actors and cue lists, validated from YAML.

A term is a phrase of one or more words, matched case-insensitively on word boundaries. A word may end in
`~` (its inflections: `warn~` matches warn, warns, warned, warning); the last word may end in `*` (any
ending: `escalat*`). A term with an upper-case letter is matched case-sensitively (`US` is the country, not
the pronoun). A term starting with `@` names a lexicon group; `actor:XX` stands for every alias of actor XX.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from schemas.common import Identifier, Polarity, Severity
from streambase.yamlconf import ConfigError, Problem, load, read_yaml, validate

__all__ = [
    "DEFAULT_TAXONOMY",
    "Actor",
    "ConfigError",
    "CueList",
    "Pattern",
    "Signal",
    "Taxonomy",
    "Topic",
    "load_taxonomy",
]

DEFAULT_TAXONOMY = Path(__file__).resolve().parents[2] / "config" / "taxonomy.yaml"
"""The taxonomy shipped with newsmon, found beside the package rather than from the working directory."""

_WORD = r"[^\s@*~]+~?"
_TERM_RE = re.compile(rf"^(@[a-z0-9_]+|actor:[A-Z]{{2}}|(?:{_WORD} )*[^\s@*~]+[*~]?)$")

Term = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


def check_term(term: str) -> str:
    """Refuse terms the matcher could not compile, with a message that says how to write one."""
    if not _TERM_RE.match(term):
        raise ValueError(
            f"invalid term {term!r}: write words separated by single spaces, a word may end in ~ "
            "(inflections) or * (any ending); or @group, or actor:XX"
        )
    return term


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Proximity(_Model):
    """Terms that cancel a match when they occur in its sentence within `within` words of its first term."""

    terms: tuple[Term, ...] = Field(min_length=1)
    within: int = Field(default=6, ge=0, le=200)

    @field_validator("terms")
    @classmethod
    def _terms_are_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_term(t) for t in value)


class Pattern(_Model):
    """All of the term sets occur in one sentence, each within `within` words of the first."""

    all: tuple[tuple[Term, ...], ...] = Field(min_length=1)
    within: int = Field(default=8, ge=0, le=200)
    unless_near: tuple[Proximity, ...] = Field(
        default=(), description="Contexts that cancel this pattern only (see Signal.unless_near)"
    )

    @field_validator("all", mode="before")
    @classmethod
    def _single_terms_are_sets(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            return [[item] if isinstance(item, str) else item for item in value]
        return value

    @field_validator("all")
    @classmethod
    def _terms_are_valid(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in value:
            if not group:
                raise ValueError("a term set is empty")
            for term in group:
                check_term(term)
        return value


def _as_pattern(value: object) -> object:
    """A bare string or list of strings is a one-set pattern: any of those terms alone."""
    if isinstance(value, str):
        return {"all": [[value]]}
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return {"all": [value]}
    return value


class Signal(_Model):
    id: Identifier
    label: str = ""
    description: str = ""
    polarity: Polarity
    weight: float = Field(default=1.0, ge=0, le=10)
    severity: Severity = Severity.MEDIUM
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    exclude: tuple[Term, ...] = Field(
        default=(), description="Other senses: a match overlapping one of these terms does not count"
    )
    unless_near: tuple[Proximity, ...] = Field(
        default=(), description="Contexts that show another sense, e.g. prices near 'escalation'"
    )
    negatable: bool = Field(default=True, description="Whether negation cues before a match cancel it")
    negation_window: int | None = Field(
        default=None,
        ge=0,
        le=50,
        description="This signal's own reach for negation cues (default: negation.window)",
    )
    hedged: Literal["keep", "drop"] = Field(
        default="keep", description="Whether a match under a hedging cue ('rumoured', 'may') counts"
    )

    @field_validator("patterns", mode="before")
    @classmethod
    def _bare_patterns(cls, value: object) -> object:
        return [_as_pattern(v) for v in value] if isinstance(value, list) else value

    @field_validator("exclude")
    @classmethod
    def _excludes_are_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_term(t) for t in value)


class Actor(_Model):
    """A country or bloc named in text by its name, demonyms, capital, institutions or leaders."""

    code: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    name: str
    aliases: tuple[Term, ...] = Field(min_length=1)

    @field_validator("aliases")
    @classmethod
    def _aliases_are_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for term in value:
            check_term(term)
            if term.startswith(("@", "actor:")):
                raise ValueError(f"alias {term!r}: aliases are plain terms, not references")
        return value


class Topic(_Model):
    """A conflict theatre: sentences naming both parties, or one of its own terms, are about it."""

    id: Identifier
    label: str = ""
    parties: tuple[str, ...] = Field(default=(), description="Actor codes of the sides of the conflict")
    terms: tuple[Term, ...] = Field(default=(), description="Places, groups and phrases specific to it")
    unless: tuple[Term, ...] = Field(
        default=(),
        description="Terms that put a sentence about something else, however it names the theatre "
        "(a cricket match between the two sides)",
    )

    @field_validator("terms", "unless")
    @classmethod
    def _terms_are_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_term(t) for t in value)


class CueList(_Model):
    """Cue words that change a match's meaning when they precede (or follow) it in the same clause."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    before: tuple[Term, ...] = ()
    far: tuple[Term, ...] = Field(
        default=(), description="Cues before a match that reach a whole clause ('denied reports that ...')"
    )
    after: tuple[Term, ...] = ()
    except_: tuple[Term, ...] = Field(
        default=(), alias="except", description="Phrases in which a cue is no cue ('warned not to')"
    )
    window: int = Field(default=6, ge=0, le=50, description="How many words a cue reaches")
    far_window: int = Field(default=8, ge=0, le=50, description="How many words a `far` cue reaches")
    concord: bool = Field(
        default=False,
        description="Negative concord: several cues before a match negate it once ('никто не пострадал', "
        "'sans aucune victime'), where by default two cancel ('did not rule out strikes')",
    )

    @field_validator("before", "far", "after", "except_")
    @classmethod
    def _terms_are_valid(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(check_term(t) for t in value)


class TopicRule(_Model):
    """When a topic is assigned: enough sentences about it, and not dwarfed by the main topic."""

    min_sentences: int = Field(default=2, ge=1, description="Sentences about the topic an article needs")
    short_text_sentences: int = Field(
        default=3, ge=0, description="Texts this short need only one sentence about a topic"
    )
    title_weight: int = Field(default=2, ge=1, description="What a mention in the title counts for")
    min_share_of_top: float = Field(
        default=0.34, ge=0, le=1, description="Fraction of the leading topic's count a topic needs"
    )


class Taxonomy(_Model):
    """The validated taxonomy file (config/taxonomy.yaml by default)."""

    version: int = 1
    lexicon: dict[Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$")], tuple[Term, ...]] = Field(
        default_factory=dict, description="Named term groups, used in patterns as @name"
    )
    negation: CueList = CueList()
    hedging: CueList = CueList()
    clause_breaks: tuple[str, ...] = Field(
        default=(";", " but ", " while ", " whereas ", " although "),
        description="Text that ends a cue's reach",
    )
    actors: tuple[Actor, ...] = ()
    topics: tuple[Topic, ...] = ()
    topic_rule: TopicRule = TopicRule()
    signals: tuple[Signal, ...] = ()

    @field_validator("lexicon")
    @classmethod
    def _lexicon_terms(cls, value: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        for terms in value.values():
            for term in terms:
                check_term(term)
        return value

    @model_validator(mode="after")
    def _references_resolve(self, info: ValidationInfo) -> Taxonomy:
        if info.context and info.context.get("defer_references"):
            return self  # load_taxonomy checks them itself, to name the line of each bad reference
        problems = self.reference_problems()
        if problems:
            raise ValueError("; ".join(f"{'.'.join(map(str, loc))}: {msg}" for loc, msg in problems[:5]))
        return self

    def reference_problems(self) -> list[tuple[tuple[str | int, ...], str]]:
        """Every duplicate id and every reference to a group or actor that does not exist, with its place."""
        problems: list[tuple[tuple[str | int, ...], str]] = []
        for field, ids in (
            ("actors", [a.code for a in self.actors]),
            ("topics", [t.id for t in self.topics]),
            ("signals", [s.id for s in self.signals]),
        ):
            seen: set[str] = set()
            for index, value in enumerate(ids):
                if value in seen:
                    problems.append(((field, index), f"{value!r} is defined twice"))
                seen.add(value)
        codes = {a.code for a in self.actors}
        for index, topic in enumerate(self.topics):
            for n, party in enumerate(topic.parties):
                if party not in codes:
                    problems.append((("topics", index, "parties", n), f"{party!r} is not an actor code"))
        for loc, term in self._located_terms():
            message = self._reference_problem(term, codes)
            if message:
                problems.append((loc, message))
        return problems

    def _located_terms(self) -> list[tuple[tuple[str | int, ...], str]]:
        found: list[tuple[tuple[str | int, ...], str]] = []
        for name, terms in self.lexicon.items():
            found += [(("lexicon", name, n), t) for n, t in enumerate(terms)]
        for i, signal in enumerate(self.signals):
            for j, pattern in enumerate(signal.patterns):
                for k, group in enumerate(pattern.all):
                    found += [(("signals", i, "patterns", j, "all", k, n), t) for n, t in enumerate(group)]
        for i, topic in enumerate(self.topics):
            for field in ("terms", "unless"):
                found += [(("topics", i, field, n), t) for n, t in enumerate(getattr(topic, field))]
        return found

    def _reference_problem(self, term: str, codes: set[str]) -> str | None:
        if term.startswith("@"):
            group = self.lexicon.get(term[1:])
            if group is None:
                return f"{term!r} names no lexicon group (known: {', '.join(sorted(self.lexicon))})"
            if any(t.startswith(("@", "actor:")) for t in group):
                return f"lexicon group {term!r} refers to a group or actor; groups hold plain terms"
        if term.startswith("actor:") and term[6:] not in codes:
            return f"{term!r} names no actor in the gazetteer"
        return None

    def all_terms(self) -> list[str]:
        terms = [t for group in self.lexicon.values() for t in group]
        terms += cue_terms(self.negation) + cue_terms(self.hedging)
        for signal in self.signals:
            terms += signal_terms(signal.patterns, signal.exclude, signal.unless_near)
        terms += [t for topic in self.topics for t in topic.terms]
        return terms

    def signal(self, signal_id: str) -> Signal | None:
        return next((s for s in self.signals if s.id == signal_id), None)


def cue_terms(cues: CueList) -> list[str]:
    return [*cues.before, *cues.far, *cues.after, *cues.except_]


def signal_terms(
    patterns: tuple[Pattern, ...], exclude: tuple[str, ...], unless_near: tuple[Proximity, ...]
) -> list[str]:
    """Every term a signal's rules name: its patterns, their contexts, its exclusions and contexts."""
    terms = [t for p in patterns for group in p.all for t in group]
    terms += [t for p in patterns for u in p.unless_near for t in u.terms]
    return [*terms, *exclude, *(t for u in unless_near for t in u.terms)]


def load_taxonomy(path: Path = DEFAULT_TAXONOMY) -> Taxonomy:
    """Read and validate a taxonomy file; raise ConfigError naming the file, line and field at fault."""
    try:
        return load(path, Taxonomy)  # the fast path for a valid file
    except ConfigError:
        pass  # read it again below, to name the line of every bad reference too
    document = read_yaml(path)
    taxonomy = validate(document, Taxonomy, context={"defer_references": True})
    problems = []
    for loc, message in taxonomy.reference_problems():
        file, line = document.locate(loc)
        problems.append(Problem(file, line, ".".join(map(str, loc)), message))
    if problems:
        raise ConfigError(problems)
    return taxonomy
