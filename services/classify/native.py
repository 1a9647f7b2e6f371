"""The engine's hot modules compiled with mypyc, used only while they match their sources.

The engine is plain typed Python; mypyc compiles the same files into C extensions that run them about 1.4x
faster. `python -m services.classify.build_native` writes those extensions into `_native/` beside the
sources, with the digest of every source compiled. At import, `services.classify` puts `_native/` first on
its module path only if every digest still matches, so an edited source is never shadowed by an older
binary: the engine simply runs as Python until the next build. No C compiler, a Python the binaries were not
built for, or `NEWSMON_CLASSIFY_ENGINE=python` all mean the same: the Python engine, with the same answers
(a test holds both to the same golden results).
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE_DIR / "_native"
MANIFEST = "sources.json"
MODULES = ("engine", "forms", "matcher", "rules", "score", "text", "topics")
"""The modules on the classification path, compiled together (calls between them skip Python's dispatch)."""
ENGINE_ENV = "NEWSMON_CLASSIFY_ENGINE"
"""`python` forces the Python engine even when a current build exists (e.g. to rule the binaries out)."""


def source_digests(package_dir: Path = PACKAGE_DIR) -> dict[str, str]:
    return {
        name: hashlib.sha256((package_dir / f"{name}.py").read_bytes()).hexdigest()[:16] for name in MODULES
    }


def usable(package_dir: Path = PACKAGE_DIR, native_dir: Path = NATIVE_DIR) -> bool:
    """Whether `native_dir` holds a build of exactly the current sources, and it is wanted."""
    if os.environ.get(ENGINE_ENV, "").lower() == "python":
        return False
    try:
        recorded = json.loads((native_dir / MANIFEST).read_text(encoding="utf-8"))
        current = source_digests(package_dir)
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded.get("sources") == current


def engine_build() -> str:
    """`compiled` when every engine module was loaded from its extension, else `python`."""
    loaded = [sys.modules.get(f"{__package__}.{name}") for name in MODULES]
    compiled = all(
        m is not None and str(getattr(m, "__file__", "")).endswith(tuple(EXTENSION_SUFFIXES)) for m in loaded
    )
    return "compiled" if compiled else "python"
