"""newsmon.yaml: feeds, taxonomy, rules, receivers and per-service options, validated before anything
starts."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator

from schemas.feed import FeedSpec
from services.alert.config import AlertingOptions
from services.alert.receiver_specs import Problems, Receivers, reference_problems
from services.alert.rules import Rules
from services.classify.config import ClassifyOptions
from services.classify.packs import load_packs
from services.classify.taxonomy import Taxonomy
from services.ingest.config import IngestOptions
from streambase.yamlconf import ConfigError, Problem, load, read_yaml

__all__ = ["ConfigError", "NewsmonConfig", "load_config", "located"]

INCLUDABLE = frozenset({"feeds", "taxonomy", "rules", "receivers"})
"""Top-level keys that may hold a path to another YAML file instead of their values."""


class NewsmonConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    feeds: tuple[FeedSpec, ...] = ()
    ingest: IngestOptions = IngestOptions()
    taxonomy: Taxonomy = Taxonomy()
    classify: ClassifyOptions = ClassifyOptions()
    rules: Rules = ()
    alerting: AlertingOptions = AlertingOptions()
    receivers: Receivers = ()
    _packs: dict[str, Taxonomy] = PrivateAttr(default_factory=dict)

    @property
    def packs(self) -> dict[str, Taxonomy]:
        """The taxonomy of each language with a pack (`classify.language_packs`), merged with `taxonomy`."""
        return self._packs

    @field_validator("feeds")
    @classmethod
    def _unique_feed_ids(cls, feeds: tuple[FeedSpec, ...]) -> tuple[FeedSpec, ...]:
        seen: set[str] = set()
        for feed in feeds:
            if feed.id in seen:
                raise ValueError(f"feed id {feed.id!r} is used twice; every feed needs its own id")
            seen.add(feed.id)
        return feeds


def load_config(path: Path) -> NewsmonConfig:
    """Read and validate the main file and what it includes; raise ConfigError naming file, line and field.
    Names are checked across sections too: a route to no receiver, a receiver name used twice."""
    config = load(path, NewsmonConfig, INCLUDABLE)
    problems = reference_problems(config.receivers, config.alerting)
    if problems:
        raise located(path, problems)
    config._packs = load_packs(path.parent / config.classify.language_packs, config.taxonomy)
    return config


def located(path: Path, problems: Problems) -> ConfigError:
    """Problems found after validation, each with the file and line of the field it names."""
    document = read_yaml(path, INCLUDABLE)
    found = []
    for loc, message in problems:
        file, line = document.locate(loc)
        found.append(Problem(file, line, ".".join(str(part) for part in loc), message))
    return ConfigError(found)
