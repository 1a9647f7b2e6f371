"""No DOCTYPE, entity declaration or external reference gets past xmlsafe, wherever it stands, and nothing
else in a feed changes."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from feedparser.encodings import convert_to_utf8

from services.ingest.xmlsafe import UTF8_CONTENT_TYPE, neutralise, prepare
from tests.feed_fixtures import FEEDS

DECL = b'<?xml version="1.0"?>'


def test_a_doctype_and_its_internal_subset_are_removed() -> None:
    data = DECL + b'\n<!DOCTYPE r [<!ENTITY a "b">]>\n<rss/>'
    assert neutralise(data) == DECL + b"\n<rss/>"


def test_a_doctype_with_an_external_id_is_removed() -> None:
    data = b'<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN" "x.dtd"><rss/>'
    assert neutralise(data) == b"\n<rss/>"


def test_every_doctype_and_stray_declaration_goes_wherever_it_stands() -> None:
    data = (
        DECL + b"<!-- c --><?pi x?><!DOCTYPE a><!DOCTYPE b [<!ENTITY e 'x'>]><!ENTITY f 'y'>"
        b"<rss><channel><!DOCTYPE c [<!ENTITY g 'z'>]><title>t</title>"
        b"<!ATTLIST x y CDATA #IMPLIED></channel></rss>"
    )
    out = neutralise(data)
    assert b"<!D" not in out
    assert b"<!E" not in out
    assert b"<!A" not in out
    assert out.startswith(DECL)
    assert b"<title>t</title>" in out


def test_quoted_brackets_and_angles_do_not_end_the_subset_early() -> None:
    data = b"<!DOCTYPE r [<!ENTITY a \"]>\"><!-- ]> --><?p ]>?><!ENTITY b 'x'>]><rss>&b;</rss>"
    assert neutralise(data) == b"\n<rss>&b;</rss>"


def test_comments_cdata_and_instructions_after_the_root_are_kept_byte_for_byte() -> None:
    data = (
        DECL + b"<rss><channel><!-- mentions <!DOCTYPE x [<!ENTITY y 'z'>]> in passing -->"
        b'<item><description><![CDATA[Begin a page with <!DOCTYPE html "and a quote]]></description>'
        b"<?pi <!DOCTYPE?></item><!-- ends at the first of three dashes ---><![CDATA[ and ]]]>"
        b"<?pi ends at ??></channel></rss>"
    )
    assert neutralise(data) is data


def test_only_the_xml_declaration_survives_before_the_root() -> None:
    data = DECL + b'\n<!-- <!DOCTYPE x> -->\n<?xml-stylesheet href="s.xsl"?>\n<rss/>'
    assert neutralise(data) == DECL + b"\n<rss/>"


def test_removed_markup_cannot_join_what_surrounds_it_into_new_markup() -> None:
    data = b"<<!-- -->!DOCTYPE r [<!ENTITY a 'b'>]><rss/>"
    out = neutralise(data)
    assert b"<!" not in out


def test_a_declaration_that_never_ends_is_removed_to_the_end() -> None:
    data = b"<rss><title>t</title><!DOCTYPE r [<!ENTITY a 'never closed"
    assert neutralise(data) == b"<rss><title>t</title> "


@pytest.mark.parametrize(
    "unit",
    [b"<!--", b"<![CDATA[", b"<?", b"<!x '", b'<!x ["', b"<!", b"<!-- <!DOCTYPE [", b"<!x <!--"],
    ids=repr,
)
def test_the_scan_is_linear_even_for_markup_that_never_closes(unit: bytes) -> None:
    data = b"<rss>" + unit * (2_000_000 // len(unit))
    started = time.process_time()
    neutralise(data)
    assert time.process_time() - started < 2.0  # a quadratic scan of 2 MB would take hours


def test_a_utf16_document_without_a_byte_order_mark_is_read_as_the_parser_reads_it() -> None:
    text = '<?xml version="1.0" encoding="utf-16"?><!DOCTYPE r [<!ENTITY a "b">]><rss>é</rss>'
    prepared = prepare(text.encode("utf-16-le"), "application/xml")
    assert prepared.utf8
    assert prepared.data == "<?xml version='1.0' encoding='utf-8'?>\n<rss>é</rss>".encode()


@pytest.mark.parametrize("path", sorted(FEEDS.iterdir()), ids=lambda p: p.name)
def test_the_prepared_bytes_are_exactly_what_feedparser_then_parses(path: Path) -> None:
    """feedparser decodes again what it is given: as UTF-8, the prepared bytes must come out unchanged."""
    prepared = prepare(path.read_bytes(), "application/xml")
    assert prepared.utf8
    result: dict[str, object] = {}
    assert convert_to_utf8({"content-type": UTF8_CONTENT_TYPE}, prepared.data, result) == prepared.data
    assert not result.get("bozo")
