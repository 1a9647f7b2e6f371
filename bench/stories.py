"""Stories: quality on a labelled file, CPU per article, and the memory of a story book over a 72 h horizon.

1. Quality: every line of each FILE (default: the dev and unseen sets in tests/fixtures/stories/; id,
   source, url, published_at, title, text and the gold story, copy_of and agency) is classified, its
   features computed and assigned in order of publication; pairwise precision, recall and F1 for "same
   story" and for "copy", and agency accuracy.
   Targets: copy F1 >= 0.95, story F1 >= 0.90.
2. CPU per article, per CPU-second of this process: features of feed-mix articles of about 2.5 KB (one in
   five about a conflict, as in bench/classify_engine.py), and assignment into a book already holding the
   horizon's articles. Target: <= ~50 µs for both together. datasketch's MinHash (64 permutations) on the
   same texts is timed beside the sketch used here.
3. Memory: the resident size a book adds holding 300,000 synthetic articles (events of 1 to 12 reports,
   copies with a few bins changed, names drawn from a Zipf-like vocabulary) spread over 72 hours; and, for
   comparison, datasketch's MinHashLSH holding 30,000 of the same signatures, scaled to 300,000.

    .venv/bin/python -m bench.stories [FILE ...] [--articles 300000] [--quick]
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas.article import RawArticle
from services.classify.engine import Classifier
from services.classify.language import identify
from services.classify.stories import ArticleFeatures, StoryBook, article_features
from services.classify.stories.scoring import Labelled, format_scores, score
from services.classify.stories.sketch import BINS, Sketch
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy

SETS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "stories"
DEV = SETS / "dev.jsonl"
UNSEEN = SETS / "unseen.jsonl"
"""Held out: written by the same blind labellers, never looked at while tuning the story rules."""
HORIZON = 72 * 3600.0
START = datetime(2026, 3, 1, tzinfo=UTC).timestamp()


def quality(path: Path, classifier: Classifier) -> str:
    """Pairwise story and copy scores of a labelled file, formatted."""
    return f"{path.name}: " + format_scores(score(labelled(path, classifier)))


def labelled(path: Path, classifier: Classifier) -> list[Labelled]:
    """Every article of a labelled file with its gold labels and what a fresh story book made of it."""
    book = StoryBook(bucket_bits=16)
    items = []
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows.sort(key=lambda r: str(r["published_at"]))  # the order the stage sees them in
    for row in rows:
        published = datetime.fromisoformat(row["published_at"].replace("Z", "+00:00"))
        article = RawArticle(
            id=row["id"],
            feed_id="bench",
            source=row.get("source") or "bench",
            url=row.get("url"),
            title=row["title"],
            content=row["text"],
            published_at=published,
            fetched_at=published,
        )
        analysis = classifier.analyse(article.text)
        features = article_features(
            article, analysis.topics, analysis.signal_ids(), analysis.actors, language=identify(article.text)
        )
        assigned = book.add(features, published.timestamp())
        items.append(
            Labelled(
                row["id"],
                row["story"],
                row.get("copy_of"),
                row.get("agency"),
                assigned.story_id,
                assigned.copy_of,
                features.agency,
            )
        )
    return items


def _cpu(function: Any, rounds: int) -> float:
    """CPU seconds of this process per call."""
    start = time.process_time()
    for _ in range(rounds):
        function()
    return (time.process_time() - start) / rounds


def feature_cost(classifier: Classifier, count: int) -> str:
    from bench.classify_engine import articles

    corpus = articles(count, conflict_share=0.2)
    analyses = [classifier.analyse(a.text) for a in corpus]
    start = time.process_time()
    for article, analysis in zip(corpus, analyses, strict=True):
        article_features(article, analysis.topics, analysis.signal_ids(), analysis.actors)
    ours = (time.process_time() - start) / count
    engine = _cpu(lambda: [classifier.analyse(a.text) for a in corpus[:200]], 3) / 200
    lines = [
        f"features: {ours * 1e6:.1f} µs/article over {count} feed-mix articles "
        f"(the classification engine alone: {engine * 1e6:.1f} µs)"
    ]
    try:
        from datasketch import MinHash
    except ImportError:
        return lines[0] + "\n(datasketch not installed: its MinHash is not timed)"

    def datasketch_minhash(text: str) -> Any:
        words = text.lower().split()
        minhash = MinHash(num_perm=64)
        minhash.update_batch([" ".join(words[i : i + 3]).encode() for i in range(len(words) - 2)])
        return minhash

    theirs = _cpu(lambda: [datasketch_minhash(a.text) for a in corpus[:100]], 1) / 100
    lines.append(f"datasketch MinHash(num_perm=64) on word 3-grams: {theirs * 1e6:.0f} µs/article")
    return "\n".join(lines)


def synthetic(count: int, seed: int = 11) -> list[tuple[ArticleFeatures, float]]:
    """`count` articles over the horizon: events with 1 to 12 reports, some copies of their first; names and
    headline words drawn from Zipf-like vocabularies, so some are common and most are rare."""
    rng = random.Random(seed)
    places = [f"place{i}" for i in range(3000)]
    names = [f"name{i}" for i in range(40000)]
    vocabulary = [f"word{i}" for i in range(60000)]
    made: list[tuple[ArticleFeatures, float]] = []
    step = HORIZON / count
    n = 0
    while len(made) < count:
        when = START + len(made) * step
        place = rng.choice(places)
        people = [names[int(rng.paretovariate(1.1)) % len(names)] for _ in range(8)]
        wording = [vocabulary[int(rng.paretovariate(1.0)) % len(vocabulary)] for _ in range(10)]
        signature = bytearray(rng.randbytes(2 * BINS))
        for report in range(rng.randint(1, 12)):
            if report and rng.random() < 0.6:
                for _ in range(4):
                    at = rng.randrange(BINS) * 2
                    signature[at : at + 2] = rng.randbytes(2)
                sig = bytes(signature)
            else:
                sig = rng.randbytes(2 * BINS)
            features = ArticleFeatures(
                id=f"a{n}",
                source=f"outlet{rng.randrange(500)}",
                published=when,
                title="A synthetic headline of about the usual length for a news article",
                sketch=Sketch(sig, rng.randint(60, 500)),
                agency=None,
                places=(place,),
                entities=tuple(rng.sample(people, 5)),
                numbers=(str(rng.randint(2, 60)),),
                topics=("russia_ukraine",),
                signals=("military_strike",),
                actors=("RU", "UA"),
                words=tuple(dict.fromkeys(rng.sample(wording, 7))),
            )
            made.append((features, when + report * 60))
            n += 1
    return made[:count]


def _rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[1]) * 4096


def book_cost(count: int) -> str:
    articles = synthetic(count)
    gc.collect()
    before = _rss()
    book = StoryBook()
    start = time.process_time()
    for features, when in articles:
        book.add(features, when)
    elapsed = time.process_time() - start
    gc.collect()
    grown = _rss() - before
    tail = articles[-min(20000, count) :]
    fresh = StoryBook.restore(book.records())
    start = time.process_time()
    for features, when in tail:
        fresh.add(ArticleFeatures(**{**_fields(features), "id": "again-" + features.id}), when)
    warm = (time.process_time() - start) / len(tail)
    return (
        f"assignment: {elapsed / count * 1e6:.1f} µs/article filling the book; {warm * 1e6:.1f} µs/article "
        f"into a book holding {len(book):,} articles, {len(book.stories):,} stories\n"
        f"{growing_cost(book, articles[-1][1])}\n"
        f"memory: {grown / 2**20:.0f} MB resident for {len(book):,} articles over 72 h "
        f"({grown / max(1, len(book)):.0f} bytes/article)"
    )


def growing_cost(book: StoryBook, now: float) -> str:
    """CPU of one ranking of the fastest-growing stories of the last hour (what the stage's metrics do
    every 5 s), in the full book."""
    ranked = book.fastest_growing(now, 3600.0, 10)
    cost = _cpu(lambda: book.fastest_growing(now, 3600.0, 10), 50)
    touched = sum(1 for story in book.stories.values() if story.touched > now - 3600.0)
    top = ranked[0] if ranked else None
    best = f"; top story: {top.new_outlets} new outlets, {top.new_reports} reports" if top else ""
    return (
        f"fastest-growing stories of the last hour: {cost * 1e3:.2f} ms a ranking, "
        f"reading the {touched:,} stories touched within the hour{best}"
    )


def _fields(features: ArticleFeatures) -> dict[str, Any]:
    return {name: getattr(features, name) for name in ArticleFeatures.__slots__}


def datasketch_memory(count: int) -> str:
    try:
        from datasketch import LeanMinHash, MinHash, MinHashLSH
    except ImportError:
        return "(datasketch not installed: MinHashLSH memory not measured)"
    rng = random.Random(5)
    gc.collect()
    before = _rss()
    lsh = MinHashLSH(threshold=0.5, num_perm=BINS, params=(BINS // 2, 2))
    for n in range(count):
        minhash = MinHash(num_perm=BINS)
        minhash.update_batch([rng.randbytes(8) for _ in range(20)])
        lsh.insert(f"a{n}", LeanMinHash(minhash))
    gc.collect()
    grown = _rss() - before
    return (
        f"datasketch MinHashLSH ({BINS // 2} bands of 2): {grown / 2**20:.0f} MB for {count:,} signatures, "
        f"about {grown / count * 300000 / 2**20:.0f} MB at 300,000"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("file", nargs="*", type=Path, default=[DEV, UNSEEN])
    parser.add_argument("--articles", type=int, default=300000)
    parser.add_argument("--quick", action="store_true", help="30,000 articles, fewer rounds")
    args = parser.parse_args()
    classifier = Classifier.from_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
    for path in args.file:
        if path.exists():
            print(quality(path, classifier), flush=True)
        else:
            print(f"{path}: not found; quality not measured", flush=True)
    print(feature_cost(classifier, 500 if args.quick else 3000), flush=True)
    print(book_cost(30000 if args.quick else args.articles), flush=True)
    print(datasketch_memory(3000 if args.quick else 30000), flush=True)


if __name__ == "__main__":
    main()
