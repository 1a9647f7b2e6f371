"""The default taxonomy and its language packs, compiled once for every engine test."""

from __future__ import annotations

import pytest

from services.classify.engine import Classifier
from services.classify.multilingual import MultilingualClassifier
from services.classify.packs import load_packs
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))


@pytest.fixture(scope="session")
def multilingual() -> MultilingualClassifier:
    """Every shipped pack, each compiled on its first text."""
    english = load_taxonomy(DEFAULT_TAXONOMY)
    return MultilingualClassifier(
        english, load_packs(DEFAULT_TAXONOMY.parent / "packs", english), eager=False
    )
