"""Fixtures for the deployment checks: the Prometheus tools and the files under deploy/."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import REPO

PROMETHEUS_DIR = REPO / "deploy" / "prometheus"
GRAFANA_DIR = REPO / "deploy" / "grafana"


def _tool(name: str) -> Path:
    found = shutil.which(name)
    if found is None:
        pytest.fail(f"{name} is not installed: run deploy/testtools/install.sh (make test does)")
    return Path(found)


@pytest.fixture(scope="session")
def promtool() -> Path:
    return _tool("promtool")
