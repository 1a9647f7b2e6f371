"""The mypyc build of the engine: loaded only while it matches its sources, and giving the Python engine's
answers exactly."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.classify import native

GOLDEN = Path(__file__).parent / "golden" / "cases.jsonl"
LABELLED = Path(__file__).parents[2] / "fixtures" / "labelled"

ANSWERS = """
import json, sys
from services.classify.engine import Classifier
from services.classify.native import engine_build
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy

classifier = Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
print(engine_build())
for line in sys.stdin:
    a = classifier.analyse(json.loads(line)["text"])
    signals = [s.model_dump(mode="json") for s in a.signals]
    print(json.dumps([a.topics, signals, a.actors, a.score]))
"""


@pytest.fixture(autouse=True)
def no_engine_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests name the engine themselves; a choice made for the whole run must not leak in."""
    monkeypatch.delenv(native.ENGINE_ENV, raising=False)


def answers(texts: str, engine: str | None) -> list[str]:
    """What a fresh interpreter's engine says about each text, after the name of the build it ran."""
    env = {k: v for k, v in os.environ.items() if k != native.ENGINE_ENV}
    if engine is not None:
        env[native.ENGINE_ENV] = engine
    done = subprocess.run(
        [sys.executable, "-c", ANSWERS], input=texts, capture_output=True, text=True, env=env, check=True
    )
    return done.stdout.splitlines()


def test_the_compiled_and_python_engines_give_the_same_answers() -> None:
    texts = "".join(p.read_text(encoding="utf-8") for p in [GOLDEN, *sorted(LABELLED.glob("*.jsonl"))])
    default, python = answers(texts, None), answers(texts, "python")
    assert python[0] == "python"
    assert default[0] == ("compiled" if native.usable() else "python")
    assert len(default) == len(python) > 1900
    assert default[1:] == python[1:]


def test_a_build_is_used_only_while_it_matches_every_source(tmp_path: Path) -> None:
    package, build = tmp_path / "classify", tmp_path / "classify" / "_native"
    build.mkdir(parents=True)
    for name in native.MODULES:
        shutil.copy(native.PACKAGE_DIR / f"{name}.py", package)
    assert not native.usable(package, build)  # nothing recorded
    (build / native.MANIFEST).write_text(json.dumps({"sources": native.source_digests(package)}))
    assert native.usable(package, build)
    with (package / "rules.py").open("a") as edited:
        edited.write("\n# an edit after the build\n")
    assert not native.usable(package, build)


def test_naming_the_python_engine_sets_a_current_build_aside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build = tmp_path / "_native"
    build.mkdir()
    (build / native.MANIFEST).write_text(json.dumps({"sources": native.source_digests()}))
    assert native.usable(native_dir=build)
    monkeypatch.setenv(native.ENGINE_ENV, "python")
    assert not native.usable(native_dir=build)
