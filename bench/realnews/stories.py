"""Story labels on real headlines: every headline first seen in three days of the hourly Google-News archive.

A story groups the items about one real-world event; a copy is the same headline republished with
near-identical wording. The window and the selection rule are fixed here, the labels (`stories.tsv`: item
id, story id, copy_of; no text) are ours, and the halves are fixed by the story id, so a story is never split.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.realnews.labels import parse_table, require_labelled
from bench.realnews.sample import Split, split_of
from bench.realnews.sources import short_hash
from bench.realnews.text import clean, match_key, strip_publisher

FAMILY = "google_news_us_top"
ARCHIVE_OFFSET = timedelta(hours=2)
"""The archive names each hourly file by its wall-clock time at a fixed UTC+02:00 (its fetch script),
so `news/2026/03/01/00-55.md` was taken at 2026-02-28T22:55Z (the commit times agree)."""


@dataclass(frozen=True)
class Window:
    """[start, end) in UTC."""

    start: datetime
    end: datetime

    def holds(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


WINDOW = Window(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 3, 3, tzinfo=UTC))
"""The first three days of the 2026 US–Israeli war on Iran: 490 headlines, about half of them on the war."""

STORIES_FILE = Path(__file__).with_name("stories.tsv")
HEADER = "id\tstory\tcopy_of"


class StoriesError(Exception):
    """The story labels are malformed or do not match the window's items; the message says where."""


@dataclass(frozen=True)
class Sighting:
    """A headline at its first appearance in the archive."""

    id: str
    """The corpus id: `gn-` and a hash of the headline's matching key, as the corpus reader makes it."""
    publisher: str
    title: str
    seen_at: datetime


@dataclass(frozen=True)
class StoryLabel:
    story: str
    copy_of: str | None


def snapshot_time(path: str) -> datetime:
    """The UTC time of `news/YYYY/MM/DD/HH-MM.md`."""
    year, month, day, name = path.split("/")[1:5]
    hour, minute = name.removesuffix(".md").split("-")
    local = datetime(int(year), int(month), int(day), int(hour), int(minute), tzinfo=UTC)
    return local - ARCHIVE_OFFSET


def parse_headline(line: str) -> tuple[str, str, str] | None:
    """(matching key, title, publisher) of a `- headline - Publisher` line; None for other lines.

    Key and title are made as the corpus reader makes them, so the id is the corpus id.
    """
    if not line.startswith("- "):
        return None
    raw = line[2:].strip()
    stripped = strip_publisher(raw)
    key = match_key(stripped)
    if not key:
        return None
    publisher = raw[len(stripped) + 3 :] if raw.startswith(stripped + " - ") else ""
    return key, clean(stripped), publisher


def first_sightings(snapshots: Iterable[tuple[str, str]]) -> list[Sighting]:
    """Each distinct headline (by matching key) once, at the first snapshot that lists it, in time order.

    Within a snapshot, headlines keep their rank. A headline first listed before a window is not one of
    the window's items, even when it is still listed inside it.
    """
    seen: set[str] = set()
    found: list[Sighting] = []
    for path, text in sorted(snapshots, key=lambda snapshot: snapshot_time(snapshot[0])):
        moment = snapshot_time(path)
        for line in text.splitlines():
            parsed = parse_headline(line)
            if parsed is None or parsed[0] in seen:
                continue
            key, title, publisher = parsed
            seen.add(key)
            found.append(Sighting("gn-" + short_hash(key), publisher, title, moment))
    return found


def in_window(sightings: Iterable[Sighting], window: Window = WINDOW) -> list[Sighting]:
    """The selection rule: every headline first seen inside the window, whatever it is about."""
    return [sighting for sighting in sightings if window.holds(sighting.seen_at)]


# ------------------------------------------------------------------ the labels file
def parse_row(line: str, where: str) -> tuple[str, StoryLabel]:
    fields = line.split("\t")
    if len(fields) != 3:
        raise StoriesError(f"{where}: expected 3 tab-separated fields (id, story, copy_of)")
    item_id, story, copy_of = fields
    if not item_id or not story:
        raise StoriesError(f"{where}: needs an item id and a story id")
    if copy_of == item_id:
        raise StoriesError(f"{where}: {item_id} is marked a copy of itself")
    return item_id, StoryLabel(story, copy_of or None)


def check_copies(labels: dict[str, StoryLabel], name: str) -> None:
    """A copy names a labelled original of the same story, and that original is not itself a copy."""
    for item_id, label in labels.items():
        if label.copy_of is None:
            continue
        original = labels.get(label.copy_of)
        if original is None:
            raise StoriesError(f"{name}: {item_id} is a copy of {label.copy_of}, which has no label")
        if original.story != label.story:
            raise StoriesError(f"{name}: {item_id} and its original {label.copy_of} are in different stories")
        if original.copy_of is not None:
            raise StoriesError(f"{name}: {item_id} names {label.copy_of}, itself a copy; name the original")


def parse_story_labels(text: str, name: str = "stories.tsv") -> dict[str, StoryLabel]:
    """Labels by item id; a missing header, a malformed row, an id given twice or a bad copy is an error."""
    labels = parse_table(text, name, HEADER, parse_row, StoriesError)
    check_copies(labels, name)
    return labels


def format_story_labels(labels: dict[str, StoryLabel]) -> str:
    rows = [f"{item_id}\t{label.story}\t{label.copy_of or ''}" for item_id, label in sorted(labels.items())]
    return "\n".join([HEADER, *rows]) + "\n"


def load_story_labels(path: Path = STORIES_FILE) -> dict[str, StoryLabel]:
    return parse_story_labels(path.read_text("utf-8"), path.name)


# ------------------------------------------------------------------ records and halves
def story_half(story: str) -> Split:
    """The half of every item of a story: the sample's rule (first byte of sha256) on the story id."""
    return split_of(story)


def check_cover(items: list[Sighting], labels: dict[str, StoryLabel]) -> None:
    """Every window item has a label and every label an item; else the archive or the window differs."""
    ids = (item.id for item in items)
    require_labelled(ids, labels, StoriesError, "item", "read the pinned archive commit")


def story_record(item: Sighting, label: StoryLabel) -> dict[str, Any]:
    """One line of stories-real.jsonl; headlines only, so text is empty."""
    return {
        "id": item.id,
        "source": f"{FAMILY}:{item.publisher}" if item.publisher else FAMILY,
        "title": item.title,
        "text": "",
        "published_at": item.seen_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "story": label.story,
        "copy_of": label.copy_of,
    }


def story_records(items: list[Sighting], labels: dict[str, StoryLabel]) -> list[dict[str, Any]]:
    """Labelled records in first-sighting order."""
    check_cover(items, labels)
    return [story_record(item, labels[item.id]) for item in items]


def split_by_story(records: list[dict[str, Any]]) -> dict[Split, list[dict[str, Any]]]:
    halves: dict[Split, list[dict[str, Any]]] = {"dev": [], "unseen": []}
    for record in records:
        halves[story_half(record["story"])].append(record)
    return halves


def story_counts(records: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(items, stories, copies)."""
    stories = {record["story"] for record in records}
    copies = sum(1 for record in records if record["copy_of"])
    return len(records), len(stories), copies
