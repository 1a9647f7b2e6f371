"""The feed files under tests/fixtures/feeds: each one's header says what it is about and what to expect.

Expect lines: `outcome=ok`, `articles=2`, `duplicates=1`, `skipped=1`, `bozo=true`, `N.field=value` (equal),
`N.field~=value` (contains), `N.field^=value` (starts with), `text!~value` (no article text contains it).
"""

from __future__ import annotations

import re
from pathlib import Path

FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
_EXPECT = re.compile(rb"^Expect: (.+)$", re.MULTILINE)


def expectations(data: bytes) -> list[str]:
    """The Expect lines of a fixture, whatever its encoding (UTF-16 ones included)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text: str | bytes = data.decode("utf-16")
    elif data.startswith((b"<\x00?\x00", b"\x00<\x00?")):  # UTF-16 without a byte-order mark
        text = data.decode("utf-16-le" if data[0] else "utf-16-be")
    else:
        text = data
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return [m.group(1).decode("utf-8").strip() for m in _EXPECT.finditer(raw)]


def expected(data: bytes, key: str) -> str:
    """The value of a `key=value` expectation; KeyError when the fixture states none."""
    for line in expectations(data):
        name, sep, value = line.partition("=")
        if sep and name == key:
            return value
    raise KeyError(key)
