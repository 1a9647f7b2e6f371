"""Our blind labels of the non-English corpora (lang_labels.tsv): item id, conflict, signals. No text.

    id<TAB>conflict<TAB>signals

conflict is 1 or 0; signals are full signal ids, comma-separated, empty when none, in the order the
labeller gave them (kept, so the judged halves match the ones the false-alarm counts were first taken on).
The first line is that header; rows are sorted by id. An item labelled conflict is left out of the
false-alarm count, and a labelled signal is not a false alarm: `newsmon eval --false-alarms` reads both
from the judged halves.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.realnews.labels import SIGNALS, LabelsError, label_ids, parse_table
from bench.realnews.sample import Split, split_of

LANG_LABELS_FILE = Path(__file__).with_name("lang_labels.tsv")
HEADER = "id\tconflict\tsignals"


class LangLabelsError(LabelsError):
    """The language labels file is malformed; the message names the line."""


@dataclass(frozen=True)
class LangLabel:
    conflict: bool
    signals: tuple[str, ...]


def parse_row(line: str, where: str) -> tuple[str, LangLabel]:
    fields = line.split("\t")
    if len(fields) != 3:
        raise LangLabelsError(f"{where}: expected 3 tab-separated fields (id, conflict, signals)")
    item_id, conflict, signals = fields
    if not item_id or conflict not in ("0", "1"):
        raise LangLabelsError(f"{where}: needs an id and conflict 0 or 1")
    try:
        label_ids(signals, SIGNALS, where)
    except LabelsError as exc:
        raise LangLabelsError(str(exc)) from exc
    return item_id, LangLabel(conflict == "1", tuple(name for name in signals.split(",") if name))


def parse_lang_labels(text: str, name: str = "lang_labels.tsv") -> dict[str, LangLabel]:
    """Labels by item id; a missing header, a malformed row or an id labelled twice is an error."""
    return parse_table(text, name, HEADER, parse_row, LangLabelsError)


def format_lang_labels(labels: dict[str, LangLabel]) -> str:
    rows = [
        f"{item_id}\t{int(label.conflict)}\t{','.join(label.signals)}"
        for item_id, label in sorted(labels.items())
    ]
    return "\n".join([HEADER, *rows]) + "\n"


def load_lang_labels(path: Path = LANG_LABELS_FILE) -> dict[str, LangLabel]:
    return parse_lang_labels(path.read_text("utf-8"), path.name)


def judged(record: dict[str, Any], label: LangLabel | None) -> dict[str, Any]:
    """The corpus record, with `conflict` and `signals` when it was labelled (unlabelled ones stay bare)."""
    if label is None:
        return record
    return {**record, "conflict": label.conflict, "signals": list(label.signals)}


def judged_halves(
    records: list[dict[str, Any]], labels: dict[str, LangLabel]
) -> dict[Split, list[dict[str, Any]]]:
    """Corpus order kept; dev when the first byte of sha256(id) is even, unseen when odd."""
    halves: dict[Split, list[dict[str, Any]]] = {"dev": [], "unseen": []}
    for record in records:
        halves[split_of(record["id"])].append(judged(record, labels.get(record["id"])))
    return halves
