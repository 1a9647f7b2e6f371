"""Which wire agency an article's text names as its source, from the credit forms agencies use.

Agencies credit themselves in a few fixed places: the dateline ("KYIV, March 3 (Reuters) -", "SEOUL, March 3
(Yonhap) --", "MOSCOW, March 3. /TASS/."), a closing credit ("— AFP", "(Reporting by ...; Editing by ...)",
"Associated Press writers ... contributed") or a byline naming the agency in full. Only those places are read
(the first and last few hundred characters), so "told Reuters" or "according to AFP" in the body of another
outlet's report does not make that report a wire copy.
"""

from __future__ import annotations

import re

AGENCIES: dict[str, tuple[str, ...]] = {
    "reuters": ("Reuters", "REUTERS"),
    "ap": ("AP", "Associated Press", "The Associated Press"),
    "afp": ("AFP", "Agence France-Presse", "Agence France Presse"),
    "dpa": ("dpa", "DPA", "Deutsche Presse-Agentur"),
    "anadolu": ("Anadolu", "AA", "Anadolu Agency", "Anadolu Ajansi"),
    "xinhua": ("Xinhua", "XINHUA"),
    "ani": ("ANI", "Asian News International"),
    "pti": ("PTI", "Press Trust of India"),
    "yonhap": ("Yonhap", "YONHAP"),
    "kyodo": ("Kyodo", "Kyodo News", "KYODO"),
    "efe": ("EFE", "Efe"),
    "ansa": ("ANSA", "Ansa"),
    "interfax": ("Interfax", "INTERFAX", "Interfax-Ukraine"),
    "tass": ("TASS", "Tass", "ITAR-TASS"),
    "ians": ("IANS",),
    "bernama": ("Bernama", "BERNAMA"),
    "wafa": ("WAFA", "Wafa"),
    "irna": ("IRNA",),
    "ukrinform": ("Ukrinform",),
    "aap": ("AAP", "Australian Associated Press"),
    "upi": ("UPI", "United Press International"),
    "apa": ("APA",),
    "ria": ("RIA Novosti", "RIA"),
    "pap": ("PAP",),
    "sana": ("SANA",),
    "mena": ("MENA",),
    "kcna": ("KCNA",),
    "cna": ("CNA", "Central News Agency"),
}
"""Agency id -> the names it credits itself with (case-sensitive: "AP" is the agency, "ap" is not)."""

EDGE = 400
"""Characters read at each end of the text: datelines and closing credits stand there."""

_NAME_TO_ID = {name: agency for agency, names in AGENCIES.items() for name in names}
_NAMES = "|".join(re.escape(n) for n in sorted(_NAME_TO_ID, key=len, reverse=True))
_OPENING = re.compile(
    rf"\((?P<a>{_NAMES})\)"  # (Reuters) -, (AP) —, (dpa), (Yonhap) --
    rf"|/(?P<b>{_NAMES})/"  # MOSCOW, March 3. /TASS/.
    rf"|^\s*(?:By [^\n]{{0,80}}?,\s*)?(?P<c>{_NAMES})\s*(?:[-—–:|]|--)"  # AFP - ..., By Jane Doe, AP —
    rf"|[\w.]\s+(?:[-—–]|--)\s*(?P<d>{_NAMES})\s*(?:[-—–]|--)"  # Kyiv -- AFP -- ...
)
_CLOSING = re.compile(
    rf"(?:[-—–]|--|\(|/|©|Copyright|\bby)\s*(?P<a>{_NAMES})\)?\s*$"  # ... — AFP / (dpa) / © Reuters
    r"|\((?P<reporting>Reporting|Additional reporting|Writing) by\b"  # Reuters' closing credit
    rf"|\b(?P<b>{_NAMES}) (?:writers?|correspondents?|reporters?)\b[^.\n]{{0,120}}\bcontributed"
    rf"|\b(?P<c>{_NAMES}) contributed to this report"
    rf"|(?:^|\n)\s*(?P<d>{_NAMES})(?: [a-z]{{2,3}}){{0,2}}\s*$"  # a last line of its own: "dpa", "dpa ab"
)


def agency_of(text: str) -> str | None:
    """The lower-case id of the wire agency `text` credits (see `AGENCIES`), or None when it names none."""
    opening = _OPENING.search(text[:EDGE])
    if opening is not None:
        return _NAME_TO_ID[_named(opening)]
    tail = text[-EDGE:].rstrip()
    found = None
    for closing in _CLOSING.finditer(tail):
        found = "reuters" if closing.group("reporting") else _NAME_TO_ID[_named(closing)]
    return found


def _named(match: re.Match[str]) -> str:
    return next(v for k, v in match.groupdict().items() if v is not None and k != "reporting")
