"""One reader per source family: which repository, at which commit, which files, and how items are made.

Each reader is a pure parser (text in, items out) plus a thin function that fetches the pinned files from a
Snapshot. Ids are stable across rebuilds: a row number, a file name or a hash of what identifies the item.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bench.realnews.corpus import Item, make_item
from bench.realnews.registers import AG_CLASSES, BBC_FOLDERS, conflict_or, subreddit_register
from bench.realnews.snapshots import Pin, Snapshot
from bench.realnews.text import clean, match_key, strip_publisher

Log = Callable[[str], None]


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


# ------------------------------------------------------------------ AG News (test split, CSV)
def unescape_ag(text: str) -> str:
    """AG's CSV keeps escape residue: backslashes, `#39;`-style codes, `&lt;...&gt;` markup, bare `quot;`."""
    text = text.replace("\\", " ")
    text = re.sub(r" ?#(\d{2,4});", lambda code: chr(int(code.group(1))), text)
    text = re.sub(r"&lt;.*?&gt;", " ", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = text.replace("quot;", '"').replace("amp;", "&")
    return clean(text)


def parse_ag_csv(text: str) -> list[Item]:
    """Rows `class,title,description`; the id is the row number, so it survives any later filtering."""
    items = []
    for row_number, row in enumerate(csv.reader(io.StringIO(text))):
        if len(row) != 3:
            continue
        title, lede = unescape_ag(row[1]), unescape_ag(row[2])
        register = AG_CLASSES[row[0]]
        if register == "world":
            register = conflict_or(register, title, lede)
        items.append(make_item(f"ag-{row_number:05d}", "ag_news_test", register, title, lede))
    return items


def read_ag(snapshot: Snapshot, log: Log) -> list[Item]:
    return parse_ag_csv(snapshot.read("data/ag_news_csv/test.csv").decode("utf-8"))


# ------------------------------------------------------------------ BBC News 2004-05 (one file an article)
BBC_FILE = re.compile(r"bbc/\w+/\d+\.txt$")


def parse_bbc_article(path: str, data: bytes) -> Item:
    """`bbc/<folder>/NNN.txt`: the first line is the headline, the rest the body (Latin-1)."""
    _, folder, file_name = path.split("/")
    lines = data.decode("latin-1").splitlines()
    title = lines[0] if lines else ""
    body = "\n".join(line.strip() for line in lines[1:] if line.strip())
    return make_item(
        f"bbc-{folder}-{file_name[:-4]}", "bbc_news_2005", BBC_FOLDERS[folder], title, clean(body)
    )


def read_bbc(snapshot: Snapshot, log: Log) -> list[Item]:
    paths = [path for path in snapshot.list("bbc") if BBC_FILE.match(path)]
    log(f"  {len(paths)} article files")
    return [parse_bbc_article(path, data) for path, data in snapshot.read_many(paths)]


# ------------------------------------------------------------------ Reddit-aggregated headlines (fwd/news)
def fwd_date(timestamp: Any) -> str | None:
    if not timestamp:
        return None
    return datetime.fromtimestamp(int(timestamp), UTC).strftime("%Y-%m-%d")


def parse_fwd_json(text: str) -> list[Item]:
    """A JSON list of {title, link, category (the subreddit), timestamp}; the id hashes the link."""
    items = []
    for entry in json.loads(text):
        subreddit = entry.get("category", "")
        title = entry.get("title", "")
        link = entry.get("link", "")
        items.append(
            make_item(
                "fwd-" + short_hash(link),
                "fwd_news_reddit_2022:" + subreddit,
                subreddit_register(subreddit, title),
                title,
                "",
                fwd_date(entry.get("timestamp")),
                link,
            )
        )
    return items


def read_fwd(snapshot: Snapshot, log: Log) -> list[Item]:
    return parse_fwd_json(snapshot.read("headlines.json").decode("utf-8"))


# ------------------------------------------------------------------ Gaza headline lists and CNN live posts
HEADLINE_LISTS = (
    ("gaza-news.txt", "gnews_gaza_2023_24"),
    ("googlenews-bbc-gaza.txt", "gnews_bbc_gaza_2024"),
    ("wsj-news-middleeast.txt", "wsj_middleeast_2023_24"),
)
CNN_LIVE_FILE = "cnn-news-israel-hamas-war.txt"
_DATED = re.compile(r"\d{4}-\d\d-\d\d")
_CNN_PAGE = re.compile(r"(\d\d)-(\d\d)-(\d\d)\t(\S+)")
_CNN_POST = re.compile(r"\t(\d+)\. (.*)")
_CNN_BOILERPLATE = re.compile(r"(Our live coverage|What we covered|All$|Catch up)")


def parse_headline_list(text: str, family: str) -> list[Item]:
    """Lines `date<TAB>publisher<TAB>headline<TAB>url`; the id hashes family, url and headline."""
    items = []
    for line in text.splitlines():
        fields = line.split("\t")
        if len(fields) < 4 or not _DATED.match(fields[0]):
            continue
        date, publisher, url = fields[0], fields[1], fields[3]
        title = strip_publisher(fields[2], publisher)
        item_id = "gz-" + short_hash(family + url + title)
        items.append(
            make_item(item_id, f"{family}:{publisher}", conflict_or("world", title), title, "", date, url)
        )
    return items


def parse_cnn_live(text: str) -> list[Item]:
    """A page line `MM-DD-YY<TAB>url` then its posts `<TAB>N. headline`; post 1 and wrap-ups are skipped."""
    items = []
    date: str | None = None
    url: str | None = None
    for line in text.splitlines():
        page = _CNN_PAGE.match(line)
        if page:
            date = f"20{page.group(3)}-{page.group(1)}-{page.group(2)}"
            url = page.group(4)
            continue
        post = _CNN_POST.match(line)
        if not post or not date:
            continue
        title = post.group(2).strip()
        if int(post.group(1)) < 2 or _CNN_BOILERPLATE.match(title):
            continue
        item_id = "cnn-" + short_hash(date + title)
        register = conflict_or("world", title)
        items.append(make_item(item_id, "cnn_live_israel_hamas_2024", register, title, "", date, url))
    return items


def read_gaza(snapshot: Snapshot, log: Log) -> list[Item]:
    items = []
    for file_name, family in HEADLINE_LISTS:
        items.extend(parse_headline_list(snapshot.read(file_name).decode("utf-8"), family))
    items.extend(parse_cnn_live(snapshot.read(CNN_LIVE_FILE).decode("utf-8")))
    return items


# ------------------------------------------------------------------ NewsAPI crime ledes (SQLite)
MIN_LEDE_CHARS = 60


def crime_items(rows: Iterable[tuple[str, str | None, str | None, str | None]]) -> list[Item]:
    """Rows (incident_id, date, description, outlet): ledes, no headline; short or removed ones dropped."""
    items = []
    for incident_id, date, description, outlet in rows:
        lede = clean(description)
        if not lede or outlet == "[Removed]" or len(lede) < MIN_LEDE_CHARS:
            continue
        source = "newsapi_crime_feed:" + (outlet or "?")
        items.append(make_item("crm-" + incident_id[:12], source, "local_crime", "", lede, (date or "")[:10]))
    return items


def sqlite_rows(database: bytes) -> list[tuple[str, str | None, str | None, str | None]]:
    connection = sqlite3.connect(":memory:")
    try:
        connection.deserialize(database)
        query = "select incident_id, date, description, location from incidents order by id"
        return list(connection.execute(query).fetchall())
    finally:
        connection.close()


def read_crime(snapshot: Snapshot, log: Log) -> list[Item]:
    return crime_items(sqlite_rows(snapshot.read("crime_data.db")))


# ------------------------------------------------------------------ Google News US top stories, hourly
GNEWS_FILE = re.compile(r"news/\d{4}/\d\d/\d\d/\d\d-\d\d\.md$")
PROGRESS_EVERY = 2000


def parse_gnews_snapshot(path: str, text: str) -> list[tuple[str, Item]]:
    """(matching key, item) for each `- headline` line of `news/YYYY/MM/DD/HH-MM.md`."""
    date = "-".join(path.split("/")[1:4])
    found = []
    for line in text.splitlines():
        if not line.startswith("- "):
            continue
        title = strip_publisher(line[2:].strip())
        key = match_key(title)
        if key:
            item = make_item(
                "gn-" + short_hash(key), "google_news_us_top", conflict_or("national", title), title, "", date
            )
            found.append((key, item))
    return found


def first_of_each(keyed: Iterable[tuple[str, Item]]) -> list[Item]:
    """The first item of each key: a headline stays in the top stories for hours, it is kept once."""
    seen: set[str] = set()
    items = []
    for key, item in keyed:
        if key not in seen:
            seen.add(key)
            items.append(item)
    return items


def read_gnews(snapshot: Snapshot, log: Log) -> list[Item]:
    paths = [path for path in snapshot.list("news") if GNEWS_FILE.match(path)]
    log(f"  {len(paths)} hourly files")
    keyed: list[tuple[str, Item]] = []
    for done, (path, data) in enumerate(snapshot.read_many(paths), 1):
        keyed.extend(parse_gnews_snapshot(path, data.decode("utf-8", "replace")))
        if done % PROGRESS_EVERY == 0:
            log(f"  {done} of {len(paths)} files read")
    return first_of_each(keyed)


# ------------------------------------------------------------------ the pinned sources
@dataclass(frozen=True)
class Source:
    key: str
    """Short name, also the CLI's override option (--snapshot KEY=DIR)."""
    pin: Pin
    files: str
    read: Callable[[Snapshot, Log], list[Item]]


SOURCES = (
    Source(
        "ag",
        Pin("mhjabreel/CharCnn_Keras", "555590db4219b1243abb1918effd6a7425a2d75f"),
        "data/ag_news_csv/test.csv",
        read_ag,
    ),
    Source(
        "bbc",
        Pin("dejanbatanjac/bbc-article-classify-bert", "8265dc84e88b82b87ce7f5b2df5bbbb1159ae922"),
        "bbc/{business,entertainment,politics,sport,tech}/NNN.txt",
        read_bbc,
    ),
    Source(
        "fwd",
        Pin("fwd/news", "0aa530c49ad08ba989faeddaf9403ea4ce10041b"),
        "headlines.json",
        read_fwd,
    ),
    Source(
        "gaza",
        Pin("evgeny-kolonsky/gaza-news", "0b2cd91cf3c1506d162acd7ef6bbc67e02d33d50"),
        ", ".join([name for name, _ in HEADLINE_LISTS] + [CNN_LIVE_FILE]),
        read_gaza,
    ),
    Source(
        "crime",
        Pin("M-e-e-n-a/crime_data_analysis", "c5a99a78dcc873683a6ebfb04ea976b2e6fbf614"),
        "crime_data.db (table incidents)",
        read_crime,
    ),
    Source(
        "gnews",
        Pin("wklnd/news-archive", "698a4d023612558c049e5e6560638a766e97c26c"),
        "news/YYYY/MM/DD/HH-MM.md",
        read_gnews,
    ),
)
