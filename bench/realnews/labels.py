"""Our labels of the blind sample (labels.tsv): item id, signals, topics, conflict. No published text.

    id<TAB>signals<TAB>topics<TAB>conflict

Signals and topics are full label ids, comma-separated, empty when none; conflict is `true` or `false`.
The first line is that header; rows are sorted by id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

LABELS_FILE = Path(__file__).with_name("labels.tsv")
SUPPLEMENT_LABELS_FILE = Path(__file__).with_name("labels2.tsv")
"""The conflict supplement's labels, in the same format."""
HEADER = "id\tsignals\ttopics\tconflict"

SIGNALS = (
    "escalation_warning",
    "us_intervention_warning",
    "evacuation_notice",
    "military_strike",
    "casualties",
    "mediation_offer",
    "ceasefire_call",
    "nuclear",
)
"""Every signal the labellers could give, in the order a sample record lists them."""
TOPICS = (
    "iran_israel",
    "russia_ukraine",
    "israel_gaza",
    "china_taiwan",
    "korean_peninsula",
    "india_pakistan",
)


class LabelsError(Exception):
    """The labels file is malformed; the message names the line."""


Row = TypeVar("Row")


def parse_table(
    text: str,
    name: str,
    header: str,
    parse_row: Callable[[str, str], tuple[str, Row]],
    error: type[Exception],
) -> dict[str, Row]:
    """A labels file's rows by item id: the first line is `header`, each other line one item's row. A
    missing header or an id given twice raises `error`, naming the file and line."""
    lines = text.splitlines()
    if not lines or lines[0] != header:
        raise error(f"{name}:1: the first line must be the header {header!r}")
    rows: dict[str, Row] = {}
    for number, line in enumerate(lines[1:], 2):
        item_id, row = parse_row(line, f"{name}:{number}")
        if item_id in rows:
            raise error(f"{name}:{number}: {item_id} is labelled twice")
        rows[item_id] = row
    return rows


def require_labelled(
    item_ids: Iterable[str], labelled: Iterable[str], error: type[Exception], item: str, advice: str
) -> None:
    """Every item has a label and every label an item; else `error`, with a few ids of each side and
    `advice` (the labels are for pinned data, so a gap means the data read was not the pinned one)."""
    items, labels = set(item_ids), set(labelled)
    unlabelled, stray = sorted(items - labels), sorted(labels - items)
    if unlabelled or stray:
        raise error(
            f"the {item}s and the labels differ: {len(unlabelled)} {item}s have no label "
            f"(e.g. {', '.join(unlabelled[:3]) or '-'}), {len(stray)} labels name no {item} "
            f"(e.g. {', '.join(stray[:3]) or '-'}); {advice}"
        )


@dataclass(frozen=True)
class Label:
    signals: tuple[str, ...]
    topics: tuple[str, ...]
    conflict: bool


def label_ids(field: str, known: tuple[str, ...], where: str) -> tuple[str, ...]:
    """A comma-separated field as label ids in canonical order; unknown or repeated ids are errors."""
    names = [name for name in field.split(",") if name]
    unknown = [name for name in names if name not in known]
    if unknown:
        raise LabelsError(f"{where}: unknown label {', '.join(unknown)} (known: {', '.join(known)})")
    if len(set(names)) != len(names):
        raise LabelsError(f"{where}: a label is given twice in {field!r}")
    return tuple(sorted(names, key=known.index))


def parse_row(line: str, where: str) -> tuple[str, Label]:
    fields = line.split("\t")
    if len(fields) != 4:
        raise LabelsError(f"{where}: expected 4 tab-separated fields (id, signals, topics, conflict)")
    item_id, signals, topics, conflict = fields
    if not item_id or conflict not in ("true", "false"):
        raise LabelsError(f"{where}: needs an id and conflict `true` or `false`")
    label = Label(label_ids(signals, SIGNALS, where), label_ids(topics, TOPICS, where), conflict == "true")
    return item_id, label


def parse_labels(text: str, name: str = "labels.tsv") -> dict[str, Label]:
    """Labels by item id; a missing header, a malformed row or an id labelled twice is an error."""
    return parse_table(text, name, HEADER, parse_row, LabelsError)


def format_labels(labels: dict[str, Label]) -> str:
    rows = [
        f"{item_id}\t{','.join(label.signals)}\t{','.join(label.topics)}\t{str(label.conflict).lower()}"
        for item_id, label in sorted(labels.items())
    ]
    return "\n".join([HEADER, *rows]) + "\n"


def load_labels(path: Path = LABELS_FILE) -> dict[str, Label]:
    return parse_labels(path.read_text("utf-8"), path.name)
