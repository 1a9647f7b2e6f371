"""Articles as the offline commands read them: the same forms for `classify`, `stories`, `eval` and
`backtest`.

A line holds at least `id`, `title` and `text` (optionally `source`, `url` and `published_at`), or is a
whole raw article (it has `feed_id`) or a classified one (it has `article`), whose raw article is read. A
line that is none of them is refused with the fields at fault, never a bare count of validation errors.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from schemas.article import RawArticle

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class BadRecord(ValueError):
    """An input line that is not a usable record; the message says what is wrong."""


def offline_article(data: dict[str, Any]) -> RawArticle:
    """The raw article of one offline input line, in any form the offline commands accept."""
    try:
        if "feed_id" in data:
            return RawArticle.model_validate(data)
        if isinstance(data.get("article"), dict):
            return RawArticle.model_validate(data["article"])
        missing = [k for k in ("id", "title", "text") if k not in data]
        if missing:
            raise BadRecord(f"missing field(s): {', '.join(missing)} (need id, title and text)")
        if not all(isinstance(data[k], str) for k in ("title", "text")):
            raise BadRecord("title and text must be strings")
        article = RawArticle(
            id=str(data["id"]),
            feed_id="offline",
            source=str(data.get("source") or "offline"),
            url=data.get("url"),
            title=data["title"],
            content=data["text"],
            published_at=data.get("published_at") or _EPOCH,
            fetched_at=_EPOCH,
        )
        # the backtest's clock is when an article was fetched: as soon as it was published
        return article.model_copy(update={"fetched_at": article.published_at})
    except ValidationError as exc:
        raise BadRecord(describe(exc)) from None


def describe(exc: ValidationError) -> str:
    """Each field at fault and what is wrong with it, on one line."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in exc.errors())
