"""Build the compiled engine: `python -m services.classify.build_native` (see `services.classify.native`).

Needs mypy (it brings mypyc), setuptools and a C compiler; `make install` runs it and carries on without it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

from services.classify.native import MANIFEST, MODULES, NATIVE_DIR, PACKAGE_DIR, source_digests, usable


def build(verbose: bool = False) -> Path:
    """Compile the engine modules into `_native/` (replacing an earlier build) and record their digests.
    Needs mypy (mypyc), setuptools and a C compiler."""
    with tempfile.TemporaryDirectory(prefix="newsmon-native-") as work:
        src = _project_copy(Path(work) / "src")
        digests = source_digests(src / "services" / "classify")  # what is compiled, not what is there later
        built = _compile(src, Path(work), verbose)
        staging = PACKAGE_DIR / "_native.new"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(built, staging)
    (staging / MANIFEST).write_text(json.dumps({"sources": digests}, indent=1) + "\n", encoding="utf-8")
    shutil.rmtree(NATIVE_DIR, ignore_errors=True)
    staging.rename(NATIVE_DIR)
    return NATIVE_DIR


def _compile(src: Path, work: Path, verbose: bool) -> Path:
    """mypyc and the C compiler over the engine modules under `src`; returns the directory of extensions."""
    from mypyc.build import mypycify  # build-time only: the services never import mypyc
    from setuptools import Distribution

    config = work / "mypy.ini"
    config.write_text("[mypy]\nignore_missing_imports = True\nfollow_imports = silent\n", encoding="utf-8")
    sources = [f"services/classify/{name}.py" for name in MODULES]
    cwd = Path.cwd()
    os.chdir(src)  # mypyc names modules after their paths relative to the working directory
    try:
        extensions = mypycify(
            ["--config-file", str(config), *sources],
            target_dir=str(work / "c"),
            group_name="services.classify.engine",
            verbose=verbose,
        )
        dist = Distribution({"name": "newsmon-native", "ext_modules": extensions})
        dist.script_args = ["build_ext", "--build-lib", str(work / "lib"), "--build-temp", str(work / "o")]
        if not verbose:
            dist.script_args.insert(0, "--quiet")
        dist.parse_command_line()
        dist.run_commands()
    finally:
        os.chdir(cwd)
    return work / "lib" / "services" / "classify"


def _project_copy(into: Path) -> Path:
    """The project's own packages alone in a directory, so the type check behind the compilation sees them
    and nothing else that may lie beside them (an installed project sits among every other package)."""
    root = PACKAGE_DIR.parents[1]
    for package in ("services", "schemas", "newsmon"):
        if (root / package).is_dir():
            shutil.copytree(
                root / package, into / package, ignore=shutil.ignore_patterns("_native*", "__pycache__")
            )
    return into


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.classify.build_native",
        description="Compile the classification engine with mypyc (optional: without it the same code runs "
        "as Python, about 1.4x slower on conflict-heavy text).",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    build_cmd = sub.add_parser("build", help="compile into services/classify/_native/")
    build_cmd.add_argument("--verbose", action="store_true", help="show the compiler's output")
    sub.add_parser("status", help="print whether a current build exists")
    sub.add_parser("clean", help="remove the build")
    args = parser.parse_args(argv)
    if args.command == "build":
        try:
            print(f"compiled the classification engine into {build(args.verbose)}")
        except Exception as exc:  # any failure means the same: the engine stays Python
            print(f"could not compile the classification engine: {exc}", file=sys.stderr)
            return 1
    elif args.command == "clean":
        shutil.rmtree(NATIVE_DIR, ignore_errors=True)
    else:
        print("current build" if usable() else "no current build: the engine runs as Python")
    return 0


if __name__ == "__main__":
    sys.exit(main())
