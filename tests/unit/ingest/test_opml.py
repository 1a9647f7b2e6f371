from __future__ import annotations

import pytest

from services.ingest.opml import OpmlError, parse_opml, to_yaml

OPML = b"""<?xml version="1.0"?>
<opml version="2.0">
  <head><title>Desk subscriptions</title></head>
  <body>
    <outline text="World">
      <outline text="Example Wire" type="rss" xmlUrl="https://wire.example.org/rss" language="en-us"/>
      <outline text="Example Wire" type="rss" xmlUrl="https://wire.example.org/africa.rss"
               category="Africa, Wire"/>
    </outline>
    <outline title="Already there" xmlUrl="https://known.example.org/feed/"/>
    <outline text="No scheme" xmlUrl="ftp://old.example.org/feed"/>
    <outline text="Just a folder"/>
  </body>
</opml>"""


def test_outlines_become_feeds_with_folder_tags_and_unique_ids() -> None:
    imported = parse_opml(OPML, existing_urls=["https://known.example.org/feed"])
    assert [f.id for f in imported.feeds] == ["example-wire", "example-wire-2"]
    first, second = imported.feeds
    assert (first.outlet, first.tags, first.language) == ("Example Wire", ("world",), "en-US")
    assert second.tags == ("world", "africa", "wire")
    assert any("already configured" in s for s in imported.skipped)
    assert any("ftp://old.example.org/feed" in s for s in imported.skipped)


def test_ids_already_in_the_config_are_not_reused() -> None:
    imported = parse_opml(OPML, existing_ids=["example-wire"])
    assert imported.feeds[0].id == "example-wire-2"


def test_the_yaml_reads_back_as_the_same_feeds() -> None:
    from ruamel.yaml import YAML

    from schemas import FeedSpec

    feeds = parse_opml(OPML).feeds
    loaded = YAML(typ="safe").load(to_yaml(feeds))
    assert tuple(FeedSpec.model_validate(item) for item in loaded) == feeds


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"<opml><body>", "not well-formed"), (b"<rss/>", "not <opml>"), (b"<opml/>", "no <body>")],
)
def test_a_file_that_is_not_opml_says_why(data: bytes, message: str) -> None:
    with pytest.raises(OpmlError, match=message):
        parse_opml(data)


def test_an_opml_file_with_an_entity_bomb_is_read_safely() -> None:
    data = b'<!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>' + OPML.split(b"?>", 1)[1]
    assert len(parse_opml(data).feeds) == 3
