"""`make bench`: run every benchmark, then write the report as Markdown and JSON under bench/results/."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCHMARKS = ("ingest", "classify_engine", "classify_stream", "alert", "pipeline", "scrape", "memory")
RESULTS = Path(__file__).parent / "results"


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(memory_gib, 1),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
    }


def run_one(name: str, quick: bool) -> dict[str, Any]:
    try:
        module = importlib.import_module(f"bench.{name}")
    except ModuleNotFoundError as exc:
        if exc.name == f"bench.{name}":
            return {"status": "absent"}
        raise
    started = time.monotonic()
    try:
        figures = module.run(quick=quick)
    except Exception as exc:  # a failing benchmark is reported, the others still run
        traceback.print_exc()
        return {"status": "failed", "error": f"{type(exc).__name__}: {exc}"}
    return {"status": "ok", "seconds": round(time.monotonic() - started, 1), "figures": figures}


def render_markdown(report: dict[str, Any]) -> str:
    m = report["machine"]
    lines = [
        "# newsmon benchmark report",
        "",
        f"Measured {report['measured_at']} on {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, "
        f"Python {m['python']}. Figures vary by a few per cent between runs on a shared 2-core machine; "
        "ratios measured within one run are the steadier numbers.",
        "",
    ]
    for name, result in report["benchmarks"].items():
        lines += [f"## {name}", ""]
        if result["status"] != "ok":
            lines += [f"_{result['status']}_ {result.get('error', '')}".rstrip(), ""]
            continue
        lines += ["| figure | value |", "|---|---|"]
        lines += [f"| {key} | {_fmt(value)} |" for key, value in _flatten(result["figures"])]
        lines.append("")
    return "\n".join(lines)


def _flatten(figures: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    rows: list[tuple[str, Any]] = []
    for key, value in figures.items():
        if isinstance(value, dict):
            rows += _flatten(value, f"{prefix}{key}.")
        else:
            rows.append((prefix + key, value))
    return rows


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.3f}" if abs(value) < 10 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--only", action="append", choices=BENCHMARKS, help="run only this benchmark")
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory for latest.md and latest.json")
    args = parser.parse_args(argv)
    report: dict[str, Any] = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "benchmarks": {},
    }
    for name in args.only or BENCHMARKS:
        print(f"== {name}", file=sys.stderr, flush=True)
        report["benchmarks"][name] = run_one(name, args.quick)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "latest.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = render_markdown(report)
    (args.out / "latest.md").write_text(markdown + "\n")
    print(markdown)
    return 1 if any(r["status"] == "failed" for r in report["benchmarks"].values()) else 0


if __name__ == "__main__":
    sys.exit(main())
