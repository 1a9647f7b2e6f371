"""One reader per repository of the non-English corpora: the pinned commit, the files, and how items are made.

Each reader maps the data set's own label to a register (see README "Non-English corpora" for why each
mapping), keeps the published words (only whitespace normalised), and gives a native id that survives
rebuilds. Parsers take text or bytes; the thin `read_*` functions fetch the pinned files from a Snapshot.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from bench.realnews.languages import LangItem, lang_item, norm_ws
from bench.realnews.snapshots import Pin, Snapshot

Log = Callable[[str], None]
Reader = Callable[[Snapshot, str, Log], list[LangItem]]
"""(snapshot, language, log) -> items in the order the build saw them (which decides duplicates)."""


def short_sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def file_stem(path: str, suffix: str) -> str:
    return path.rsplit("/", 1)[1][: -len(suffix)]


def allow_large_csv_fields() -> None:
    """Whole articles sit in one CSV field, beyond the csv module's 128 KiB default."""
    csv.field_size_limit(1 << 30)


# ------------------------------------------------------------------ de: 10kGNAD (derStandard.at), test split
DE_MAP = {
    "Web": "technology",
    "Panorama": "local",
    "International": "world",
    "Wirtschaft": "business",
    "Sport": "sport",
    "Inland": "politics",
    "Etat": "entertainment",
    "Wissenschaft": "science",
    "Kultur": "culture",
}


def parse_10kgnad(text: str) -> list[LangItem]:
    """Rows `label;'text'`; no headline in the data set, so the title is empty."""
    allow_large_csv_fields()
    items = []
    for number, row in enumerate(csv.reader(io.StringIO(text), delimiter=";", quotechar="'")):
        if len(row) != 2:
            continue
        label, body = row
        source = "tblock/10kGNAD (derStandard.at, test.csv)"
        items.append(lang_item(source, label, DE_MAP.get(label), "", body, f"test-{number:04d}"))
    return items


def read_10kgnad(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    return parse_10kgnad(snapshot.read("test.csv").decode("utf-8"))


# ------------------------------------------------------------------ ar: ANT corpus v1.1, v2.1 (<DOC> files)
AR_MAP = {
    "culture": "culture",
    "diverse": "local",
    "economy": "business",
    "internationalNews": "world",
    "localNews": "local",
    "politic": "politics",
    "society": "local",
    "sport": "sport",
    "technology": "technology",
    "middleEast": "world",
}
_ANT_TAGS = {
    tag: re.compile(f"<{tag}>(.*?)</{tag}>", re.S)
    for tag in ("DOCNO", "URL", "SRC", "CAT", "TITLE", "TIME", "ABSTRACT", "TEXT")
}
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1
    )
}


def parse_ant(data: bytes) -> dict[str, str]:
    """The TREC-like fields of one ANT file, HTML entities unescaped; absent fields are empty."""
    text = data.decode("utf-8", "replace")
    fields = {}
    for tag, pattern in _ANT_TAGS.items():
        found = pattern.search(text)
        fields[tag] = html.unescape(found.group(1)).strip() if found else ""
    return fields


def ant_date(stamp: str) -> str | None:
    """`2018-04-07...` or `7 Apr 2018` as an ISO date; None when neither."""
    iso = re.match(r"(\d{4}-\d{2}-\d{2})", stamp)
    if iso:
        return iso.group(1)
    spelled = re.search(r"(\d{1,2}) (\w{3}) (\d{4})", stamp)
    if spelled and spelled.group(2) in _MONTHS:
        return f"{spelled.group(3)}-{_MONTHS[spelled.group(2)]:02d}-{int(spelled.group(1)):02d}"
    return None


def ant_item(path: str, data: bytes, multisource: bool) -> LangItem:
    """v2.1 files sit under `<outlet>/<category>/`, v1.1 (JawharaFM only) under `<category>/`."""
    fields = parse_ant(data)
    category = fields["CAT"] or path.split("/")[-2]
    if multisource:
        source = f"antcorpus/antcorpus.multisource.data (ANT v2.1, {path.split('/')[0]})"
    else:
        source = "antcorpus/antcorpus.data (ANT v1.1, JawharaFM)"
    body = fields["TEXT"] or fields["ABSTRACT"]
    return lang_item(
        source,
        category,
        AR_MAP.get(category),
        fields["TITLE"],
        body,
        fields["DOCNO"] or path,
        ant_date(fields["TIME"]),
        fields["URL"] or None,
    )


def read_ant(multisource: bool) -> Reader:
    def read(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
        paths = [path for path in snapshot.list() if path.endswith(".txt")]
        log(f"  {len(paths)} article files")
        return [ant_item(path, data, multisource) for path, data in snapshot.read_many(paths)]

    return read


# ------------------------------------------------------------------ fa: Fars News JSON (course repository)
def word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


FA_PROVINCES = word_set(
    """tehran mazandaran isfahan gilan qom kordestan kerman hormozgan kohgiluyeh-boyerahmad khorasan-shomali
    razavi ilam azarbaijan-sharghi golestan khuzestan hamedan azarbaijan-gharbi zanjan markazi ardabil bushehr
    khorasan-jonubi kermanshah sistan-baluchestan fars alborz lorestan semnan yazd qazvin
    chaharmahal-bakhtiari"""
)
FA_MAP = {
    "province": "local",
    "regional-offices": "world",
    "social": "local",
    "sports": "sport",
    "economy": "business",
    "culture": "culture",
    "arts-media": "culture",
    "scientific-academic": "science",
    "politics": "politics",
    "foreign-policy": "politics",
    "viewpoint": "politics",
    "world": "world",
}
FA_OLD_TRUSTED = frozenset({"sports", "economy", "culture"})
"""Labels of old-id items (2003-2011) were checked by eye and found right only for these sections."""
FA_FILES = tuple(f"exploring-datasets/news/fars-news-{number}.json" for number in range(1, 6))


def fa_register(category: str, subcategory: str) -> str | None:
    if category in FA_PROVINCES:
        return "local"
    if category == "scientific-academic" and subcategory == "it":
        return "technology"
    if category == "social" and subcategory == "medicine-spirituality":
        return "health"
    if category == "culture" and subcategory == "resistance":
        return "politics"  # "culture of resistance" is war commemoration: kept apart
    return FA_MAP.get(category)


def parse_fars(text: str, file_number: int) -> list[LangItem]:
    """A JSON list of {cat, subcat, link, title, abstract, paragraphs}; mislabelled old-id items dropped."""
    items = []
    for index, entry in enumerate(json.loads(text)):
        category, subcategory, link = (
            entry.get("cat") or "",
            entry.get("subcat") or "",
            entry.get("link") or "",
        )
        if not re.search(r"/news/(13\d{12})", link) and category not in FA_OLD_TRUSTED:
            continue
        body = " ".join([entry.get("abstract") or "", *(entry.get("paragraphs") or [])])
        number = re.search(r"/news/(\d+)", link)
        items.append(
            lang_item(
                "language-ml/course-nlp-ir-1-text-exploring (farsnews.ir)",
                category + ("/" + subcategory if subcategory else ""),
                fa_register(category, subcategory),
                entry.get("title") or "",
                body,
                number.group(1) if number else f"{file_number}-{index}",
                None,
                link or None,
            )
        )
    return items


def read_fars(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    return [
        item
        for number, path in enumerate(FA_FILES, 1)
        for item in parse_fars(snapshot.read(path).decode("utf-8"), number)
    ]


# ------------------------------------------------------------------ fr: OrangeSum (actu.orange.fr)
FR_ORANGE_MAP = {
    "france": "local",
    "politique": "politics",
    "monde": "world",
    "societe/people": "entertainment",
    "societe/fait-divers": "local",
    "societe/culture": "culture",
    "societe/sante": "health",
    "societe/insolite": "entertainment",
    "societe/environnement": "science",
    "societe/high-tech": "technology",
    "societe/media": "entertainment",
    "auto": "technology",
}
ORANGE_SOURCE = "Tixierae/OrangeSum (actu.orange.fr)"
_OG_URL = re.compile(rb'content="(https?://actu\.orange\.fr/[^"]+)" property="og:url"')
_TITLE_TAG = re.compile(rb"<title>([^<]*)")
_AUTO_PAGE = re.compile(r"data/docs/\d+\.json$")


def orange_section(url: str) -> str | None:
    """The section of a canonical URL: its path without the slug, `societe/<sub>` kept two deep."""
    parts = url.split("actu.orange.fr/", 1)[1].split("/")[:-1]
    if not parts:
        return None
    if parts[0] == "societe" and len(parts) > 1:
        return "societe/" + parts[1]
    return parts[0]


def page_url_and_title(data: bytes) -> tuple[str | None, str]:
    """The raw page's og:url and <title>: the data set's parsed records carry no section."""
    url = _OG_URL.search(data)
    title = _TITLE_TAG.search(data)
    return (
        url.group(1).decode("utf-8") if url else None,
        html.unescape(title.group(1).decode("utf-8", "replace")).strip() if title else "",
    )


def same_title(parsed_title: str, page_title: str) -> bool:
    """Raw page and parsed record are paired by file number; a different title means the pair is wrong."""
    return norm_ws(parsed_title)[:40].lower() == norm_ws(page_title)[:40].lower()


def orange_item(key: str, data: bytes, url: str) -> LangItem | None:
    """A parsed record with its page's section; None for video pages."""
    record = json.loads(data.decode("utf-8"))
    section = orange_section(url)
    if section is None or section.endswith("videos") or "/videos" in url:
        return None
    body = (record.get("heading") or "") + " " + (record.get("article") or "")
    return lang_item(
        ORANGE_SOURCE,
        section,
        FR_ORANGE_MAP.get(section),
        record.get("title") or "",
        body,
        "doc-" + key,
        record.get("date"),
        url,
    )


def orange_pairs(snapshot: Snapshot, log: Log) -> list[str]:
    raw = {file_stem(p, ".txt") for p in snapshot.list("data/docs/raw") if p.endswith(".txt")}
    parsed = {file_stem(p, ".json") for p in snapshot.list("data/docs/parsed") if p.endswith(".json")}
    keys = sorted(raw & parsed, key=lambda key: (0, int(key), "") if key.isdigit() else (1, 0, key))
    log(f"  OrangeSum: {len(keys)} raw pages with a parsed twin")
    return keys


def read_orangesum(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    keys = orange_pairs(snapshot, log)
    pages = {}
    for path, data in snapshot.read_many(f"data/docs/raw/{key}.txt" for key in keys):
        if data:
            pages[file_stem(path, ".txt")] = page_url_and_title(data)
    items, mismatched = [], 0
    for path, data in snapshot.read_many(f"data/docs/parsed/{key}.json" for key in keys):
        key = file_stem(path, ".json")
        url, page_title = pages.get(key, (None, ""))
        if not data or not url:
            continue
        if not same_title(json.loads(data.decode("utf-8")).get("title") or "", page_title):
            mismatched += 1
            continue
        found = orange_item(key, data, url)
        if found:
            items.append(found)
    items += orange_auto_pages(snapshot)
    log(f"  OrangeSum: {len(items)} items, {mismatched} dropped on raw/parsed title mismatch")
    return items


def orange_auto_pages(snapshot: Snapshot) -> list[LangItem]:
    """The few car pages kept at data/docs/N.json carry their own `cat`."""
    items = []
    for path in snapshot.list("data/docs"):
        if not _AUTO_PAGE.match(path):
            continue
        record = json.loads(snapshot.read(path).decode("utf-8"))
        category = record.get("cat")
        if category:
            body = (record.get("heading") or "") + " " + (record.get("article") or "")
            items.append(
                lang_item(
                    ORANGE_SOURCE,
                    category,
                    FR_ORANGE_MAP.get(category),
                    record.get("title") or "",
                    body,
                    "auto-" + file_stem(path, ".json"),
                    record.get("date"),
                    None,
                )
            )
    return items


# ------------------------------------------------------------------ fr: MasakhaNEWS French (BBC Afrique)
FR_MASAKHANE_MAP: dict[str, str | None] = {
    "business": "business",
    "health": "health",
    "politics": "politics",
    "sports": "sport",
    "technology": "technology",
    "entertainment": "entertainment",
    "religion": None,
}
MASAKHANE_FILES = (
    "data/fra/dev.tsv",
    "data/fra/test.tsv",
    *(f"few_shot_data/{count}_samples/fra/train.tsv" for count in (5, 10, 20, 50)),
)


def parse_masakhane(text: str, path: str) -> list[LangItem]:
    """Rows with category, headline, text, url; the id is the BBC article number in the url."""
    items = []
    for index, row in enumerate(csv.DictReader(io.StringIO(text), delimiter="\t")):
        category = row.get("category") or ""
        url = row.get("url") or ""
        number = re.search(r"(\d{6,})", url)
        items.append(
            lang_item(
                "masakhane-io/masakhane-news (MasakhaNEWS fra, BBC Afrique)",
                category,
                FR_MASAKHANE_MAP.get(category),
                row.get("headline") or "",
                row.get("text") or "",
                number.group(1) if number else f"{path}-{index}",
                None,
                url or None,
            )
        )
    return items


def read_masakhane(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    return [
        item
        for path in MASAKHANE_FILES
        for item in parse_masakhane(snapshot.read(path).decode("utf-8"), path)
    ]


# ------------------------------------------------------------------ es: Spanish Fake News Corpus, true items
_XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ES_MAP = {
    "science": "science",
    "ciencia": "science",
    "sport": "sport",
    "deporte": "sport",
    "economy": "business",
    "education": "local",
    "entertainment": "entertainment",
    "politics": "politics",
    "política": "politics",
    "health": "health",
    "covid-19": "health",
    "society": "local",
    "sociedad": "local",
    "security": "politics",
    "internacional": "world",
    "ambiental": "science",
}
ES_FILES = (("train.xlsx", "True"), ("development.xlsx", "True"), ("test.xlsx", "1"))
"""Each file with the value its category column gives true (published) news."""
MASKED = "*NUMBER*"


def shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ET.fromstring(book.read("xl/sharedStrings.xml"))
    return ["".join(t.text or "" for t in si.iter(_XLSX + "t")) for si in root.iter(_XLSX + "si")]


def cell_value(cell: ET.Element, strings: list[str]) -> str:
    value = cell.find(_XLSX + "v")
    kind = cell.get("t")
    if kind == "s" and value is not None:
        return strings[int(value.text or "")]
    if kind == "inlineStr":
        return "".join(t.text or "" for t in cell.iter(_XLSX + "t"))
    return (value.text or "") if value is not None else ""


def read_xlsx(data: bytes) -> list[dict[str, str]]:
    """The first sheet's rows as dicts keyed by the lower-cased header (no spreadsheet library needed)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    strings = shared_strings(book)
    rows: list[dict[str, str]] = []
    for row in ET.fromstring(book.read("xl/worksheets/sheet1.xml")).iter(_XLSX + "row"):
        cells: dict[str, str] = {}
        for cell in row.findall(_XLSX + "c"):
            column = re.match(r"[A-Z]+", cell.get("r") or "")
            cells[column.group() if column else ""] = cell_value(cell, strings)
        rows.append(cells)
    head = rows[0]
    return [
        {head[col].strip().lower(): value for col, value in row.items() if col in head} for row in rows[1:]
    ]


def fakenews_items(
    rows: Iterable[dict[str, str]], file_name: str, true_label: str
) -> tuple[list[LangItem], int]:
    """True items only; v1.0 replaced digits by *NUMBER*, which is not the published text: those are dropped
    (and counted). v1.0 texts repeat the headline as their first line: it is cut from the body."""
    items, masked = [], 0
    for row in rows:
        if (row.get("category") or "").strip() != true_label:
            continue
        text, title = row.get("text") or "", row.get("headline") or ""
        if MASKED in text or MASKED in title:
            masked += 1
            continue
        topic = (row.get("topic") or row.get("topics") or "").strip()
        body = text
        if title and norm_ws(body).startswith(norm_ws(title)):
            body = norm_ws(body)[len(norm_ws(title)) :]
        items.append(
            lang_item(
                f"jpposadas/FakeNewsCorpusSpanish ({file_name}, {row.get('source') or '?'})",
                topic,
                ES_MAP.get(topic.lower()),
                title,
                body,
                f"{file_name.split('.')[0]}-{row.get('id')}",
                None,
                row.get("link") or None,
            )
        )
    return items, masked


def read_fakenews(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    items, masked = [], 0
    for file_name, true_label in ES_FILES:
        found, dropped = fakenews_items(read_xlsx(snapshot.read(file_name)), file_name, true_label)
        items += found
        masked += dropped
    log(
        f"  FakeNewsCorpusSpanish: {len(items)} true items kept, "
        f"{masked} true items with *NUMBER* masking dropped"
    )
    return items


# ------------------------------------------------------------------ ru: lenta.ru rubrics and Telegram contest
RU_LENTA_NAMES = {
    "0": "Society/Russia",
    "1": "Economy",
    "2": "Security structures",
    "3": "Former USSR",
    "4": "Sports",
    "5": "Self-Care",
    "6": "Construction",
    "7": "Tourism/Travel",
    "8": "Science and Technology",
}
RU_LENTA_MAP: dict[str, str | None] = {
    "0": "politics",
    "1": "business",
    "2": "politics",
    "3": "world",
    "4": "sport",
    "5": "health",
    "6": "local",
    "7": "entertainment",
    "8": None,  # "Science and Technology" includes lenta's weapons sub-rubric: left out
}


def parse_lenta(text: str) -> list[LangItem]:
    """Rows topic, content; `index` restarts in every topic, so the row number makes the id."""
    allow_large_csv_fields()
    items = []
    for number, row in enumerate(csv.DictReader(io.StringIO(text))):
        topic = row["topic"].strip()
        items.append(
            lang_item(
                "AsryanArmen/News (lenta.ru rubric pages)",
                f"{topic}:{RU_LENTA_NAMES.get(topic, '?')}",
                RU_LENTA_MAP.get(topic),
                "",
                row["content"],
                f"row{number:04d}",
            )
        )
    return items


def read_lenta(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    return parse_lenta(snapshot.read("train_news.csv").decode("utf-8"))


RU_TG_MAP: dict[str, str | None] = {
    "economy": "business",
    "sports": "sport",
    "technology": "technology",
    "science": "science",
    "entertainment": "entertainment",
    "society": "politics",
    "other": None,
    "not_news": None,
}
TG_FILES = tuple(
    f"toloka/categories/{name}.tsv" for name in ("ru_cat_honey", "ru_cat_exam", "ru_cat_training")
)


def parse_tgcontest(text: str) -> list[LangItem]:
    """Toloka golden rows: the crowd's category, title, text, url; the id hashes the url."""
    items = []
    for row in csv.DictReader(io.StringIO(text), delimiter="\t"):
        category = row.get("GOLDEN:res") or ""
        url = row.get("INPUT:url") or ""
        items.append(
            lang_item(
                "IlyaGusev/tgcontest (Telegram contest, Toloka golden labels)",
                category,
                RU_TG_MAP.get(category),
                row.get("INPUT:title") or "",
                row.get("INPUT:text") or "",
                short_sha1(url),
                None,
                url or None,
            )
        )
    return items


def read_tgcontest(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    return [item for path in TG_FILES for item in parse_tgcontest(snapshot.read(path).decode("utf-8"))]


# ------------------------------------------------------------------ he: HeQ paragraphs from Geektime
HEQ_FILES = (
    "data/data v1.1/val v1.1.json",
    "data/data v1.1/test v1.1.json",
    "data/data v1.0/val.json",
    "data/data v1.0/test.json",
)


def parse_heq(text: str) -> list[LangItem]:
    """SQuAD-like JSON; Geektime articles only (a news site), one item per paragraph, id hashing it."""
    items = []
    for article in json.loads(text).get("data", []):
        if (article.get("source") or "") != "Geektime":
            continue
        for paragraph in article.get("paragraphs", []):
            context = paragraph.get("context") or ""
            items.append(
                lang_item(
                    "NNLP-IL/Hebrew-Question-Answering-Dataset (HeQ, Geektime paragraphs)",
                    "Geektime",
                    "technology",
                    article.get("title") or "",
                    context,
                    short_sha1(context),
                )
            )
    return items


def read_heq(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    return [item for path in HEQ_FILES for item in parse_heq(snapshot.read(path).decode("utf-8"))]


# ------------------------------------------------------------------ ru/uk: SlavicNER (BSNLP documents)
SLAVIC_MAP = {
    "covid-19": "health",
    "ryanair": "business",
    "nord_stream": "business",
    "brexit": "politics",
    "us_election_2020": "world",
    "asia_bibi": "world",
    "russia_-_ukraine_war": "world",
}


def slavic_item(path: str, data: bytes) -> LangItem | None:
    """`raw/<topic>/<lang>/<doc>.txt`: cookie banners and short leading menu lines are page chrome, dropped;
    the first line left is the headline. None when no headline and body remain."""
    lines = [line.strip() for line in data.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line and "cookie" not in line.lower()]
    while lines and ("cookie" in lines[0].lower() or len(lines[0]) < 20):
        lines.pop(0)
    if len(lines) < 2:
        return None
    topic = path.split("/")[1]
    return lang_item(
        "SlavicNLP/SlavicNER (BSNLP news documents, topic folder)",
        topic,
        SLAVIC_MAP.get(topic),
        lines[0],
        " ".join(lines[1:]),
        file_stem(path, ".txt"),
    )


def read_slavicner(snapshot: Snapshot, lang: str, log: Log) -> list[LangItem]:
    paths = [p for p in snapshot.list("raw") if p.split("/")[2:3] == [lang] and p.endswith(".txt")]
    found = (slavic_item(path, data) for path, data in snapshot.read_many(paths) if data)
    return [item for item in found if item]


# ------------------------------------------------------------------ the pinned repositories
@dataclass(frozen=True)
class LangSource:
    pin: Pin
    short: str
    """Middle part of every item id: `<lang>-<short>-<native id>`."""
    files: str
    licence: str
    read: Reader


LANG_SOURCES = (
    LangSource(
        Pin("tblock/10kGNAD", "da845fe4a16f02a8de10903ffbc636d1c8d21862"),
        "10kgnad",
        "test.csv",
        "data CC BY-NC-SA 4.0, code MIT",
        read_10kgnad,
    ),
    LangSource(
        Pin("antcorpus/antcorpus.data", "06f6a10e80c7a0e7aee0bba2f0a6372c35c45c83"),
        "ant11",
        "<category>/*.txt",
        "Apache-2.0 + citation licence",
        read_ant(multisource=False),
    ),
    LangSource(
        Pin("antcorpus/antcorpus.multisource.data", "f117ce44a9cfad0dcbd341b7d744e4c3cdb4fed8"),
        "ant21",
        "<outlet>/<category>/*.txt",
        "Apache-2.0 (README) + citation licence",
        read_ant(multisource=True),
    ),
    LangSource(
        Pin("language-ml/course-nlp-ir-1-text-exploring", "48c7d56a33a6f75709e90b001529bf7705420674"),
        "fars",
        "exploring-datasets/news/fars-news-{1..5}.json",
        "repository Apache-2.0; texts (c) Fars News",
        read_fars,
    ),
    LangSource(
        Pin("Tixierae/OrangeSum", "e6f8a6e3b71006ad62b450bedbb5e88e2236657b"),
        "orangesum",
        "data/docs/parsed/N.json + data/docs/raw/N.txt, data/docs/N.json",
        "CC BY-SA 4.0",
        read_orangesum,
    ),
    LangSource(
        Pin("masakhane-io/masakhane-news", "819be052e79e0a600e0ed4a7356594681cb5c4f3"),
        "masakhanews",
        "data/fra/{dev,test}.tsv, few_shot_data/{5,10,20,50}_samples/fra/train.tsv",
        "no licence file; texts (c) BBC",
        read_masakhane,
    ),
    LangSource(
        Pin("jpposadas/FakeNewsCorpusSpanish", "732f4870abd8d3f5ab4956fd92b040a7913614e3"),
        "fakedes",
        "train.xlsx, development.xlsx, test.xlsx",
        "CC BY 4.0",
        read_fakenews,
    ),
    LangSource(
        Pin("AsryanArmen/News", "d191dcbc622b651fee2608909da0a04ae87731d7"),
        "lenta",
        "train_news.csv",
        "none stated; texts (c) Lenta.ru, research use",
        read_lenta,
    ),
    LangSource(
        Pin("IlyaGusev/tgcontest", "8945b9f6d1527ca21920998e86a8ecc1ebfdf526"),
        "tgcontest",
        "toloka/categories/ru_cat_{honey,exam,training}.tsv",
        "Apache-2.0",
        read_tgcontest,
    ),
    LangSource(
        Pin("NNLP-IL/Hebrew-Question-Answering-Dataset", "f46d2ff1b796a95e897530f167ae0d5bed123fe1"),
        "heq",
        "data/data v1.1/{val,test} v1.1.json, data/data v1.0/{val,test}.json",
        "CC BY 4.0",
        read_heq,
    ),
    LangSource(
        Pin("SlavicNLP/SlavicNER", "2c72947c4d85df156537f1dc92bd80f4180f6c71"),
        "slavicner",
        "raw/<topic>/{ru,uk}/*.txt",
        "no licence file (shared-task research data)",
        read_slavicner,
    ),
)
BY_REPO = {source.pin.repo: source for source in LANG_SOURCES}

LANG_REPOS = {
    "de": ("tblock/10kGNAD",),
    "ar": ("antcorpus/antcorpus.data", "antcorpus/antcorpus.multisource.data"),
    "fa": ("language-ml/course-nlp-ir-1-text-exploring",),
    "fr": ("Tixierae/OrangeSum", "masakhane-io/masakhane-news"),
    "es": ("jpposadas/FakeNewsCorpusSpanish",),
    "ru": ("AsryanArmen/News", "IlyaGusev/tgcontest", "SlavicNLP/SlavicNER"),
    "he": ("NNLP-IL/Hebrew-Question-Answering-Dataset",),
    "uk": ("SlavicNLP/SlavicNER",),
}
"""Which repositories feed which language, in the order they are read (the first copy of a story wins)."""


def read_language(lang: str, snapshots: dict[str, Snapshot], log: Log) -> list[LangItem]:
    """Every item of a language's repositories, in reading order, with its id `<lang>-<short>-<native>`."""
    items: list[LangItem] = []
    for repo in LANG_REPOS[lang]:
        source = BY_REPO[repo]
        log(f"  reading {repo} @ {source.pin.commit[:12]}: {source.files}")
        found = source.read(snapshots[repo], lang, log)
        log(f"    {len(found)} records")
        items += [replace(item, id=f"{lang}-{source.short}-{item.native_id}") for item in found]
    return items
