"""Rebuild the real-news evaluation corpus and its labelled sample from pinned public repositories.

    python -m bench.realnews sources                                  # repos, commits, clone commands
    python -m bench.realnews build --snapshots DIR [--out DIR]        # -> OUT/corpus.jsonl
    python -m bench.realnews sample [--out DIR]                       # -> OUT/sample-{dev,unseen}.jsonl
    python -m bench.realnews supplement [--out DIR]                   # -> OUT/sample2-{dev,unseen}.jsonl
    python -m bench.realnews stories --snapshots DIR [--out DIR]  # -> OUT/stories-real{,-dev,-unseen}.jsonl
    python -m bench.realnews languages --snapshots DIR [--out DIR] [--langs ar,de]  # -> OUT/lang/<lang>.jsonl
    python -m bench.realnews lang-judged [--out DIR] [--langs ar,de]  # -> OUT/lang/<lang>-{dev,unseen}.jsonl

The output is published text: it goes to a folder outside this repository (default ~/newsmon-realnews).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bench.realnews.corpus import (
    Item,
    by_id,
    cap_cells,
    cells_of,
    dedupe,
    parse_lines,
    register_counts,
    to_line,
)
from bench.realnews.labels import LABELS_FILE, SUPPLEMENT_LABELS_FILE, Label, LabelsError, load_labels
from bench.realnews.lang_labels import LANG_LABELS_FILE, LangLabelsError, judged_halves, load_lang_labels
from bench.realnews.lang_sources import BY_REPO, LANG_REPOS, LANG_SOURCES, read_language
from bench.realnews.languages import (
    LANGS,
    MAX_NONCONFLICT,
    MAX_POLITICS_WORLD,
    SEED,
    draw_language,
    keep,
    lang_stats,
)
from bench.realnews.sample import (
    SAMPLE_SEED,
    SUPPLEMENT_SEED,
    SampleError,
    draw,
    draw_supplement,
    split_sample,
)
from bench.realnews.snapshots import Snapshot, SnapshotError
from bench.realnews.sources import GNEWS_FILE, SOURCES, Source
from bench.realnews.stories import (
    STORIES_FILE,
    WINDOW,
    StoriesError,
    first_sightings,
    in_window,
    load_story_labels,
    split_by_story,
    story_counts,
    story_records,
)

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = Path("~/newsmon-realnews")
CORPUS = "corpus.jsonl"


class UsageError(Exception):
    """A wrong option or path; printed without a traceback."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def out_dir(raw: Path) -> Path:
    """The output folder; never inside this repository, since what is written there is published text."""
    out = raw.expanduser().resolve()
    if out == REPO or REPO in out.parents:
        raise UsageError(f"--out {out} is inside the repository; published text must stay outside it")
    return out


def write_lines(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """Written beside the target, then moved over it, so a failed run leaves no half file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with partial.open("w", encoding="utf-8") as out:
        out.writelines(to_line(record) for record in records)
    os.replace(partial, path)


def overrides(pairs: list[str]) -> dict[str, Path]:
    keys = {source.key for source in SOURCES}
    found: dict[str, Path] = {}
    for pair in pairs:
        key, sep, path = pair.partition("=")
        if not sep or key not in keys:
            raise UsageError(f"--snapshot {pair}: expected KEY=DIR with KEY one of {', '.join(sorted(keys))}")
        found[key] = Path(path).expanduser()
    return found


def read_source(source: Source, root: Path, override: Path | None) -> list[Any]:
    log(f"[{source.key}] {source.pin.repo} @ {source.pin.commit[:12]}: {source.files}")
    items = source.read(Snapshot.locate(source.pin, root, override), log)
    log(f"[{source.key}] {len(items)} items read")
    return items


def build(args: argparse.Namespace) -> None:
    root: Path = args.snapshots.expanduser()
    chosen = overrides(args.snapshot)
    out = out_dir(args.out)
    items = [item for source in SOURCES for item in read_source(source, root, chosen.get(source.key))]
    unique = dedupe(items)
    log(f"{len(unique)} items after deduplication (of {len(items)})")
    cells = cells_of(unique)
    capped = cap_cells(cells)
    for (family, register), cell in capped.items():
        log(f"  {family:<32} {register:<14} {len(cell):5d} (of {len(cells[family, register])})")
    corpus = by_id(capped)
    write_lines(out / CORPUS, (item.record() for item in corpus))
    log(f"wrote {len(corpus)} items to {out / CORPUS}")
    for register, count in register_counts(corpus).items():
        log(f"  register {register:<14} {count}")


def read_corpus(args: argparse.Namespace, out: Path) -> list[Item]:
    corpus_path: Path = (args.corpus or out / CORPUS).expanduser()
    if not corpus_path.is_file():
        raise UsageError(f"no corpus at {corpus_path}: run `python -m bench.realnews build` first")
    with corpus_path.open(encoding="utf-8") as lines:
        return list(parse_lines(lines))


def write_halves(out: Path, name: str, drawn: list[Item], labels: dict[str, Label]) -> None:
    for half, records in split_sample(drawn, labels).items():
        path = out / f"{name}-{half}.jsonl"
        write_lines(path, records)
        with_signal = sum(1 for record in records if record["signals"])
        log(f"wrote {len(records)} items to {path} ({with_signal} with a signal)")


def sample(args: argparse.Namespace) -> None:
    out = out_dir(args.out)
    corpus = read_corpus(args, out)
    labels = load_labels(args.labels)
    drawn = draw(corpus)
    log(f"drew {len(drawn)} items from {len(corpus)} (seed {SAMPLE_SEED})")
    write_halves(out, "sample", drawn, labels)


def supplement(args: argparse.Namespace) -> None:
    out = out_dir(args.out)
    corpus = read_corpus(args, out)
    labels = load_labels(args.labels)
    drawn = draw_supplement(corpus, load_labels(args.first_labels))
    log(f"drew {len(drawn)} items from {len(corpus)}, the first sample left out (seed {SUPPLEMENT_SEED})")
    write_halves(out, "sample2", drawn, labels)


def hourly_files(snapshot: Snapshot) -> list[tuple[str, str]]:
    paths = [path for path in snapshot.list("news") if GNEWS_FILE.match(path)]
    log(f"  {len(paths)} hourly files")
    return [(path, data.decode("utf-8", "replace")) for path, data in snapshot.read_many(paths)]


def stories(args: argparse.Namespace) -> None:
    out = out_dir(args.out)
    source = next(source for source in SOURCES if source.key == "gnews")
    override = overrides(args.snapshot).get(source.key)
    log(f"[{source.key}] {source.pin.repo} @ {source.pin.commit[:12]}: {source.files}")
    snapshot = Snapshot.locate(source.pin, args.snapshots.expanduser(), override)
    items = in_window(first_sightings(hourly_files(snapshot)))
    log(
        f"{len(items)} headlines first seen in [{WINDOW.start:%Y-%m-%dT%H:%MZ}, {WINDOW.end:%Y-%m-%dT%H:%MZ})"
    )
    records = story_records(items, load_story_labels(args.labels))
    write_lines(out / "stories-real.jsonl", records)
    for half, part in split_by_story(records).items():
        path = out / f"stories-real-{half}.jsonl"
        write_lines(path, part)
        count, story_total, copies = story_counts(part)
        log(f"wrote {count} items ({story_total} stories, {copies} copies) to {path}")


def lang_list(raw: str) -> list[str]:
    langs = [lang.strip() for lang in raw.split(",") if lang.strip()]
    unknown = [lang for lang in langs if lang not in LANG_REPOS]
    if unknown or not langs:
        raise UsageError(f"--langs {raw}: expected a comma list of {','.join(LANGS)}")
    return langs


def write_language(out: Path, lang: str, snapshots: dict[str, Snapshot]) -> dict[str, Any]:
    """Read, check, deduplicate and draw one language; write OUT/lang/<lang>.jsonl; return its statistics."""
    log(f"[{lang}] building")
    items = read_language(lang, snapshots, log)
    kept, drops = keep(lang, items)
    chosen = draw_language(kept, lang)
    path = out / "lang" / f"{lang}.jsonl"
    write_lines(path, (item.record() for item in chosen))
    stats = {**lang_stats(len(items), kept, chosen, drops), "file": str(path)}
    log(f"[{lang}] wrote {len(chosen)} items -> {path}   {json.dumps(stats['by_register'], sort_keys=True)}")
    log(f"[{lang}] dropped: {json.dumps(stats['dropped'], sort_keys=True)}")
    return stats


def languages(args: argparse.Namespace) -> None:
    out = out_dir(args.out)
    langs = lang_list(args.langs)
    repos = sorted({repo for lang in langs for repo in LANG_REPOS[lang]})
    root: Path = args.snapshots.expanduser()
    snapshots = {repo: Snapshot.locate(BY_REPO[repo].pin, root) for repo in repos}
    every: dict[str, Any] = {
        "seed": SEED,
        "max_nonconflict": MAX_NONCONFLICT,
        "max_politics_world": MAX_POLITICS_WORLD,
        "commits": {repo: BY_REPO[repo].pin.commit for repo in repos},
        "langs": {lang: write_language(out, lang, snapshots) for lang in langs},
    }
    stats_path = out / "lang" / "build_stats.json"
    stats_path.write_text(json.dumps(every, ensure_ascii=False, indent=1, sort_keys=True), "utf-8")
    log(f"statistics -> {stats_path}")


def lang_judged(args: argparse.Namespace) -> None:
    out = out_dir(args.out)
    labels = load_lang_labels(args.labels)
    for lang in lang_list(args.langs):
        corpus = out / "lang" / f"{lang}.jsonl"
        if not corpus.is_file():
            raise UsageError(f"no corpus at {corpus}: run `python -m bench.realnews languages` first")
        with corpus.open(encoding="utf-8") as lines:
            records = [json.loads(line) for line in lines if line.strip()]
        for half, part in judged_halves(records, labels).items():
            path = out / "lang" / f"{lang}-{half}.jsonl"
            write_lines(path, part)
            labelled = sum(1 for record in part if "conflict" in record)
            log(f"wrote {len(part)} items ({labelled} labelled) to {path}")


def sources(args: argparse.Namespace) -> None:
    root = str(args.snapshots)
    for source in SOURCES:
        print(f"# {source.key}: {source.pin.repo} @ {source.pin.commit}  ({source.files})")
        print(source.pin.clone_commands(f"{root}/{source.pin.folder}"))
    for lang_source in LANG_SOURCES:
        langs = ",".join(lang for lang, repos in LANG_REPOS.items() if lang_source.pin.repo in repos)
        pin = lang_source.pin
        print(f"# languages {langs}: {pin.repo} @ {pin.commit}  ({lang_source.files})")
        print(pin.clone_commands(f"{root}/{pin.folder}"))


def _output_folder(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="output folder (%(default)s)"
    )


def _corpus_file(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--corpus", type=Path, metavar="FILE", help="corpus to draw from (default OUT/corpus.jsonl)"
    )


def _labels_file(command: argparse.ArgumentParser, default: Path, what: str) -> None:
    command.add_argument(
        "--labels", type=Path, default=default, metavar="FILE", help=f"{what} (the committed file)"
    )


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="python -m bench.realnews",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = top.add_subparsers(dest="command", required=True)

    listing = commands.add_parser(
        "sources", help="print each pinned repository, its commit and how to clone it"
    )
    listing.add_argument("--snapshots", default="~/newsmon-realnews/snapshots", help="where the clones go")
    listing.set_defaults(run=sources)

    builder = commands.add_parser(
        "build",
        help="read the pinned snapshots and write OUT/corpus.jsonl",
        description="Read each pinned repository at its commit, deduplicate, cap each (source, register) "
        "cell at 1,500 items and write OUT/corpus.jsonl. `sources` prints the repositories and commits.",
    )
    builder.add_argument(
        "--snapshots",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder with one clone per repository, named owner+name (or fetched snapshots: owner+name/repo)",
    )
    builder.add_argument(
        "--snapshot",
        action="append",
        default=[],
        metavar="KEY=DIR",
        help=f"one repository elsewhere ({', '.join(s.key for s in SOURCES)}); may be repeated",
    )
    _output_folder(builder)
    builder.set_defaults(run=build)

    sampler = commands.add_parser(
        "sample",
        help="draw the labelled sample from OUT/corpus.jsonl and write OUT/sample-{dev,unseen}.jsonl",
        description=f"Draw the 640-item sample (seed {SAMPLE_SEED}), join the labels by id and split it: "
        "dev when the first byte of sha256(id) is even, unseen when odd.",
    )
    _output_folder(sampler)
    _corpus_file(sampler)
    _labels_file(sampler, LABELS_FILE, "labels")
    sampler.set_defaults(run=sample)

    supplementer = commands.add_parser(
        "supplement",
        help="draw the conflict supplement from OUT/corpus.jsonl and write OUT/sample2-{dev,unseen}.jsonl",
        description=f"Draw 400 conflict and world items not in the first sample (seed {SUPPLEMENT_SEED}), "
        "ledes favoured, join labels2.tsv by id and split by the sample's rule on the item id.",
    )
    _output_folder(supplementer)
    _corpus_file(supplementer)
    _labels_file(supplementer, SUPPLEMENT_LABELS_FILE, "the supplement's labels")
    supplementer.add_argument(
        "--first-labels",
        type=Path,
        default=LABELS_FILE,
        metavar="FILE",
        help="the first sample's labels, whose items are left out (the committed file)",
    )
    supplementer.set_defaults(run=supplement)

    storier = commands.add_parser(
        "stories",
        help="label the headlines of a three-day window with stories: OUT/stories-real{,-dev,-unseen}.jsonl",
        description="Read the hourly Google-News archive at its pinned commit, keep every headline first "
        f"seen from {WINDOW.start:%Y-%m-%dT%H:%MZ} to {WINDOW.end:%Y-%m-%dT%H:%MZ}, join the story labels "
        "by id and split by story: dev when the first byte of sha256(story id) is even, unseen when odd.",
    )
    storier.add_argument(
        "--snapshots", type=Path, required=True, metavar="DIR", help="folder of snapshots, as for build"
    )
    storier.add_argument(
        "--snapshot", action="append", default=[], metavar="gnews=DIR", help="the archive elsewhere"
    )
    _output_folder(storier)
    _labels_file(storier, STORIES_FILE, "story labels")
    storier.set_defaults(run=stories)

    linguist = commands.add_parser(
        "languages",
        help="build the non-English corpora: OUT/lang/<lang>.jsonl and OUT/lang/build_stats.json",
        description="Read each language's pinned repositories, keep items in the claimed language once each, "
        f"and draw up to {MAX_NONCONFLICT} non-conflict and {MAX_POLITICS_WORLD} politics/world items per "
        f"language (seed {SEED}). `sources` prints the repositories and commits.",
    )
    linguist.add_argument(
        "--snapshots", type=Path, required=True, metavar="DIR", help="folder of snapshots, as for build"
    )
    _output_folder(linguist)
    _languages(linguist)
    linguist.set_defaults(run=languages)

    judge = commands.add_parser(
        "lang-judged",
        help="join lang_labels.tsv to OUT/lang/<lang>.jsonl: OUT/lang/<lang>-{dev,unseen}.jsonl",
        description="Split each language corpus by item id (dev when the first byte of sha256(id) is even) "
        "and set `conflict` and `signals` on labelled items, as `newsmon eval --false-alarms` reads them.",
    )
    _output_folder(judge)
    _languages(judge)
    _labels_file(judge, LANG_LABELS_FILE, "labels")
    judge.set_defaults(run=lang_judged)
    return top


def _languages(command: argparse.ArgumentParser) -> None:
    command.add_argument(
        "--langs", default=",".join(sorted(LANGS)), metavar="LIST", help="comma list (%(default)s)"
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        args.run(args)
    except (UsageError, SnapshotError, SampleError, LabelsError, StoriesError, LangLabelsError) as exc:
        log(f"error: {exc}")
        return 1
    except FileNotFoundError as exc:
        log(f"error: {exc.filename}: not found{' (is git installed?)' if exc.filename == 'git' else ''}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
