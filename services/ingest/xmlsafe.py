"""Feed bytes made inert before feedparser parses them: no DOCTYPE, entity declaration or external reference
survives, wherever it stood.

Why in front of the parser and not inside it: feedparser builds its expat SAX parser itself, with no parameter
to configure it (only a module-wide list of parser drivers, which we leave alone). As feedparser sets expat
up, external entities are never read: that second layer stays. But expat (2.4 and later) stops an entity bomb
only once it has expanded 8 MiB at a 100-fold amplification, over a second of CPU per poll, and feedparser's
loose fallback parser expands, with no limit at all, the "safe" entities feedparser lifts out of whatever
looks like a DOCTYPE before the first element (even inside a comment). So no declaration may reach either
parser.

The scan reads the document as feedparser will: decoded by feedparser's own rules (HTTP charset, BOM, XML
declaration, sniffing) and re-encoded as UTF-8, so a UTF-16 or UTF-7 document cannot hide markup from it.
Before the first element only the XML declaration is kept when anything else stands there (comments,
processing instructions and declarations carry nothing a feed reader uses there). After it, comments, CDATA
sections and processing instructions are kept whole, so text that merely mentions "<!DOCTYPE" inside them is
untouched, and every other `<!...>` declaration is replaced by a space. One pass, linear in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from feedparser.encodings import convert_to_utf8

# Each construct is matched whole, or to the end of the document when it never closes, with possessive
# repeats: no pattern ever backtracks or fails after scanning ahead, so every byte is read a bounded number of
# times and the scan is linear however the markup is broken. The leading `<` is left out of each construct so
# that the body's pattern starts with it as a literal, which the regex engine searches for fast.
_QUOTED = rb""""[^"]*+(?:"|\Z)|'[^']*+(?:'|\Z)"""
_COMMENT = rb"!--[^-]*+(?:-(?!->)[^-]*+)*+(?:-->|\Z)"  # to the first -->, in runs rather than byte by byte
_PI = rb"\?[^?]*+(?:\?(?!>)[^?]*+)*+(?:\?>|\Z)"
_CDATA = rb"!\[CDATA\[[^\]]*+(?:\](?!\]>)[^\]]*+)*+(?:\]\]>|\Z)"
_SUBSET = rb"\[(?:[^\"'\]<]++|" + _QUOTED + rb"|<" + _COMMENT + rb"|<" + _PI + rb"|<)*+(?:\]|\Z)"
_DECLARATION = rb"!(?:[^\"'\[>]++|" + _QUOTED + rb"|" + _SUBSET + rb")*+(?:>|\Z)"
_KEPT = _COMMENT + rb"|" + _CDATA + rb"|" + _PI

_XML_DECLARATION = re.compile(rb"<\?xml[ \t\r\n]" + _PI[2:])
_PROLOG = re.compile(rb"(?:[^<]++|<(?:" + _KEPT + rb"|" + _DECLARATION + rb")|<(?![\w!?]))*+", re.DOTALL)
"""Up to the first element: `<` and a word character, where feedparser's own DOCTYPE handling ends it."""
_BODY_MARKUP = re.compile(rb"<(?:(" + _KEPT + rb")|" + _DECLARATION + rb")", re.DOTALL)
"""Comments, CDATA sections and processing instructions captured (kept, less their `<`); declarations not."""
UTF8_CONTENT_TYPE = "application/xml; charset=utf-8"


@dataclass(frozen=True)
class Prepared:
    """The document as the parser must see it, and what decoding it had to say."""

    data: bytes
    utf8: bool  # decoded and re-encoded as UTF-8: parse it as application/xml; charset=utf-8
    encoding_problem: Any = None  # feedparser's exception for a wrong or unknown encoding, if any


def prepare(data: bytes, content_type: str) -> Prepared:
    """Decode `data` as feedparser would (to UTF-8), then neutralise it."""
    result: dict[str, Any] = {}
    converted = convert_to_utf8({"content-type": content_type}, data, result)
    problem = result.get("bozo_exception") if result.get("bozo") else None
    return Prepared(neutralise(converted), bool(result.get("encoding")), problem)


def neutralise(data: bytes) -> bytes:
    """Remove every markup declaration (DOCTYPE with its internal subset, ENTITY, ELEMENT, ATTLIST, ...) from
    ASCII-compatible bytes, and everything but the XML declaration from a prolog that holds any markup; `data`
    itself when nothing had to go. Removed markup becomes a space, so what stood on either side of it cannot
    join into new markup. Memory stays within twice the document, whatever it holds."""
    declaration = _XML_DECLARATION.match(data)
    start = declaration.end() if declaration else 0
    prolog = _PROLOG.match(data, start)
    root = prolog.end() if prolog else start  # the pattern matches the empty string: never None
    prolog_changed = b"<" in data[start:root]
    out = bytearray(data[:start] + b"\n" if prolog_changed else data[:root])
    view, kept = memoryview(data), root
    for match in _BODY_MARKUP.finditer(data, root):
        if match.lastindex is None:  # no group: a declaration
            start, end = match.span()
            out += view[kept:start]
            out += b" "
            kept = end
    if not prolog_changed and kept == root:
        return data
    out += view[kept:]
    return bytes(out)
