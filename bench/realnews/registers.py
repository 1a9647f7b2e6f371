"""Which register (feed section) an item is filed under: source metadata plus two fixed keyword rules.

A register only routes the balance cap and the sample's quotas; it is not a label. An item of a world or
general feed whose headline or lede names war, the military, terrorism or a named theatre is filed under
`conflict`; a national or regional Reddit headline about police, shootings or trials under `local_crime`.
"""

from __future__ import annotations

import re

CONFLICT_RE = re.compile(
    r"\b(war|wars|warplanes?|wartime|military|militar(?:y|ies)|troops?|soldiers?|army|armies|"
    r"missiles?|air ?strikes?|airstrikes?|drone strikes?|drone attacks?|bomb(?:s|ing|ings|ed|ers?)?|"
    r"shell(?:ing|ed)|rockets?|artillery|ceasefire|cease-fire|truce|invasion|invade[sd]?|"
    r"insurgen(?:t|ts|cy)|militants?|rebels?|guerrillas?|hostages?|terror(?:ist|ists|ism)?|"
    r"hamas|hezbollah|houthis?|taliban|al-qaeda|al qaeda|idf|gaza|west bank|kyiv|kiev|ukrain\w*|"
    r"donbas|kharkiv|crimea|nato|pentagon|iraq\w*|fallujah|najaf|darfur|kashmir|pyongyang|"
    r"north korea\w*|taiwan strait|evacuat\w*|nuclear|warship|navy|naval|fighter jets?|"
    r"genocide|massacre|peacekeep\w*|insurgency|coup)\b",
    re.I,
)
CRIME_RE = re.compile(
    r"\b(police|arrest\w*|shoot\w*|shot|murder\w*|stabb\w*|kill\w*|homicide|robber\w*|"
    r"charged|sheriff|suspect\w*|deputies|crash|jail\w*|prison|assault\w*|burglar\w*|theft|"
    r"gun\w*|trial|sentenced|convicted|missing)\b",
    re.I,
)

AG_CLASSES = {"1": "world", "2": "sport", "3": "business", "4": "technology"}
BBC_FOLDERS = {
    "business": "business",
    "entertainment": "entertainment",
    "politics": "politics",
    "sport": "sport",
    "tech": "technology",
}
SUBREDDITS = {
    "worldnews": "world",
    "ukraine": "conflict",
    "news": "national",
    "politics": "politics",
    "technology": "technology",
    "television": "entertainment",
    "sports": "sport",
    "science": "science",
    "florida": "regional",
    "miami": "regional",
    "FLgovernment": "regional",
    "nottheonion": "offbeat",
    "UpliftingNews": "offbeat",
}
"""Any other subreddit is national."""


def conflict_or(default: str, *texts: str) -> str:
    """`conflict` when any of the texts matches CONFLICT_RE, else the feed's own register."""
    return "conflict" if any(CONFLICT_RE.search(text) for text in texts) else default


def subreddit_register(subreddit: str, title: str) -> str:
    """A Reddit headline's register: its subreddit's, then the conflict rule, then the crime rule."""
    register = SUBREDDITS.get(subreddit, "national")
    if register in ("world", "national", "regional", "politics"):
        register = conflict_or(register, title)
    if register in ("national", "regional") and CRIME_RE.search(title):
        register = "local_crime"
    return register
