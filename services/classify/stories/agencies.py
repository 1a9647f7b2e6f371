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
_NAME = r"([A-Z][A-Za-z-]+(?: [A-Z][A-Za-z-]+){0,3}|dpa|Efe)"
_OPENING = (
    re.compile(rf"\({_NAME}\)"),  # (Reuters) -, (AP) —, (dpa), (Yonhap) --
    re.compile(rf"/{_NAME}/"),  # MOSCOW, March 3. /TASS/.
    re.compile(rf"^\s*(?:By [^\n]{{0,80}}?,\s*)?{_NAME}\s*(?:--|[-—–:|])"),  # AFP - ..., By Jane Doe, AP —
    re.compile(rf"[-—–]-? ?{_NAME} ?[-—–]"),  # Kyiv -- AFP -- ... (a dash first: the scan skips to dashes)
)
_LAST_LINE = (
    re.compile(rf"(?:--|[-—–(/©]|Copyright|\bby) ?{_NAME}\)?$"),  # ... — AFP / (dpa) / © Reuters
    re.compile(rf"^{_NAME}(?: [a-z]{{2,3}}){{0,2}}$"),  # a last line of its own: "dpa", "dpa ab"
)
_CONTRIBUTED = re.compile(
    rf"{_NAME} (?:writers?|correspondents?|reporters?|contributed)\b|inputs from {_NAME}"
)
_REPORTING = re.compile(r"\((?:Reporting|Additional reporting|Writing) by\b")  # Reuters' closing credit


def agency_of(text: str) -> str | None:
    """The lower-case id of the wire agency `text` credits (see `AGENCIES`), or None when it names none."""
    opening = text[:EDGE]
    for pattern in _OPENING:
        for match in pattern.finditer(opening):
            agency = _NAME_TO_ID.get(match[1])
            if agency is not None:
                return agency
    tail = text[-EDGE:].rstrip()
    last_line = tail[tail.rfind("\n") + 1 :].strip()[-80:]
    for pattern in _LAST_LINE:
        for match in pattern.finditer(last_line):
            agency = _NAME_TO_ID.get(match[1])
            if agency is not None:
                return agency
    if "contributed" in tail or "inputs from" in tail:
        for match in _CONTRIBUTED.finditer(tail):
            agency = _NAME_TO_ID.get((match[1] or match[2]).removeprefix("The "))
            if agency is not None:
                return agency
    return "reuters" if "by" in tail and _REPORTING.search(tail) else None
