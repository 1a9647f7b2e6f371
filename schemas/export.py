"""JSON Schema files for every message, so consumers outside Python can validate too."""

from __future__ import annotations

import json
from pathlib import Path

from schemas.alert import Acknowledgement, Alert, DeliveryRecord, Silence
from schemas.article import RawArticle
from schemas.classified import ClassifiedArticle
from schemas.common import Message
from schemas.deadletter import DeadLetter
from schemas.feed import FeedHealth, FeedSpec, SeenArticle
from schemas.trend import TrendWindow

EXPORTED: dict[str, type[Message]] = {
    "raw-article": RawArticle,
    "classified-article": ClassifiedArticle,
    "trend-window": TrendWindow,
    "alert": Alert,
    "delivery-record": DeliveryRecord,
    "silence": Silence,
    "acknowledgement": Acknowledgement,
    "feed": FeedSpec,
    "seen-article": SeenArticle,
    "feed-health": FeedHealth,
    "dead-letter": DeadLetter,
}

JSON_DIR = Path(__file__).parent / "json"


def render() -> dict[str, str]:
    """File name → JSON Schema text for every exported model."""
    return {
        f"{name}.schema.json": json.dumps(model.model_json_schema(mode="serialization"), indent=2) + "\n"
        for name, model in EXPORTED.items()
    }


def stale_files(directory: Path = JSON_DIR) -> list[str]:
    """Names of schema files that are missing, different or no longer exported."""
    wanted = render()
    present = {p.name for p in directory.glob("*.schema.json")} if directory.is_dir() else set()
    stale = [
        n
        for n, text in wanted.items()
        if not (directory / n).is_file() or (directory / n).read_text() != text
    ]
    return sorted(stale + [n for n in present - wanted.keys()])


def write(directory: Path = JSON_DIR) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    wanted = render()
    for stale in set(p.name for p in directory.glob("*.schema.json")) - wanted.keys():
        (directory / stale).unlink()
    written = []
    for name, text in wanted.items():
        path = directory / name
        path.write_text(text)
        written.append(path)
    return written
