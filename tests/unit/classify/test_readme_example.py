"""The taxonomy example in the README is valid and does what the text around it says."""

from __future__ import annotations

from pathlib import Path

from services.classify.engine import Classifier
from services.classify.taxonomy import load_taxonomy


def readme_taxonomy(repo: Path) -> str:
    readme = (repo / "README.md").read_text(encoding="utf-8")
    section = readme.index("### The taxonomy language")
    start = readme.index("```yaml\n", section) + len("```yaml\n")
    return readme[start : readme.index("```", start)]


def test_the_readme_taxonomy_example_loads_and_classifies(repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "taxonomy.yaml"
    path.write_text(readme_taxonomy(repo), encoding="utf-8")
    classifier = Classifier.from_taxonomy(load_taxonomy(path))
    found = classifier.analyse("Moscow warned the White House against military action in the war.")
    assert found.signal_ids() == ("us_intervention_warning",)
    assert found.topics == ("russia_us",)
    assert classifier.analyse("Moscow did not warn Washington about intervention.").signals == ()
    assert classifier.analyse("Russia warned Washington not to intervene.").signal_ids() == (
        "us_intervention_warning",
    )
