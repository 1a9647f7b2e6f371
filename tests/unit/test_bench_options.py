"""Every benchmark answers `--help` with its docstring and refuses an unknown option, instead of starting a
run that takes minutes and a broker."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BENCHMARKS = [
    "classify_engine",
    "classify_stream",
    "ingest",
    "pipeline",
    "stories",
    "alert",
    "memory",
    "languages",
]


@pytest.mark.parametrize("module", BENCHMARKS)
def test_a_benchmark_prints_its_help_and_refuses_an_unknown_option_without_running(module: str) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", f"bench.{module}", *args]
        return subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)

    helped = run("--help")
    assert helped.returncode == 0, helped.stderr
    assert helped.stdout.startswith("usage:")
    refused = run("--no-such-option")
    assert refused.returncode == 2
    assert "unrecognized arguments: --no-such-option" in refused.stderr
