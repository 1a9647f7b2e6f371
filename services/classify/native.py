"""The engine's hot path in Rust, used whenever its extension is installed.

`Classifier` compiles the taxonomy in Python as always; `load` hands the result to the `newsmon_engine`
extension (built from `services/classify/engine_rs` by `make install`) as a plan of plain numbers: the
automaton's keys, the literal groups rules ask about, and every signal, cue list and topic by group number.
The extension then does per text what `rules.py` and `topics.py` describe (scan, sentences, rules, topics,
actors) and Python builds the messages from its answer. The Python engine stays the reference: a test runs
both over every labelled text and requires identical answers. Without the extension (no Rust toolchain at
install time), with one built from other sources than this checkout's (the extension records a digest of
them), or with `NEWSMON_CLASSIFY_ENGINE=python`, the engine runs as Python: same answers, slower.
"""

from __future__ import annotations

import importlib
import logging
import os
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from services.classify.matcher import Matcher
    from services.classify.rules import CompiledSignal, Context, Cues
    from services.classify.topics import TopicModel

ENGINE_ENV = "NEWSMON_CLASSIFY_ENGINE"
"""`python` runs the Python engine even when the Rust one is installed (e.g. to rule it out)."""
EXTENSION = "newsmon_engine"
SOURCES = Path(__file__).resolve().parent / "engine_rs" / "src"

log = logging.getLogger(__name__)

Passage = tuple[int, int, int, int]
"""(start, end, sentence start, sentence end) of one piece of evidence, in characters."""
Answer = tuple[list[tuple[int, list[Passage]]], list[int], list[int]]
"""(signals as (index, passages), topic indices, actor indices), each index into the compiled taxonomy."""


class NativeEngine(Protocol):
    def analyse(self, text: str, words: str) -> Answer | None:
        """What the taxonomy finds in `text` (`words` is `normalise(text)`); None when no term occurs."""


def wanted() -> bool:
    return os.environ.get(ENGINE_ENV, "").lower() != "python"


def extension_usable() -> bool:
    """Whether the extension is installed and built from this checkout's sources."""
    return _current_extension() is not None


def engine_build() -> str:
    """`rust` when new classifiers use the Rust engine, else `python`."""
    return "rust" if wanted() and extension_usable() else "python"


def sources_digest(sources: Path = SOURCES) -> str | None:
    """FNV-1a over each Rust source's name and bytes, in name order, as `build.rs` records it; None where
    the sources are not at hand."""
    if not sources.is_dir():
        return None
    digest = 0xCBF29CE484222325
    for path in sorted(sources.glob("*.rs"), key=lambda p: p.name):
        for byte in path.name.encode() + path.read_bytes():
            digest = ((digest ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{digest:016x}"


@cache
def _current_extension() -> ModuleType | None:
    """The installed extension if it was built from these sources (said once, in the log, if not)."""
    try:
        module = importlib.import_module(EXTENSION)
    except ImportError:
        return None
    current = sources_digest()
    if current is not None and getattr(module, "SOURCES", None) != current:
        log.warning(
            "the installed Rust classification engine was built from other sources than these;"
            " running the Python engine (same answers, slower) until `make install` rebuilds it"
        )
        return None
    return module


def extension() -> ModuleType | None:
    """The Rust extension when it is installed, built from these sources and wanted; else None."""
    return _current_extension() if wanted() else None


def load(
    matcher: Matcher,
    context: Context,
    signals: Sequence[CompiledSignal],
    topics: TopicModel,
    max_passages: int,
) -> NativeEngine | None:
    """The Rust engine for a compiled taxonomy, or None when it is not installed or not wanted."""
    module = extension()
    if module is None:
        return None
    return cast(NativeEngine, module.Engine(plan(matcher, context, signals, topics, max_passages)))


def plan(
    matcher: Matcher,
    context: Context,
    signals: Sequence[CompiledSignal],
    topics: TopicModel,
    max_passages: int,
) -> dict[str, object]:
    """The compiled taxonomy as the extension reads it (see `Engine::new` in engine_rs/src/lib.rs)."""
    literals = range(len(matcher.group_bits))
    actor_of = [-1] * len(literals)
    codes = [code for code, _ in context.actors]
    for literal, code in context.actor_of.items():
        actor_of[literal] = codes.index(code)
    rule = topics.rule
    return {
        "keys": list(matcher.keys.items()),
        "groups": (
            matcher.group_count,
            [list(groups) for groups in matcher.groups_of],
            [matcher.groups_containing(literal) for literal in literals],
        ),
        "negation": _cues(context.negation),
        "hedging": _cues(context.hedging),
        "clause_breaks": list(context.clause_breaks),
        "actor_of": actor_of,
        "actor_terms": context.actor_terms,
        "signals": [
            (
                s.terms,
                s.exclude,
                s.spec.negatable,
                s.spec.negation_window,
                s.spec.hedged == "drop",
                [
                    (
                        p.anchor,
                        list(p.others),
                        p.within,
                        list(p.all_unless),
                        list(p.doubts),
                        [g for g in range(p.needs.bit_length()) if p.needs >> g & 1],
                    )
                    for p in s.patterns
                ],
            )
            for s in signals
        ],
        "topics": [(t.terms, list(t.parties), t.unless) for t in topics.topics],
        "topic_rule": (
            rule.short_text_sentences,
            rule.min_sentences,
            rule.min_share_of_top,
            rule.title_weight,
        ),
        "max_passages": max_passages,
        "caseless": matcher.orthography.caseless,
    }


def _cues(cues: Cues) -> tuple[int | bool, ...]:
    return (
        cues.before,
        cues.far,
        cues.after,
        cues.exceptions,
        cues.window,
        cues.far_window,
        cues.has_before,
        cues.has_far,
        cues.has_after,
        cues.concord,
    )
