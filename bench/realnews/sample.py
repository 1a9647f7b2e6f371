"""The blind labelled sample: a seeded stratified draw from the corpus, split into dev and unseen halves.

The draw fixes which items were labelled and in which order, so it only reproduces the labelled set from a
byte-identical corpus; labels are then joined by item id.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable
from typing import Any, Literal

from bench.realnews.corpus import Item, cells_of
from bench.realnews.labels import Label, require_labelled
from bench.realnews.text import cut_at_sentence

SAMPLE_SEED = 640640

QUOTA: dict[tuple[str, str], int] = {
    ("conflict", "google_news_us_top"): 55,
    ("conflict", "cnn_live_israel_hamas_2024"): 30,
    ("conflict", "gnews_gaza_2023_24"): 22,
    ("conflict", "gnews_bbc_gaza_2024"): 8,
    ("conflict", "wsj_middleeast_2023_24"): 15,
    ("conflict", "fwd_news_reddit_2022"): 35,
    ("conflict", "ag_news_test"): 35,
    ("world", "ag_news_test"): 20,
    ("world", "fwd_news_reddit_2022"): 12,
    ("world", "gnews_gaza_2023_24"): 8,
    ("world", "cnn_live_israel_hamas_2024"): 8,
    ("world", "wsj_middleeast_2023_24"): 4,
    ("world", "gnews_bbc_gaza_2024"): 4,
    ("national", "google_news_us_top"): 30,
    ("national", "fwd_news_reddit_2022"): 15,
    ("politics", "bbc_news_2005"): 15,
    ("politics", "fwd_news_reddit_2022"): 15,
    ("business", "ag_news_test"): 25,
    ("business", "bbc_news_2005"): 25,
    ("sport", "ag_news_test"): 20,
    ("sport", "bbc_news_2005"): 20,
    ("sport", "fwd_news_reddit_2022"): 5,
    ("technology", "ag_news_test"): 20,
    ("technology", "bbc_news_2005"): 15,
    ("technology", "fwd_news_reddit_2022"): 10,
    ("science", "fwd_news_reddit_2022"): 8,
    ("entertainment", "bbc_news_2005"): 25,
    ("entertainment", "fwd_news_reddit_2022"): 20,
    ("local_crime", "newsapi_crime_feed"): 50,
    ("local_crime", "fwd_news_reddit_2022"): 20,
    ("regional", "fwd_news_reddit_2022"): 30,
    ("offbeat", "fwd_news_reddit_2022"): 16,
}
"""Items drawn per (register, source family): 256 (40 %) from conflict and world, 384 from the rest."""

SUPPLEMENT_SEED = 400400

SUPPLEMENT_QUOTA: dict[tuple[str, str], int] = {
    ("conflict", "ag_news_test"): 150,
    ("world", "ag_news_test"): 60,
    ("conflict", "google_news_us_top"): 90,
    ("conflict", "cnn_live_israel_hamas_2024"): 25,
    ("conflict", "gnews_gaza_2023_24"): 25,
    ("conflict", "fwd_news_reddit_2022"): 25,
    ("conflict", "wsj_middleeast_2023_24"): 15,
    ("conflict", "gnews_bbc_gaza_2024"): 5,
    ("world", "fwd_news_reddit_2022"): 5,
}
"""The conflict supplement: 400 items of the conflict and world registers, none of them in the first
sample. AG News is the only family of these registers with ledes, so it gets 210 (52 %) against its 15 %
of the pool: text states signals a headline leaves out."""

Split = Literal["dev", "unseen"]


class SampleError(Exception):
    """The corpus cannot give the labelled sample: a cell too small, or drawn ids unlike the labels'."""


def split_of(item_id: str) -> Split:
    """dev when the first byte of sha256(id) is even, unseen when odd: fixed by the id alone."""
    return "dev" if hashlib.sha256(item_id.encode("utf-8")).digest()[0] % 2 == 0 else "unseen"


def draw(
    items: Iterable[Item], quota: dict[tuple[str, str], int] = QUOTA, seed: int = SAMPLE_SEED
) -> list[Item]:
    """Each cell's quota drawn from its items in id order, texts cut near 800 characters, then shuffled."""
    by_family = {(register, family): cell for (family, register), cell in cells_of(items).items()}
    rng = random.Random(seed)
    drawn: list[Item] = []
    for key in sorted(quota):
        pool = sorted(by_family.get(key, []), key=lambda item: item.id)
        if len(pool) < quota[key]:
            raise SampleError(
                f"register {key[0]} of {key[1]} has {len(pool)} items, the quota is {quota[key]}"
            )
        drawn.extend(item.with_text(cut_at_sentence(item.text)) for item in rng.sample(pool, quota[key]))
    rng.shuffle(drawn)
    return drawn


def draw_supplement(
    items: Iterable[Item],
    sampled: Iterable[str],
    quota: dict[tuple[str, str], int] = SUPPLEMENT_QUOTA,
    seed: int = SUPPLEMENT_SEED,
) -> list[Item]:
    """The supplement's seeded draw from the items not in the first sample (`sampled`: its ids)."""
    excluded = set(sampled)
    return draw([item for item in items if item.id not in excluded], quota, seed)


def check_labels_cover(drawn: list[Item], labels: dict[str, Label]) -> None:
    """Every drawn item has a label and every label a drawn item; else the corpus is not the pinned one."""
    advice = "rebuild the corpus from the pinned snapshots"
    require_labelled((item.id for item in drawn), labels, SampleError, "drawn item", advice)


def labelled_record(item: Item, label: Label) -> dict[str, Any]:
    """The line `newsmon eval` reads: the item, its gold signals, topics and conflict, then date and url."""
    record: dict[str, Any] = {
        "id": item.id,
        "source": item.source,
        "register": item.register,
        "title": item.title,
        "text": item.text,
        "signals": list(label.signals),
        "topics": list(label.topics),
        "conflict": label.conflict,
    }
    if item.date:
        record["date"] = item.date
    if item.url:
        record["url"] = item.url
    return record


def split_sample(drawn: list[Item], labels: dict[str, Label]) -> dict[Split, list[dict[str, Any]]]:
    """Labelled records of the dev and unseen halves, each in draw order."""
    check_labels_cover(drawn, labels)
    halves: dict[Split, list[dict[str, Any]]] = {"dev": [], "unseen": []}
    for item in drawn:
        halves[split_of(item.id)].append(labelled_record(item, labels[item.id]))
    return halves
