"""The command line every benchmark shares: `--help` prints the module's docstring, `--quick` a short run."""

from __future__ import annotations

import argparse


def quick_run(doc: str | None, quick_help: str = "fewer articles, shorter rounds") -> bool:
    """Whether `--quick` was given. Unknown arguments are refused, so a mistyped option never starts a
    long run."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help=quick_help)
    return bool(parser.parse_args().quick)
