"""The taxonomy language: what it accepts, and errors that point at the file, line and field to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsmon.config import load_config
from services.classify.engine import Classifier
from services.classify.taxonomy import ConfigError, load_taxonomy

SMALL = """\
lexicon:
  warn: [warn~, caution~]
negation:
  before: [not, denied]
hedging:
  before: [rumour~]
actors:
  - {code: RU, name: Russia, aliases: [russia, kremlin, moscow]}
  - {code: US, name: United States, aliases: [US, washington]}
topics:
  - {id: ru_us, parties: [RU, US]}
signals:
  - id: warning
    polarity: escalatory
    patterns:
      - {all: ["@warn", "actor:US"], within: 3}
  - id: evacuation
    polarity: escalatory
    hedged: drop
    patterns: [evacuat*]
    exclude: ["evacuation drill~"]
"""


def write(tmp_path: Path, text: str, name: str = "taxonomy.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def classifier_for(tmp_path: Path, text: str = SMALL) -> Classifier:
    return Classifier.from_taxonomy(load_taxonomy(write(tmp_path, text)))


def test_a_proximity_pattern_needs_both_terms_within_reach(tmp_path: Path) -> None:
    classifier = classifier_for(tmp_path)
    assert classifier.analyse("Moscow warned Washington.").signal_ids() == ("warning",)
    assert (
        classifier.analyse("Moscow warned its allies, friends and partners about Washington.").signals == ()
    )


def test_a_proximity_pattern_does_not_reach_into_the_next_sentence(tmp_path: Path) -> None:
    assert classifier_for(tmp_path).analyse("Moscow issued a warning. Washington replied.").signals == ()


def test_hedged_matches_are_dropped_only_where_the_signal_says_so(tmp_path: Path) -> None:
    classifier = classifier_for(tmp_path)
    assert classifier.analyse("There were rumours of an evacuation.").signals == ()
    assert classifier.analyse("Rumours said Moscow warned Washington.").signal_ids() == ("warning",)


def test_an_exclusion_overlapping_a_match_cancels_it(tmp_path: Path) -> None:
    classifier = classifier_for(tmp_path)
    assert classifier.analyse("The evacuation drills went well.").signals == ()
    assert classifier.analyse("The evacuation went well.").signal_ids() == ("evacuation",)


def test_a_topic_needs_both_parties_in_one_sentence(tmp_path: Path) -> None:
    classifier = classifier_for(tmp_path)
    assert classifier.analyse("Russia and the US met.").topics == ("ru_us",)
    assert classifier.analyse("Russia met. Later the US met.").topics == ()


def test_an_invalid_term_is_reported_with_its_line_and_field(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL.replace("[evacuat*]", '["evac* uation"]'))
    with pytest.raises(ConfigError) as caught:
        load_taxonomy(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:20: signals.1.patterns.0.all: invalid term 'evac* uation'")


def test_an_unknown_group_or_actor_reference_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, SMALL.replace('["@warn", "actor:US"]', '["@warns", "actor:FR"]'))
    with pytest.raises(ConfigError) as caught:
        load_taxonomy(path)
    assert str(caught.value).splitlines() == [
        f"{path}:16: signals.0.patterns.0.all.0.0: '@warns' names no lexicon group (known: warn)",
        f"{path}:16: signals.0.patterns.0.all.1.0: 'actor:FR' names no actor in the gazetteer",
    ]


def test_duplicate_ids_and_unknown_parties_are_refused(tmp_path: Path) -> None:
    text = SMALL.replace("id: evacuation", "id: warning").replace("parties: [RU, US]", "parties: [RU, XX]")
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_taxonomy(path)
    assert f"{path}:17: signals.1: 'warning' is defined twice" in str(caught.value)
    assert f"{path}:11: topics.0.parties.1: 'XX' is not an actor code" in str(caught.value)


def test_a_misspelt_field_is_an_unknown_field(tmp_path: Path) -> None:
    path = write(
        tmp_path, SMALL.replace("polarity: escalatory\n    hedged", "polarity: escalatory\n    hedge")
    )
    with pytest.raises(ConfigError, match=r"taxonomy.yaml:19: signals.1.hedge: unknown field"):
        load_taxonomy(path)


def test_the_root_config_includes_the_taxonomy_by_file_name(tmp_path: Path) -> None:
    write(tmp_path, SMALL)
    config = load_config(write(tmp_path, "taxonomy: taxonomy.yaml\n", "newsmon.yaml"))
    assert [s.id for s in config.taxonomy.signals] == ["warning", "evacuation"]


def test_the_shipped_root_config_carries_the_default_taxonomy(repo: Path) -> None:
    config = load_config(repo / "config" / "newsmon.yaml")
    assert config.taxonomy == load_taxonomy(repo / "config" / "taxonomy.yaml")


def test_a_bad_reference_in_an_included_taxonomy_still_fails_the_root_config(tmp_path: Path) -> None:
    write(tmp_path, SMALL.replace('"actor:US"', '"actor:FR"'))
    with pytest.raises(ConfigError, match="'actor:FR' names no actor"):
        load_config(write(tmp_path, "taxonomy: taxonomy.yaml\n", "newsmon.yaml"))


EVERYDAY_TEXT = (
    "the to of and a in on for is that was with as at by it he she they said from has have be are were "
    "an this his her their its but or will"
)
EVERYDAY_WORDS = frozenset(EVERYDAY_TEXT.split())


def test_no_term_of_the_default_taxonomy_is_an_everyday_word(classifier: Classifier) -> None:
    """The scan pays a step for every occurrence of every term: a bare "to" is met a dozen times in any
    article, and one once slowed general news by 7 %. Such words belong inside phrases ("its campaign to")."""
    assert set(classifier.matcher.literals()) & EVERYDAY_WORDS == set()
