"""`newsmon stories`: copies and stories of JSON-lines articles, offline, as the story stage assigns them."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import click

from services.classify.cli import _TAXONOMY_OPTION, _classifier, _lines


@click.command("stories")
@click.argument("file", type=click.File("r", encoding="utf-8"))
@_TAXONOMY_OPTION
@click.option("--summary", is_flag=True, help="Print a table of the stories instead of one line per article.")
def stories_command(file: IO[str], taxonomy_path: Path, summary: bool) -> None:
    """Group JSON-lines articles from FILE ('-' for stdin) into stories, marking syndicated copies.

    \b
    Input: one article a line: {"id", "title", "text"} with optional "source", "url" and
    "published_at" (ISO 8601), or a whole raw or classified article. Each is classified with the
    taxonomy first (topics, signals and actors help tell events apart), then assigned in order of
    publication (file order among equals), as the story stage would see them arrive.
    Output: one line per article, in input order:
      {"id": ..., "story_id": "story-...", "copy_of": null or the id of the earliest article
       of the copy group it belongs to}
    --summary prints a table instead: each story's first report, outlets, independent reports
    (an original and its copies count once) and headline. Lines that cannot be read are reported
    on stderr with their number and the fields at fault, and the exit status is then 1.

    \b
    Example:
      newsmon stories articles.jsonl
      newsmon stories --summary articles.jsonl
      echo '{"id": "1", "title": "Drones hit Kharkiv", "text": "KHARKIV (Reuters) - ..."}' | newsmon stories -
    """
    from services.classify.language import identify
    from services.classify.offline import BadRecord, parse_record
    from services.classify.stories import StoryBook, article_features

    classifier = _classifier(taxonomy_path)
    articles = []
    failures = 0
    for number, line in _lines(file):
        try:
            articles.append(parse_record(line).article)
        except BadRecord as exc:
            failures += 1
            click.echo(f"line {number}: {exc}", err=True)
    book = StoryBook(bucket_bits=16)
    assigned = {}
    for article in sorted(articles, key=lambda a: a.published_at):
        language = identify(article.text)
        analysis = classifier.analyse(article.text, language)
        features = article_features(
            article, analysis.topics, analysis.signal_ids(), analysis.actors, language=language
        )
        assigned[article.id] = book.add(features, article.published_at.timestamp())
    if not summary:
        for article in articles:
            assignment = assigned[article.id]
            line_out = {"id": article.id, "story_id": assignment.story_id, "copy_of": assignment.copy_of}
            click.echo(json.dumps(line_out, ensure_ascii=False))
    else:
        _summary(book)
    if failures:
        click.echo(f"{failures} line(s) could not be read", err=True)
        sys.exit(1)


def _summary(book: object) -> None:
    from services.classify.stories import StoryBook

    assert isinstance(book, StoryBook)
    stories = sorted(book.stories.values(), key=lambda s: (s.first_published, s.seq))
    click.echo(
        f"{'FIRST SEEN':<17} {'FIRST SOURCE':<18} {'OUTLETS':>7} {'REPORTS':>7} {'ARTICLES':>8}  HEADLINE"
    )
    for story in stories:
        when = datetime.fromtimestamp(story.first_published, UTC).strftime("%Y-%m-%d %H:%M")
        click.echo(
            f"{when:<17} {story.first_source[:18]:<18} {len(story.outlets):>7} "
            f"{story.independent_reports:>7} {story.articles:>8}  {story.headline[:80]}"
        )
    click.echo(f"{len(stories)} stories, {len(book)} articles", err=True)
