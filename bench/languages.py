"""Language packs: compile time, and articles per CPU-second of `classify` in each language.

Each language's texts are read as the stream reads them: the language told from the text, its pack's rules,
and the classified message built. The texts are the blind labelled sets under tests/fixtures/labelled/lang
(short news items, about 250 characters, written for the project) or, with --corpus DIR, the real news of
DIR/<lang>.jsonl as `python -m bench.realnews languages` writes it (longer: headline and lead). English is
measured on the engine benchmark's feed mix (2.5 KB, one article in five about a conflict). Beside each
rate, the share of the CPU taken by telling the language. Rates are per CPU-second of this process (best of
three rounds), so other work on a shared machine does not count. Targets: English >= 10,000, each other
language >= 5,000 articles per CPU-second.

    .venv/bin/python -m bench.languages [--quick] [--corpus DIR]
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bench.classify_engine import articles, rate
from schemas.article import RawArticle
from services.classify.language import identify
from services.classify.multilingual import MultilingualClassifier
from services.classify.packs import load_packs
from services.classify.taxonomy import DEFAULT_TAXONOMY, load_taxonomy

SETS = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "labelled" / "lang"
NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
TARGET_ENGLISH = 10_000
TARGET_OTHERS = 5_000
MAX_TEXTS = 2_000


@dataclass(frozen=True)
class LanguageRate:
    language: str
    texts: int
    mean_chars: float
    classify_per_s: float
    identify_per_s: float

    @property
    def identify_share(self) -> float:
        """The part of each article's CPU spent telling its language."""
        return self.classify_per_s / self.identify_per_s


def compile_seconds(languages: list[str]) -> tuple[MultilingualClassifier, float, dict[str, float]]:
    """A classifier with every pack, the seconds to load the taxonomy and packs, and each pack's compile."""
    started = time.process_time()
    english = load_taxonomy(DEFAULT_TAXONOMY)
    packs = load_packs(DEFAULT_TAXONOMY.parent / "packs", english)
    classifier = MultilingualClassifier(english, packs, eager=False)
    loaded = time.process_time() - started
    each = {}
    for language in languages:
        started = time.process_time()
        classifier.for_language(language)
        each[language] = time.process_time() - started
    return classifier, loaded, each


def texts_of(language: str, corpus: Path | None) -> list[RawArticle]:
    """The articles a language is measured on: the labelled sets, or the real corpus in `corpus`."""
    if corpus is None:
        paths = [SETS / f"{language}-{half}.jsonl" for half in ("dev", "unseen")]
    else:
        paths = [corpus / f"{language}.jsonl"]
    lines = [line for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line]
    rows = [json.loads(line) for line in lines]
    return [_article(n, language, row) for n, row in enumerate(rows[:MAX_TEXTS])]


def _article(n: int, language: str, row: dict[str, str]) -> RawArticle:
    return RawArticle(
        id=f"{language}-{n}",
        feed_id="bench",
        source="bench",
        title=row.get("title") or "",
        summary=row.get("text") or "",
        published_at=NOW,
        fetched_at=NOW,
    )


def measure(
    classifier: MultilingualClassifier, language: str, batch: list[RawArticle], seconds: float
) -> LanguageRate:
    by_text = {a.text: a for a in batch}
    texts = list(by_text)
    classify: Callable[[str], object] = lambda text: classifier.classify(by_text[text], NOW)  # noqa: E731
    return LanguageRate(
        language,
        len(texts),
        sum(len(t) for t in texts) / len(texts),
        rate(classify, texts, seconds),
        rate(identify, texts, seconds),
    )


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--quick", action="store_true", help="shorter rounds")
    parser.add_argument("--corpus", type=Path, help="folder of real news per language (<lang>.jsonl)")
    args = parser.parse_args()
    seconds = 1.5 if args.quick else 6.0
    languages = sorted(p.stem for p in (DEFAULT_TAXONOMY.parent / "packs").glob("*.yaml"))
    classifier, loaded, compiled = compile_seconds(languages)
    print(f"taxonomy and {len(languages)} packs loaded in {loaded:.2f} CPU-s; compiled per pack (CPU-s):")
    print("  " + ", ".join(f"{lang} {compiled[lang]:.2f}" for lang in languages))
    source = "labelled sets" if args.corpus is None else f"real news in {args.corpus}"
    print(f"classify with its message, per CPU-second ({source}; English: the feed mix of 2.5 KB articles)")
    print(f"  {'language':<9} {'texts':>6} {'chars':>6} {'articles/s':>11} {'language ID':>12}   target")
    english = list(articles(300 if args.quick else 1_000, 0.2, seed=7))
    rows = [measure(classifier, "en", english, seconds)]
    rows += [measure(classifier, lang, texts_of(lang, args.corpus), seconds) for lang in languages]
    for row in rows:
        target = TARGET_ENGLISH if row.language == "en" else TARGET_OTHERS
        print(
            f"  {row.language:<9} {row.texts:>6} {row.mean_chars:>6.0f} {row.classify_per_s:>11,.0f} "
            f"{row.identify_share:>11.0%}   >= {target:,}"
        )


if __name__ == "__main__":
    main()
