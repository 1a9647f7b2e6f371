from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import load_config
from streambase.yamlconf import ConfigError


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_the_shipped_configuration_is_valid(repo: Path) -> None:
    config = load_config(repo / "config" / "newsmon.yaml")
    assert config.feeds, "the default config should ship some feeds"


def test_an_invalid_field_names_file_line_field_and_problem(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", "ingest:\n  concurrency: 8\n  min_interval: soon\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:3: ingest.min_interval: "
        "invalid duration 'soon': use a number with a unit, e.g. 90s, 5m, 2h, 1d"
    )


def test_a_misspelt_field_is_reported_as_unknown(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", "ingest:\n  concurency: 8\n")
    with pytest.raises(ConfigError, match=r"newsmon.yaml:2: ingest.concurency: unknown field"):
        load_config(path)


def test_errors_in_an_included_file_name_that_file(tmp_path: Path) -> None:
    feeds = write(
        tmp_path,
        "feeds.yaml",
        "- id: ok\n  url: https://a.example/rss\n  outlet: A\n- id: bad\n  url: gopher://b\n  outlet: B\n",
    )
    path = write(tmp_path, "newsmon.yaml", "feeds: feeds.yaml\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{feeds.resolve()}:5: feeds.1.url: must start with http:// or https://"


def test_a_missing_included_file_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", "ingest: {}\nfeeds: nowhere.yaml\n")
    with pytest.raises(
        ConfigError, match=r"newsmon.yaml:2: feeds: included file 'nowhere.yaml' does not exist"
    ):
        load_config(path)


def test_duplicate_feed_ids_are_refused(tmp_path: Path) -> None:
    entry = "- id: same\n  url: https://a.example/rss\n  outlet: A\n"
    path = write(
        tmp_path,
        "newsmon.yaml",
        "feeds:\n" + "\n".join("  " + line for line in (entry * 2).splitlines()) + "\n",
    )
    with pytest.raises(ConfigError, match="feed id 'same' is used twice"):
        load_config(path)


def test_broken_yaml_syntax_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "newsmon.yaml", "ingest:\n  concurrency: [8\n")
    with pytest.raises(ConfigError, match=r"newsmon.yaml:\d+: invalid YAML"):
        load_config(path)


def test_a_missing_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "absent.yaml")


def test_the_shipped_taxonomy_and_language_packs_load_on_the_fast_parser() -> None:
    """An unquoted actor:XX inside [ ] sends a file to the round-trip parser, ten times slower: every
    classify start and every `newsmon classify` would pay it."""
    from streambase.yamlconf import _fast_plain

    config = Path(__file__).resolve().parents[2] / "config"
    for path in [config / "taxonomy.yaml", *sorted((config / "packs").glob("*.yaml"))]:
        assert _fast_plain(path, frozenset()) is not None, path.name
