"""The package graph points one way: entry layer (newsmon) -> services -> stream base (streambase) -> schemas.

No service imports the entry layer, the base imports no service, and the message schemas import none of
them; each service gets its settings and config from the entry layer instead of reaching up for them.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FORBIDDEN = {
    "services": {"newsmon"},
    "streambase": {"newsmon", "services"},
    "schemas": {"newsmon", "services", "streambase"},
}


def imported(path: Path) -> set[str]:
    """Top-level packages a module imports, at any depth of its code (lazy imports included)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(package: str) -> None:
    offenders = {
        str(path.relative_to(REPO)): sorted(imported(path) & FORBIDDEN[package])
        for path in sorted((REPO / package).rglob("*.py"))
        if imported(path) & FORBIDDEN[package]
    }
    assert offenders == {}


def test_only_the_alert_service_is_given_receiver_secrets() -> None:
    """The settings classes that hold webhook URLs and SMTP passwords live with the alert service."""
    for package in ("streambase", "services/ingest", "services/classify"):
        for path in (REPO / package).rglob("*.py"):
            text = path.read_text("utf-8")
            assert "SlackSettings" not in text, path
            assert "SmtpSettings" not in text, path
