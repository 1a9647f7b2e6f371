"""The non-English corpora's pure steps: language checks, deduplication, the seeded draw, text cutting.

These corpora count false alarms of the language packs on real non-conflict news, so every step exists to
keep an item honest: in the claimed language (a script share and letter or function-word rules), once only,
and spread across registers so no single section decides the alarm rate.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

SEED = 20261207
"""Seed of every draw: `random.Random(f"{SEED}-{lang}-{register}")`."""
MAX_NONCONFLICT = 1500
MAX_POLITICS_WORLD = 300
BODY_CHARS = 1500
MIN_BODY_CHARS = 120
LANG_CHECK_CHARS = 800
MIN_LETTERS = 50

NONCONFLICT = ("sport", "business", "technology", "culture", "health", "science", "entertainment", "local")
APART = ("politics", "world")
"""Registers that may be about wars: drawn separately, and left out when counting false alarms."""
LANGS = ("ru", "uk", "ar", "fa", "he", "fr", "de", "es")

_WHITESPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?؟۔…](?:[\"'»”’)\]]*)(?=\s|$)")
_WORD = re.compile(r"\w+", re.UNICODE)


def norm_ws(text: str | None) -> str:
    return _WHITESPACE.sub(" ", text or "").strip()


@dataclass(frozen=True)
class LangItem:
    """One article as read from a source, before checks; `id` is set once its source is known."""

    source: str
    category: str
    """The data set's own label (or URL section, topic folder, outlet), as given."""
    register: str | None
    """Our register for the category; None when the category is not mapped (the item is dropped)."""
    title: str
    body: str
    native_id: str
    date: str | None = None
    url: str | None = None
    id: str = field(default="")

    def record(self) -> dict[str, Any]:
        """The JSON object of OUT/lang/<lang>.jsonl; date and url only when known."""
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "register": self.register,
            "title": self.title,
            "text": make_text(self.title, self.body),
            "category": self.category,
        }
        if self.date:
            out["date"] = self.date
        if self.url:
            out["url"] = self.url
        return out


def lang_item(
    source: str,
    category: str,
    register: str | None,
    title: str,
    body: str,
    native_id: str,
    date: str | None = None,
    url: str | None = None,
) -> LangItem:
    """An item with title and body whitespace-normalised (the only change made to published words)."""
    return LangItem(source, category, register, norm_ws(title), norm_ws(body), native_id, date, url)


# ------------------------------------------------------------------ text
def cut_body(body: str, limit: int = BODY_CHARS) -> str:
    """The first ~limit characters, cut at the last sentence end past 40 % of them, else between words."""
    if len(body) <= limit:
        return body
    window = body[: limit + 1]
    ends = [end for end in (m.end() for m in _SENTENCE_END.finditer(window)) if end <= limit]
    if ends and ends[-1] >= limit * 0.4:
        return body[: ends[-1]].rstrip()
    cut = window.rfind(" ", 0, limit)
    return (body[:cut] if cut > limit * 0.5 else body[:limit]).rstrip()


def make_text(title: str, body: str) -> str:
    body = cut_body(body)
    return f"{title}\n{body}" if title else body


def dedupe_key(title: str, body: str) -> str:
    """Letters and digits of the title and body start, lower-cased: the same story reposted matches."""
    text = (title or "") + " " + (body or "")[:300]
    return hashlib.sha1("".join(ch for ch in text.lower() if ch.isalnum()).encode("utf-8")).hexdigest()


def url_key(url: str) -> str:
    return "url:" + url.split("?")[0].rstrip("/")


# ------------------------------------------------------------------ language checks
def script_of(ch: str) -> str:
    code = ord(ch)
    if code < 0x250 or 0x1E00 <= code <= 0x1EFF:
        return "latin" if ch.isalpha() else "other"
    if 0x400 <= code <= 0x52F:
        return "cyrillic"
    if 0x590 <= code <= 0x5FF or 0xFB1D <= code <= 0xFB4F:
        return "hebrew"
    if (
        0x600 <= code <= 0x6FF
        or 0x750 <= code <= 0x77F
        or 0x8A0 <= code <= 0x8FF
        or 0xFB50 <= code <= 0xFDFF
        or 0xFE70 <= code <= 0xFEFF
    ):
        return "arabic"
    return "other"


PERSIAN_ONLY = frozenset("پچژگکی")
UKRAINIAN_ONLY = frozenset("іїєґІЇЄҐ")
RUSSIAN_ONLY = frozenset("ыэъёЫЭЪЁ")
PERSIAN_WORDS = frozenset(
    {"است", "می", "را", "این", "که", "برای", "های", "شد", "کرد", "كرد", "نيز", "نیز", "اين"}
)
_STOP = {
    "fr": "le la les des du de et est une un en pour que qui dans pas au aux ce cette sont avec sur par plus "
    "il elle ont été son sa ses",
    "de": "der die das und ist nicht ein eine den dem des mit sich auf für von zu im auch es sie wird werden "
    "bei nach hat sind",
    "es": "el la los las de y en que un una por con para del al es se no su lo como más pero fue sus",
    "en": "the and of to in is that for on with as was it by are at this from be have has",
    "it": "il di che e la le per un una non con sono del della è gli anche nel alla",
    "pt": "o os a as de do da dos das e em um uma que não com para por é são ao no na",
    "nl": "de het een en van in is dat op te zijn met voor niet ook",
    "ca": "el la els les de i que en un una per amb del és no va als al seu",
}
FUNCTION_WORDS = {lang: frozenset(words.split()) for lang, words in _STOP.items()}
"""Function words of the Latin-script languages a corpus could be mistaken for."""

Verdict = tuple[bool, str]
"""(kept, reason); the reason's part before `=` is the drop counter in build_stats.json."""


def share_of(letters: Sequence[str], wanted: frozenset[str]) -> float:
    return sum(1 for ch in letters if ch in wanted) / max(1, len(letters))


def arabic_script_ok(lang: str, text: str, letters: list[str]) -> Verdict:
    """Arabic and Persian share a script: Persian-only letters tell them apart, or Persian function words
    (old Persian text typed with Arabic yeh and kaf has none of those letters)."""
    arabic = [ch for ch in letters if script_of(ch) == "arabic"]
    share = len(arabic) / len(letters)
    if share < 0.7:
        return False, f"script(arabic)={share:.2f}"
    persian = share_of(arabic, PERSIAN_ONLY)
    if lang == "ar" and persian > 0.01:
        return False, f"persian-letters={persian:.3f}"
    if lang == "fa" and persian < 0.005 and len(set(_WORD.findall(text)) & PERSIAN_WORDS) < 3:
        return False, "not-persian"
    return True, ""


def cyrillic_ok(lang: str, letters: list[str]) -> Verdict:
    """Russian has no і ї є ґ; Ukrainian has them and no ы э ъ ё."""
    cyrillic = [ch for ch in letters if script_of(ch) == "cyrillic"]
    share = len(cyrillic) / len(letters)
    if share < 0.7:
        return False, f"script(cyrillic)={share:.2f}"
    ukrainian, russian = share_of(cyrillic, UKRAINIAN_ONLY), share_of(cyrillic, RUSSIAN_ONLY)
    if lang == "ru" and ukrainian > 0.005:
        return False, f"ukrainian-letters={ukrainian:.3f}"
    if lang == "uk" and (ukrainian < 0.005 or russian > 0.005):
        return False, "not-ukrainian"
    return True, ""


def latin_ok(lang: str, text: str, letters: list[str]) -> Verdict:
    """The claimed language's function words must score highest among eight Latin-script languages."""
    share = sum(1 for ch in letters if script_of(ch) == "latin") / len(letters)
    if share < 0.8:
        return False, f"script(latin)={share:.2f}"
    tokens = [token.lower() for token in _WORD.findall(text)]
    scores = {
        name: sum(1 for token in tokens if token in words) / max(1, len(tokens))
        for name, words in FUNCTION_WORDS.items()
    }
    best = max(scores, key=lambda name: scores[name])
    if best != lang:
        return False, f"looks-{best}"
    if scores[lang] < 0.08:
        return False, f"few-{lang}-function-words"
    return True, ""


def lang_ok(lang: str, text: str) -> Verdict:
    """Whether text is in the claimed language, and if not, why."""
    letters = [ch for ch in text if ch.isalpha()]
    if len(letters) < MIN_LETTERS:
        return False, "too-short"
    if lang in ("ar", "fa"):
        return arabic_script_ok(lang, text, letters)
    if lang == "he":
        share = sum(1 for ch in letters if script_of(ch) == "hebrew") / len(letters)
        return share >= 0.6, f"script(hebrew)={share:.2f}"
    if lang in ("ru", "uk"):
        return cyrillic_ok(lang, letters)
    return latin_ok(lang, text, letters)


# ------------------------------------------------------------------ checks and deduplication
def drop_reason(lang: str, item: LangItem) -> str | None:
    """The build_stats counter an item is dropped under, or None when it passes the checks."""
    if item.register is None:
        return "drop:unmapped-category"
    if len(item.body) < MIN_BODY_CHARS:
        return "drop:short-body"
    ok, why = lang_ok(lang, item.title + " " + item.body[:LANG_CHECK_CHARS])
    return None if ok else "drop:lang:" + why.split("=")[0]


def unique_id(item_id: str, taken: set[str]) -> str:
    """A source may reuse a native id: the second gets `-2`, the third `-3`, ..."""
    if item_id not in taken:
        return item_id
    number = 2
    while f"{item_id}-{number}" in taken:
        number += 1
    return f"{item_id}-{number}"


def keep(lang: str, items: Iterable[LangItem]) -> tuple[list[LangItem], Counter[str]]:
    """Items that pass the checks, the first of each text and URL, ids made unique; and the drop counts."""
    stats: Counter[str] = Counter()
    kept: list[LangItem] = []
    seen: set[str] = set()
    ids: set[str] = set()
    for item in items:
        reason = drop_reason(lang, item)
        if reason:
            stats[reason] += 1
            continue
        keys = {dedupe_key(item.title, item.body)} | ({url_key(item.url)} if item.url else set())
        if keys & seen:
            stats["drop:duplicate"] += 1
            continue
        seen |= keys
        new_id = unique_id(item.id, ids)
        if new_id != item.id:
            stats["renamed:id-collision"] += 1
            item = replace(item, id=new_id)
        ids.add(item.id)
        kept.append(item)
    return kept, stats


# ------------------------------------------------------------------ the seeded draw
def waterfill(available: dict[str, int], cap: int) -> dict[str, int]:
    """Equal shares of cap over keys; a key with fewer items than its share gives the rest to the others."""
    quota = dict.fromkeys(available, 0)
    left = cap
    active = [key for key in available if available[key] > 0]
    while left > 0 and active:
        share = max(1, left // len(active))
        still: list[str] = []
        for key in sorted(active):
            take = min(share, available[key] - quota[key], left)
            quota[key] += take
            left -= take
            if quota[key] < available[key]:
                still.append(key)
            if left <= 0:
                break
        active = still
    return quota


def pick(items: Iterable[LangItem], count: int, rng: random.Random) -> list[LangItem]:
    """count items, taken in turn from shuffled (source, category) buckets so categories are spread."""
    buckets: dict[tuple[str, str], list[LangItem]] = defaultdict(list)
    for item in sorted(items, key=lambda it: it.id):
        buckets[item.source, item.category].append(item)
    keys = sorted(buckets)
    for key in keys:
        rng.shuffle(buckets[key])
    rng.shuffle(keys)
    out: list[LangItem] = []
    while len(out) < count and keys:
        still: list[tuple[str, str]] = []
        for key in keys:
            if len(out) >= count:
                break
            if buckets[key]:
                out.append(buckets[key].pop())
            if buckets[key]:
                still.append(key)
        keys = still
    return out


def draw_language(
    items: Iterable[LangItem],
    lang: str,
    seed: int = SEED,
    max_nonconflict: int = MAX_NONCONFLICT,
    max_politics_world: int = MAX_POLITICS_WORLD,
) -> list[LangItem]:
    """Up to max_nonconflict non-conflict items and max_politics_world politics/world items, water-filled
    over registers, each register with its own seeded generator; ordered by register, then id."""
    by_register: dict[str | None, list[LangItem]] = defaultdict(list)
    for item in items:
        by_register[item.register].append(item)
    chosen: list[LangItem] = []
    for registers, cap in ((NONCONFLICT, max_nonconflict), (APART, max_politics_world)):
        quota = waterfill({register: len(by_register[register]) for register in registers}, cap)
        for register in registers:
            rng = random.Random(f"{seed}-{lang}-{register}")
            chosen += pick(by_register[register], quota[register], rng)
    order = {register: index for index, register in enumerate(NONCONFLICT + APART)}
    return sorted(chosen, key=lambda item: (order[item.register or ""], item.id))


def lang_stats(
    records: int, kept: Sequence[LangItem], chosen: Sequence[LangItem], drops: Counter[str]
) -> dict[str, Any]:
    """What build_stats.json says of one language (its `file` is added by the caller)."""
    categories = Counter((item.register, item.category) for item in chosen)
    return {
        "records": records,
        "kept_after_checks": len(kept),
        "pool_by_register": dict(Counter(item.register for item in kept)),
        "written": len(chosen),
        "by_register": dict(Counter(item.register for item in chosen)),
        "by_register_category": {
            f"{register}|{category}": n for (register, category), n in sorted(categories.items())
        },
        "dropped": dict(drops),
    }
