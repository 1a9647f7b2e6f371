"""The default taxonomy, compiled once for every engine test."""

from __future__ import annotations

import pytest

from services.classify.engine import Classifier
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy


@pytest.fixture(scope="session")
def classifier() -> Classifier:
    return Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
