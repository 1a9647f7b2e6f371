"""Places and named entities in an article's opening, found by capitalisation and the words around them.

A story is one event in one place: two drone attacks on two cities the same night are two stories. The
place is whatever capitalised name follows a locative word ("in Kharkiv", "near the town of Pokrovsk",
"outside Rafah"), stands in the dateline ("KHARKIV, Ukraine (Reuters) -") or precedes a word such as
"region" or "province". Countries and wide regions are not places here: both attacks happened "in
Ukraine", so naming it says nothing about which attack a report is about (the classifier's actors and
topics carry the country). Every other capitalised name is an entity: people, units, organisations.
"""

from __future__ import annotations

import re
from functools import cache
from types import ModuleType
from typing import Any

from services.classify.native import extension

OPENING = 900
"""Characters read: the headline and the first paragraphs name the event's place, actors and figures; the
rest of a long article adds cost, not evidence."""

MAX_PLACES = 6
MAX_ENTITIES = 12

_WORD = r"[A-Z][a-z\u00c0-\u024f]+(?:-[A-Z][a-z\u00c0-\u024f]+)*"
_NAME = re.compile(rf"{_WORD}(?: (?:al-|el-|de |al |el )?{_WORD}){{0,3}}(?P<tail>[-'’][a-z]+)?")
_LOCATIVES: tuple[str, ...] = (
    "in",
    "near",
    "outside",
    "at",
    "over",
    "across",
    "around",
    "into",
    "toward",
    "towards",
)
_LOCATIVES += ("inside", "off", "hit", "struck", "targeted", "attacked", "shelled", "bombed")
_BEFORE: tuple[str, ...] = tuple(f" {w} " for w in _LOCATIVES) + tuple(f" {w} the " for w in _LOCATIVES)
_BEFORE += tuple(f" {w} of " for w in ("city", "town", "village", "district", "port", "region", "province"))
_BEFORE += tuple(f"\n{w} " for w in _LOCATIVES) + tuple(f"{w.capitalize()} " for w in _LOCATIVES[:4])
_AFTER: tuple[str, ...] = (
    "region",
    "province",
    "oblast",
    "governorate",
    "district",
    "city",
    "town",
    "village",
    "port",
)
_AFTER += ("airport", "border", "refinery", "suburb", "county", "state", "neighbourhood", "neighborhood")
_DATELINE = re.compile(r"\s*([A-Z][A-Z'’ -]{2,}[A-Z])(?=[,(]| \(|\.)")


_DEMONYM_ENDINGS = ("ian", "ean", "ese", "ish", "ani", "eli")
_DEMONYMS = frozenset(("omani", "yemeni", "iraqi", "saudi", "kuwaiti", "qatari", "emirati", "somali", "thai"))
_BODIES: tuple[str, ...] = ("party", "forces", "agency", "ministry", "council", "army", "front")
_BODIES += ("movement", "union")
_BODIES += ("organization", "organisation", "committee", "assembly", "parliament", "corps", "group", "bank")


def _names(text: str) -> frozenset[str]:
    return frozenset(name.strip() for name in text.replace("\n", " ").split(",") if name.strip())


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NOT_PLACES = _names(
    """
    afghanistan, albania, algeria, angola, argentina, armenia, australia, austria, azerbaijan, bahrain,
    bangladesh, belarus, belgium, bolivia, bosnia, brazil, britain, bulgaria, burkina faso, burundi,
    cambodia, cameroon, canada, chad, chile, china, colombia, congo, croatia, cuba, cyprus, czech
    republic, denmark, djibouti, ecuador, egypt, eritrea, estonia, ethiopia, finland, france, gabon,
    georgia, germany, ghana, greece, guatemala, guinea, haiti, honduras, hungary, iceland, india,
    indonesia, iran, iraq, ireland, israel, italy, japan, jordan, kazakhstan, kenya, kosovo, kuwait,
    kyrgyzstan, laos, latvia, lebanon, liberia, libya, lithuania, madagascar, malawi, malaysia, mali,
    mauritania, mexico, moldova, mongolia, montenegro, morocco, mozambique, myanmar, namibia, nepal,
    netherlands, niger, nigeria, norway, oman, pakistan, palestine, panama, paraguay, peru, philippines,
    poland, portugal, qatar, romania, russia, rwanda, saudi arabia, senegal, serbia, sierra leone,
    singapore, slovakia, slovenia, somalia, south africa, south korea, north korea, korea, spain, sri
    lanka, sudan, south sudan, sweden, switzerland, syria, taiwan, tajikistan, tanzania, thailand, togo,
    tunisia, turkey, türkiye, turkmenistan, uganda, ukraine, united states, america, united kingdom,
    united arab emirates, uae, uruguay, uzbekistan, venezuela, vietnam, yemen, zambia, zimbabwe, europe,
    asia, africa, middle east, gulf, the gulf, persian gulf, west bank, gaza, gaza strip, sahel, horn of
    africa, latin america, the west, us, uk, eu, nato, un, democratic republic of congo, drc, crimea,
    donbas, kashmir, red sea, black sea, mediterranean, baltic, balkans, caucasus, north, south, east,
    west
    """
)
_FUNCTION_WORDS = _words(
    """
    the a an and but or if as at in on of for to by with from after before during while when where what who
    he she it they we i you his her its their our this that these those there here then than so not no yes
    monday tuesday wednesday thursday friday saturday sunday today tonight yesterday tomorrow
    january february march april may june july august september october november december
    mr mrs ms dr gen president prime minister officials official authorities police army military forces
    government ministry spokesman spokeswoman spokesperson residents witnesses sources local state
    reporting editing writing additional read more this story updated also however meanwhile earlier later
    according some many several one two three four five six seven eight nine ten dozens hundreds
    near outside over across around into toward towards inside off
    reuters ap afp dpa xinhua anadolu yonhap kyodo tass interfax ansa efe pti ani associated press
    """
)


def places_and_entities(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lower-case places and entities named in `text`'s opening, most mentioned first (ties: first seen):
    found by the Rust extension when it is installed (`PlaceFinder` in engine_rs/src/places.rs, with these
    word lists; the same answers, some ten times faster), else by `python_places_and_entities`."""
    native = extension()
    if native is None:
        return python_places_and_entities(text)
    places, entities = _finder(native).find(text)
    return tuple(places), tuple(entities)


@cache
def _finder(native: ModuleType) -> Any:
    return native.PlaceFinder(
        OPENING,
        MAX_PLACES,
        MAX_ENTITIES,
        list(_LOCATIVES),
        list(_BEFORE),
        list(_AFTER),
        sorted(_NOT_PLACES),
        sorted(_DEMONYMS),
        list(_DEMONYM_ENDINGS),
        sorted(_FUNCTION_WORDS),
        list(_BODIES),
    )


def python_places_and_entities(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """`places_and_entities` in Python: the reference the Rust finder is held to."""
    opening = text[:OPENING]
    places: dict[str, int] = {}
    entities: dict[str, int] = {}
    dateline = _DATELINE.match(opening)
    if dateline is not None:
        _count(places, dateline[1].lower(), 2)
    for mention in _NAME.finditer(opening):
        start, end = mention.span()
        tail = mention["tail"]
        if tail is not None and tail[0] == "-":
            continue  # Russian-occupied, Turkish-backed, Kurdish-led: an adjective
        words = mention[0].lower().removesuffix(tail.lower() if tail else "").split()
        located = opening.endswith(_BEFORE, max(0, start - 12), start) or words[0] in _LOCATIVES
        while words and words[0] in _FUNCTION_WORDS:
            words.pop(0)
        if not words or (len(words) == 1 and len(words[0]) < 3):
            continue
        name = " ".join(words)
        if name in _NOT_PLACES or name in _DEMONYMS or name.endswith(_DEMONYM_ENDINGS):
            continue
        if (located or opening.startswith(_AFTER, end + 1)) and not name.endswith(_BODIES):
            _count(places, name, 1)
        else:
            _count(entities, name, 1)
    for place in places:
        entities.pop(place, None)
    return _top(places, MAX_PLACES), _top(entities, MAX_ENTITIES)


def _count(counts: dict[str, int], name: str, weight: int) -> None:
    counts[name] = counts.get(name, 0) + weight


def _top(counts: dict[str, int], limit: int) -> tuple[str, ...]:
    order = {name: index for index, name in enumerate(counts)}
    return tuple(sorted(counts, key=lambda n: (-counts[n], order[n]))[:limit])
