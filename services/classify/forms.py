"""Surface forms of a term: `warn~` becomes warn, warns, warned, warning; `escalat*` stays a prefix.

Generating a few forms that English never uses costs nothing in the automaton, so the rules are generous.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

_IRREGULAR: dict[str, tuple[str, ...]] = {
    "strike": ("struck", "stricken"),
    "shoot": ("shot",),
    "fight": ("fought",),
    "leave": ("left",),
    "flee": ("fled",),
    "send": ("sent",),
    "tell": ("told",),
    "hit": ("hit",),
    "bring": ("brought",),
    "seek": ("sought",),
    "take": ("took", "taken"),
    "give": ("gave", "given"),
    "fall": ("fell", "fallen"),
    "begin": ("began", "begun"),
    "spread": ("spread",),
    "rise": ("rose", "risen"),
    "drive": ("drove", "driven"),
    "break": ("broke", "broken"),
    "speak": ("spoke", "spoken"),
    "say": ("said",),
    "lead": ("led",),
    "blow": ("blew", "blown"),
    "draw": ("drew", "drawn"),
    "throw": ("threw", "thrown"),
    "stand": ("stood",),
    "hold": ("held",),
    "put": ("put",),
    "set": ("set",),
    "get": ("got", "gotten"),
    "go": ("went", "gone", "goes"),
    "run": ("ran",),
    "slay": ("slew", "slain"),
    "die": ("died", "dying", "dies"),
    "lie": ("lay", "lying"),
    "sink": ("sank", "sunk"),
    "shake": ("shook", "shaken"),
    "mean": ("meant",),
    "keep": ("kept",),
    "win": ("won",),
    "lose": ("lost",),
    "hear": ("heard",),
    "make": ("made",),
    "pay": ("paid",),
    "rule": ("ruled",),
    "offer": ("offered", "offering"),
    "threaten": ("threatened", "threatening"),
    "open": ("opened", "opening"),
    "happen": ("happened", "happening"),
    "widen": ("widened", "widening"),
    "worsen": ("worsened", "worsening"),
    "deepen": ("deepened", "deepening"),
    "broaden": ("broadened", "broadening"),
    "enter": ("entered", "entering"),
    "order": ("ordered", "ordering"),
    "consider": ("considered", "considering"),
    "deliver": ("delivered", "delivering"),
}

_VOWELS = set("aeiou")


def inflections(word: str) -> set[str]:
    """Verb and noun forms of `word` (regular rules, doubled consonants, irregular pasts)."""
    forms = {word, *_IRREGULAR.get(word, ())}
    if word.endswith("e"):
        stem = word[:-1]
        forms |= {word + "s", word + "d", stem + "ing"}
    elif word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        stem = word[:-1]
        forms |= {stem + "ies", stem + "ied", word + "ing"}
    elif word.endswith(("s", "x", "z", "ch", "sh")):
        forms |= {word + "es", word + "ed", word + "ing"}
    else:
        forms |= {word + "s", word + "ed", word + "ing"}
        if _doubles(word):
            forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    return forms


def _doubles(word: str) -> bool:
    """Short consonant-vowel-consonant endings double before -ed/-ing: stop → stopped, shell → shelling."""
    if len(word) < 3 or word[-1] in _VOWELS or word[-1] in "wxy":
        return False
    return word[-2] in _VOWELS and word[-3] not in _VOWELS


@dataclass(frozen=True)
class Form:
    """One literal string to find. `prefix`: the last word may run on (from `*`)."""

    text: str
    prefix: bool
    case_sensitive: bool


def expand(term: str) -> list[Form]:
    """Every literal form of a plain term (no @group or actor: references)."""
    case_sensitive = term != term.lower()
    prefix = term.endswith("*")
    choices: list[list[str]] = []
    for word in term.split(" "):
        if word.endswith("~"):
            choices.append(sorted(inflections(word[:-1])))
        else:
            choices.append([word.rstrip("*")])
    texts = {" ".join(combo) for combo in itertools.product(*choices)}
    if not case_sensitive:
        texts = {t.lower() for t in texts}
    return [Form(t, prefix, case_sensitive) for t in sorted(texts)]
