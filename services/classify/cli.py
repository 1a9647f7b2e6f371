"""`newsmon classify` and `newsmon eval`: the classification engine on files, without Kafka."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING

import click

from services.classify.taxonomy import DEFAULT_TAXONOMY, ConfigError

if TYPE_CHECKING:
    from services.classify.multilingual import MultilingualClassifier as Classifier
    from services.classify.offline import Record

_TAXONOMY_OPTION = click.option(
    "--taxonomy",
    "taxonomy_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=DEFAULT_TAXONOMY,
    show_default="config/taxonomy.yaml",
    help="Taxonomy file to use, e.g. one under edit; the language packs are read from packs/ beside it.",
)


def _classifier(path: Path) -> Classifier:
    """The English taxonomy at `path` with the language packs in `packs/` beside it."""
    from services.classify.multilingual import MultilingualClassifier
    from services.classify.packs import load_packs
    from services.classify.taxonomy import load_taxonomy

    try:
        taxonomy = load_taxonomy(path)
        return MultilingualClassifier(taxonomy, load_packs(path.parent / "packs", taxonomy), eager=False)
    except ConfigError as exc:
        raise click.ClickException(f"invalid taxonomy or language pack:\n{exc}") from None


def _lines(stream: IO[str]) -> Iterator[tuple[int, str]]:
    for number, line in enumerate(stream, 1):
        if line.strip():
            yield number, line


@click.command("classify")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_TAXONOMY_OPTION
@click.option("--explain", is_flag=True, help="Print a readable view of each result instead of JSON.")
def classify_command(file: IO[str], taxonomy_path: Path, explain: bool) -> None:
    """Classify JSON lines from FILE ('-' for stdin); write one JSON line per input, in order.

    \b
    Each input line holds id, title and text (a raw article is accepted too). Output:
      {"id": ..., "language": "en", "topics": [...], "signals": [{"id": ..., "evidence": [{"text",
       "sentence", "start", "end"}]}], "actors": [...], "escalation_score": 0.0-1.0}
    Each text is read with the rules of the language it is written in (English when it has no pack).
    Offsets index into the title, a newline, then the text. Lines that cannot be read are
    reported on stderr with their line number, and the exit status is then 1.

    \b
    Example:
      echo '{"id": "1", "title": "", "text": "Artillery pounded the city."}' | newsmon classify -
    """
    from services.classify.language import identify
    from services.classify.offline import BadRecord, parse_record, result
    from services.classify.offline import explain as explain_one

    classifier = _classifier(taxonomy_path)
    failures = 0
    for number, line in _lines(file):
        try:
            record = parse_record(line)
        except BadRecord as exc:
            failures += 1
            click.echo(f"line {number}: {exc}", err=True)
            continue
        language = identify(record.article.text)
        analysis = classifier.analyse(record.article.text, language)
        if explain:
            click.echo(explain_one(record.article, analysis, record, language) + "\n")
        else:
            click.echo(json.dumps(result(record.article.id, analysis, language), ensure_ascii=False))
    if failures:
        click.echo(f"{failures} line(s) could not be classified", err=True)
        sys.exit(1)


@click.command("eval")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_TAXONOMY_OPTION
@click.option("--errors", is_flag=True, help="Also list each text whose labels differ from the gold ones.")
@click.option(
    "--min-macro-f1",
    type=click.FloatRange(0, 1),
    default=None,
    help="Exit with status 1 when the signals' macro-F1 is below this.",
)
@click.option(
    "--false-alarms",
    is_flag=True,
    help="Unlabelled corpus of non-conflict news: count and list the signals raised on it.",
)
@click.option(
    "--skip-register",
    "skipped_registers",
    multiple=True,
    metavar="NAME",
    help="With --false-alarms: leave out texts of this register (repeatable), e.g. --skip-register conflict.",
)
@click.option(
    "--show",
    type=click.IntRange(0),
    default=50,
    show_default=True,
    help="With --false-alarms: how many alarms to list with their evidence.",
)
def eval_command(
    file: IO[str],
    taxonomy_path: Path,
    errors: bool,
    min_macro_f1: float | None,
    false_alarms: bool,
    skipped_registers: tuple[str, ...],
    show: int,
) -> None:
    """Score the taxonomy on labelled JSON lines: precision, recall and F1 per signal and per topic.

    \b
    Each line holds id, title, text and the gold labels "signals" and "topics" (lists of ids).
    Example:
      newsmon eval tests/fixtures/labelled/heldout.jsonl --errors

    \b
    With --false-alarms, lines need only id, title and text: every text is taken as non-conflict news
    (lines with "conflict": true, or a "register" given to --skip-register, are left out), and each
    signal raised on one, unless its gold "signals" name it, is a false alarm to review. Example:
      newsmon eval --false-alarms corpus.jsonl --skip-register conflict --skip-register world
    """
    classifier = _classifier(taxonomy_path)
    if false_alarms:
        _count_false_alarms(file, classifier, frozenset(skipped_registers), show)
    else:
        _score_labelled(file, classifier, errors, min_macro_f1)


def _records(file: IO[str]) -> Iterator[tuple[int, Record]]:
    from services.classify.offline import BadRecord, parse_record

    for number, line in _lines(file):
        try:
            yield number, parse_record(line)
        except BadRecord as exc:
            raise click.ClickException(f"line {number}: {exc}") from None


def _count_false_alarms(file: IO[str], classifier: Classifier, skipped: frozenset[str], show: int) -> None:
    from services.classify.false_alarms import FalseAlarms, format_false_alarms

    report = FalseAlarms()
    for _, record in _records(file):
        if record.conflict or record.register in skipped:
            report.skip()
        else:
            analysis = classifier.analyse(record.article.text)
            report.add(record.article.id, record.register, analysis, record.gold_signals or frozenset())
    click.echo(f"{file.name}: classifier {classifier.version}\n")
    click.echo(format_false_alarms(report, [s.id for s in classifier.taxonomy.signals], show))


def _score_labelled(file: IO[str], classifier: Classifier, errors: bool, min_macro_f1: float | None) -> None:
    from services.classify.evaluate import Case, evaluate, format_report

    signals: list[Case] = []
    topics: list[Case] = []
    for number, record in _records(file):
        if record.gold_signals is None or record.gold_topics is None:
            raise click.ClickException(f"line {number}: gold labels 'signals' and 'topics' are required")
        analysis = classifier.analyse(record.article.text)
        signals.append(Case(record.article.id, record.gold_signals, frozenset(analysis.signal_ids())))
        topics.append(Case(record.article.id, record.gold_topics, frozenset(analysis.topics)))
    taxonomy = classifier.taxonomy
    signal_report = evaluate(signals, [s.id for s in taxonomy.signals])
    topic_report = evaluate(topics, [t.id for t in taxonomy.topics])
    click.echo(f"{file.name}: {len(signals)} texts, classifier {classifier.version}\n")
    click.echo(format_report("signal", signal_report))
    click.echo()
    click.echo(format_report("topic", topic_report))
    if errors:
        click.echo("\ndisagreements (- missed, + not in gold):")
        for s_case, t_case in zip(signals, topics, strict=True):
            diff = [f"-{x}" for x in sorted(s_case.missed | t_case.missed)]
            diff += [f"+{x}" for x in sorted(s_case.extra | t_case.extra)]
            if diff:
                click.echo(f"  {s_case.id}: {' '.join(diff)}")
    if min_macro_f1 is not None and signal_report.macro_f1 < min_macro_f1:
        click.echo(f"\nmacro-F1 {signal_report.macro_f1:.3f} is below {min_macro_f1:.3f}", err=True)
        sys.exit(1)
