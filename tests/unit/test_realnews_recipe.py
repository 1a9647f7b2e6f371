"""The real-news corpus recipe (bench/realnews): the pure steps that decide which text is kept and labelled.

Every fixture here is invented for the test; no published text.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bench.realnews.corpus import Item, cap_cells, cells_of, dedupe, make_item
from bench.realnews.labels import (
    HEADER,
    LABELS_FILE,
    SUPPLEMENT_LABELS_FILE,
    Label,
    LabelsError,
    format_labels,
    load_labels,
    parse_labels,
)
from bench.realnews.registers import conflict_or, subreddit_register
from bench.realnews.sample import (
    QUOTA,
    SUPPLEMENT_QUOTA,
    SampleError,
    check_labels_cover,
    draw,
    draw_supplement,
    split_of,
    split_sample,
)
from bench.realnews.snapshots import Pin, Snapshot, SnapshotError
from bench.realnews.sources import (
    first_of_each,
    parse_cnn_live,
    parse_gnews_snapshot,
    parse_headline_list,
    unescape_ag,
)
from bench.realnews.stories import HEADER as STORY_HEADER
from bench.realnews.stories import (
    Sighting,
    StoriesError,
    StoryLabel,
    Window,
    first_sightings,
    format_story_labels,
    in_window,
    load_story_labels,
    parse_story_labels,
    snapshot_time,
    split_by_story,
    story_records,
)
from bench.realnews.text import TEXT_CAP, cap_text, cut_at_sentence, strip_publisher

ID_PREFIXES = {
    "ag_news_test": "ag-",
    "bbc_news_2005": "bbc-",
    "fwd_news_reddit_2022": "fwd-",
    "gnews_gaza_2023_24": "gz-",
    "gnews_bbc_gaza_2024": "gz-",
    "wsj_middleeast_2023_24": "gz-",
    "cnn_live_israel_hamas_2024": "cnn-",
    "newsapi_crime_feed": "crm-",
    "google_news_us_top": "gn-",
}


def sentences(count: int, words: int = 9) -> str:
    """`count` invented sentences of `words` words each (about 50 characters a sentence)."""
    return " ".join(" ".join(f"w{n}x{i}" for i in range(words)) + "." for n in range(count))


def item(item_id: str, title: str = "", text: str = "", family: str = "fam", register: str = "world") -> Item:
    return make_item(item_id, f"{family}:sub", register, title or f"Invented headline number {item_id}", text)


# ------------------------------------------------------------------ labels
def test_the_committed_labels_parse_and_name_640_distinct_items() -> None:
    labels = load_labels()
    assert len(labels) == 640
    assert LABELS_FILE.read_text("utf-8").count("\n") == 641


def test_the_committed_labels_hold_each_source_familys_quota() -> None:
    """Each id belongs to the family the sample drew it from, in the quota's numbers."""
    expected = Counter[str]()
    for (_, family), count in QUOTA.items():
        expected[ID_PREFIXES[family]] += count
    labelled = Counter(item_id.split("-")[0] + "-" for item_id in load_labels())
    assert labelled == expected


def test_the_committed_labels_split_337_dev_and_303_unseen() -> None:
    assert Counter(split_of(item_id) for item_id in load_labels()) == {"dev": 337, "unseen": 303}


def test_a_label_file_round_trips_in_canonical_order() -> None:
    labels = {
        "gz-2": Label(("military_strike", "casualties"), ("israel_gaza",), True),
        "ag-1": Label((), (), False),
    }
    text = format_labels(labels)
    assert text.splitlines() == [
        HEADER,
        "ag-1\t\t\tfalse",
        "gz-2\tmilitary_strike,casualties\tisrael_gaza\ttrue",
    ]
    assert parse_labels(text) == labels


def test_signals_are_listed_in_canonical_order_whatever_the_file_order() -> None:
    labels = parse_labels(f"{HEADER}\nx\tnuclear,escalation_warning\t\ttrue\n")
    assert labels["x"].signals == ("escalation_warning", "nuclear")


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["a\t\t\tfalse", "a\tcasualties\t\tfalse"], "labels.tsv:3: a is labelled twice"),
        (["a\tairstrike\t\tfalse"], "labels.tsv:2: unknown label airstrike"),
        (["a\t\tgaza\tfalse"], "labels.tsv:2: unknown label gaza"),
        (["a\t\t\tyes"], "labels.tsv:2: needs an id and conflict `true` or `false`"),
        (["a\t\tfalse"], "labels.tsv:2: expected 4 tab-separated fields"),
    ],
)
def test_a_malformed_label_row_is_refused_with_its_line(rows: list[str], message: str) -> None:
    with pytest.raises(LabelsError, match=re.escape(message)):
        parse_labels("\n".join([HEADER, *rows]) + "\n")


def test_a_label_file_without_its_header_is_refused() -> None:
    with pytest.raises(LabelsError, match=re.escape("labels.tsv:1: the first line must be the header")):
        parse_labels("a\t\t\tfalse\n")


# ------------------------------------------------------------------ the split and the draw
@pytest.mark.parametrize(
    ("item_id", "half"),
    [("ag-00001", "dev"), ("bbc-tech-001", "dev"), ("crm-1", "dev"), ("fwd-abc", "unseen"), ("x", "unseen")],
)
def test_the_half_is_fixed_by_the_first_byte_of_the_ids_sha256(item_id: str, half: str) -> None:
    """sha256('ag-00001') starts 0x36 (even: dev); sha256('fwd-abc') starts 0x03 (odd: unseen)."""
    assert split_of(item_id) == half


def test_the_sample_is_split_in_draw_order_with_gold_labels() -> None:
    drawn = [item("x", text="t1"), item("ag-00001"), item("fwd-abc"), item("crm-1")]
    labels = {i.id: Label((), (), False) for i in drawn}
    labels["x"] = Label(("casualties",), ("russia_ukraine",), True)
    halves = split_sample(drawn, labels)
    assert [record["id"] for record in halves["dev"]] == ["ag-00001", "crm-1"]
    assert [record["id"] for record in halves["unseen"]] == ["x", "fwd-abc"]
    first = halves["unseen"][0]
    assert (first["signals"], first["topics"], first["conflict"], first["text"]) == (
        ["casualties"],
        ["russia_ukraine"],
        True,
        "t1",
    )


def test_a_drawn_item_without_a_label_or_a_label_without_an_item_is_refused() -> None:
    drawn = [item("a"), item("b")]
    with pytest.raises(
        SampleError, match=r"1 drawn items have no label \(e.g. b\), 1 labels name no drawn item"
    ):
        check_labels_cover(drawn, {"a": Label((), (), False), "c": Label((), (), False)})


def test_the_draw_is_seeded_follows_the_quota_and_cuts_each_text() -> None:
    items = [item(f"i{n:03d}", text=sentences(30) if n % 2 else "", register="world") for n in range(50)]
    quota = {("world", "fam"): 12}
    drawn = draw(items, quota, seed=7)
    assert drawn == draw(list(reversed(items)), quota, seed=7)
    assert len({i.id for i in drawn}) == 12
    assert all(len(i.text) <= 900 for i in drawn)
    assert draw(items, quota, seed=8) != drawn


def test_the_supplement_never_draws_an_item_of_the_first_sample() -> None:
    items = [item(f"i{n}", register="conflict") for n in range(6)]
    drawn = draw_supplement(items, ["i0", "i2", "i4"], {("conflict", "fam"): 3}, seed=1)
    assert sorted(i.id for i in drawn) == ["i1", "i3", "i5"]


def test_the_supplement_quota_is_400_conflict_and_world_items_half_of_them_ledes() -> None:
    assert sum(SUPPLEMENT_QUOTA.values()) == 400
    assert {register for register, _ in SUPPLEMENT_QUOTA} == {"conflict", "world"}
    with_ledes = sum(count for (_, family), count in SUPPLEMENT_QUOTA.items() if family == "ag_news_test")
    assert with_ledes > 200


def test_the_committed_supplement_labels_hold_its_quota_and_no_first_sample_item() -> None:
    labels = load_labels(SUPPLEMENT_LABELS_FILE)
    expected = Counter[str]()
    for (_, family), count in SUPPLEMENT_QUOTA.items():
        expected[ID_PREFIXES[family]] += count
    assert Counter(item_id.split("-")[0] + "-" for item_id in labels) == expected
    assert not labels.keys() & load_labels().keys()


def test_a_cell_smaller_than_its_quota_is_refused() -> None:
    with pytest.raises(SampleError, match="register world of fam has 2 items, the quota is 3"):
        draw([item("a"), item("b")], {("world", "fam"): 3})


# ------------------------------------------------------------------ cutting text
def test_a_text_of_up_to_850_characters_is_labelled_whole() -> None:
    text = "y" * 850
    assert cut_at_sentence(text) == text


def test_a_long_text_is_cut_at_the_last_sentence_end_before_900_characters() -> None:
    text = sentences(40)
    cut = cut_at_sentence(text)
    assert cut.endswith(".")
    assert 550 <= len(cut) <= 900
    assert text.startswith(cut)
    assert text[len(cut) :].startswith(" ")
    assert len(text[len(cut) :].split(".")[0]) + len(cut) > 900


def test_a_closing_quote_stays_with_its_sentence() -> None:
    text = "a" * 700 + ' said "no more."' + " tail" * 100
    assert cut_at_sentence(text).endswith('no more."')


def test_a_text_without_a_sentence_end_is_cut_between_words_before_800() -> None:
    text = " ".join(["word"] * 300)
    cut = cut_at_sentence(text)
    assert len(cut) <= 800
    assert cut.endswith("word")
    assert text.startswith(cut + " ")


def test_corpus_text_is_capped_at_a_late_full_stop() -> None:
    text = sentences(80)
    capped = cap_text(text)
    assert len(capped) <= TEXT_CAP
    assert capped.endswith(".")
    assert len(capped) > TEXT_CAP * 0.6


def test_corpus_text_without_a_late_full_stop_is_capped_hard() -> None:
    assert cap_text("z" * 5000) == "z" * TEXT_CAP


# ------------------------------------------------------------------ dedup and the balance cap
def test_dedupe_keeps_the_first_of_each_id_and_of_each_normalised_text() -> None:
    first = item("a", "Port Reopens After Storm!", "Ships queue at dawn.")
    same_id = item("a", "A different invented headline")
    same_text = item("b", "port reopens -- after storm", "ships queue, at dawn")
    other = item("c", "Port reopens after storm", "Ships leave at noon.")
    assert dedupe([first, same_id, same_text, other]) == [first, other]


def test_dedupe_drops_items_that_say_too_little() -> None:
    assert dedupe([item("a", "Short one", "")]) == []
    assert len(dedupe([item("a", "Long enough one", "")])) == 1


def test_the_balance_cap_is_seeded_and_keeps_cells_under_it_whole() -> None:
    big = [item(f"b{n:03d}", register="world") for n in range(40)]
    small = [item(f"s{n}", register="sport") for n in range(3)]
    capped = cap_cells(cells_of(big + small), cap=10, seed=1)
    assert capped[("fam", "sport")] == small
    kept = capped[("fam", "world")]
    assert len(kept) == 10
    assert kept == sorted(kept, key=lambda i: i.id)
    assert cap_cells(cells_of(big + small), cap=10, seed=1) == capped
    assert cap_cells(cells_of(big + small), cap=10, seed=2) != capped


# ------------------------------------------------------------------ registers and source parsing
def test_a_world_headline_about_war_is_filed_under_conflict() -> None:
    assert conflict_or("world", "Invented town shelled overnight") == "conflict"
    assert conflict_or("world", "Invented festival opens") == "world"


def test_a_national_reddit_headline_about_a_shooting_is_local_crime() -> None:
    assert subreddit_register("news", "Police arrest invented suspect") == "local_crime"
    assert subreddit_register("news", "Invented bridge opens") == "national"
    assert subreddit_register("politics", "Invented senator speaks") == "politics"
    assert subreddit_register("unknownsub", "Invented parade") == "national"


def test_ag_escape_residue_is_cleaned() -> None:
    raw = "It#39;s a \\test\\ &lt;b&gt;bold&lt;/b&gt; quot;quotedquot; fish amp; chips"
    assert unescape_ag(raw) == 'It\'s a test bold "quoted" fish & chips'


def test_a_publisher_suffix_is_stripped_from_a_headline() -> None:
    assert strip_publisher("Invented event - Example Times", "Example Times") == "Invented event"
    assert strip_publisher("Invented event - Example Times") == "Invented event"
    assert strip_publisher("Self-driving invented car") == "Self-driving invented car"


def test_headline_lists_take_dated_rows_and_strip_the_publisher() -> None:
    text = "date\tsource\ttitle\turl\n2024-01-02\tExample Post\tInvented raid - Example Post\thttp://e.x/1\n"
    (only,) = parse_headline_list(text, "gnews_gaza_2023_24")
    assert (only.title, only.source, only.register, only.date) == (
        "Invented raid",
        "gnews_gaza_2023_24:Example Post",
        "world",
        "2024-01-02",
    )
    assert only.id.startswith("gz-")


def test_live_blog_posts_skip_the_first_post_and_wrap_ups() -> None:
    text = (
        "01-05-24\thttp://e.x/live\n"
        "\t1. Our live coverage has moved\n"
        "\t2. Invented rocket fire reported\n"
        "\t3. Catch up on the day\n"
        "\t4. Invented talks resume\n"
    )
    posts = parse_cnn_live(text)
    assert [(p.title, p.register, p.date, p.url) for p in posts] == [
        ("Invented rocket fire reported", "conflict", "2024-01-05", "http://e.x/live"),
        ("Invented talks resume", "world", "2024-01-05", "http://e.x/live"),
    ]


def test_an_hourly_headline_is_kept_once_across_snapshots() -> None:
    one, two = item("gn-1"), item("gn-2")
    assert first_of_each([("k", one), ("j", two), ("k", item("gn-3"))]) == [one, two]


# ------------------------------------------------------------------ snapshots (a real git repository)
def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True)
    return done.stdout.strip()


@pytest.fixture
def clone(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "owner+name"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "a.txt").write_text("invented\n")
    git(repo, "add", "a.txt")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "one")
    return tmp_path, git(repo, "rev-parse", "HEAD")


def test_a_file_is_read_at_the_pinned_commit(clone: tuple[Path, str]) -> None:
    root, commit = clone
    assert Snapshot.locate(Pin("owner/name", commit), root).read("a.txt") == b"invented\n"


def test_a_missing_snapshot_names_the_repository_and_how_to_clone_it(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError) as raised:
        Snapshot.locate(Pin("owner/gone", "c0ffee"), tmp_path)
    assert "no snapshot of owner/gone" in str(raised.value)
    assert f"git clone https://github.com/owner/gone.git {tmp_path}/owner+gone" in str(raised.value)
    assert "checkout --quiet c0ffee" in str(raised.value)


def test_a_snapshot_without_the_pinned_commit_says_so(clone: tuple[Path, str]) -> None:
    root, _ = clone
    with pytest.raises(SnapshotError, match="holds owner/name but not its pinned commit " + "1" * 40):
        Snapshot.locate(Pin("owner/name", "1" * 40), root)


def test_a_missing_file_names_repository_commit_and_path(clone: tuple[Path, str]) -> None:
    root, commit = clone
    snapshot = Snapshot.locate(Pin("owner/name", commit), root)
    with pytest.raises(SnapshotError, match=re.escape(f"owner/name at {commit} has no readable file b.txt")):
        snapshot.read("b.txt")
    with pytest.raises(SnapshotError, match=re.escape("has no readable file b.txt")):
        list(snapshot.read_many(["a.txt", "b.txt"]))


# ------------------------------------------------------------------ stories on real headlines
def hourly(path: str, *headlines: str) -> tuple[str, str]:
    """An invented hourly archive file: a heading, then one `- headline` line each."""
    return path, "# Top News Headlines\n\n_Updated: x_\n\n" + "\n".join(f"- {h}" for h in headlines)


def story_table(*rows: str) -> str:
    return "\n".join([STORY_HEADER, *rows]) + "\n"


def test_an_archive_file_is_named_in_utc_plus_two() -> None:
    assert snapshot_time("news/2026/03/01/00-55.md") == datetime(2026, 2, 28, 22, 55, tzinfo=UTC)


def test_a_headline_is_an_item_once_at_its_first_snapshot_with_the_corpus_id() -> None:
    later = hourly(
        "news/2026/03/01/09-00.md", "Invented ships collide at dawn - Wire One", "Invented new one"
    )
    earlier = hourly("news/2026/03/01/08-00.md", "Invented ships collide at dawn - Wire Two")
    sightings = first_sightings([later, earlier])
    assert [(s.title, s.publisher, s.seen_at.hour) for s in sightings] == [
        ("Invented ships collide at dawn", "Wire Two", 6),
        ("Invented new one", "", 7),
    ]
    corpus = first_of_each(parse_gnews_snapshot(*earlier) + parse_gnews_snapshot(*later))
    assert [s.id for s in sightings] == [i.id for i in corpus]


def test_the_window_keeps_headlines_first_seen_inside_it_only() -> None:
    files = [
        hourly("news/2026/02/28/01-30.md", "Invented old story stays listed"),
        hourly("news/2026/02/28/02-30.md", "Invented old story stays listed", "Invented first inside"),
        hourly("news/2026/02/28/03-30.md", "Invented at the end"),
    ]
    window = Window(datetime(2026, 2, 28, tzinfo=UTC), datetime(2026, 2, 28, 1, 30, tzinfo=UTC))
    assert [s.title for s in in_window(first_sightings(files), window)] == ["Invented first inside"]


def test_story_labels_round_trip_sorted_by_id() -> None:
    labels = {
        "gn-b": StoryLabel("s1", "gn-a"),
        "gn-a": StoryLabel("s1", None),
        "gn-c": StoryLabel("s2", None),
    }
    text = format_story_labels(labels)
    assert text == story_table("gn-a\ts1\t", "gn-b\ts1\tgn-a", "gn-c\ts2\t")
    assert parse_story_labels(text) == labels


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["a\ts1\t", "a\ts2\t"], "stories.tsv:3: a is labelled twice"),
        (["a\ts1"], "stories.tsv:2: expected 3 tab-separated fields"),
        (["a\t\t"], "stories.tsv:2: needs an item id and a story id"),
        (["a\ts1\ta"], "stories.tsv:2: a is marked a copy of itself"),
        (["a\ts1\tz"], "a is a copy of z, which has no label"),
        (["a\ts1\t", "b\ts2\ta"], "b and its original a are in different stories"),
        (["a\ts1\t", "b\ts1\ta", "c\ts1\tb"], "c names b, itself a copy; name the original"),
    ],
)
def test_a_malformed_story_row_or_copy_is_refused(rows: list[str], message: str) -> None:
    with pytest.raises(StoriesError, match=re.escape(message)):
        parse_story_labels(story_table(*rows))


def test_a_story_label_file_without_its_header_is_refused() -> None:
    with pytest.raises(StoriesError, match=re.escape("stories.tsv:1: the first line must be the header")):
        parse_story_labels("a\ts1\t\n")


def test_every_item_of_a_story_falls_in_the_half_of_its_story_id() -> None:
    """sha256('ag-00001') starts with an even byte, sha256('fwd-abc') with an odd one."""
    moment = datetime(2026, 3, 1, tzinfo=UTC)
    items = [Sighting(f"gn-{n}", "", f"Invented {n}", moment) for n in range(4)]
    stories = ["fwd-abc", "ag-00001", "fwd-abc", "ag-00001"]
    labels = {i.id: StoryLabel(story, None) for i, story in zip(items, stories, strict=True)}
    halves = split_by_story(story_records(items, labels))
    assert [r["id"] for r in halves["dev"]] == ["gn-1", "gn-3"]
    assert [r["id"] for r in halves["unseen"]] == ["gn-0", "gn-2"]
    assert halves["dev"][0]["published_at"] == "2026-03-01T00:00:00Z"


def test_window_items_and_story_labels_must_match() -> None:
    items = [Sighting("gn-a", "", "Invented", datetime(2026, 3, 1, tzinfo=UTC))]
    with pytest.raises(StoriesError, match=r"1 items have no label \(e.g. gn-a\), 1 labels name no item"):
        story_records(items, {"gn-b": StoryLabel("s", None)})


def test_the_committed_story_labels_name_490_items_of_the_archive() -> None:
    labels = load_story_labels()
    assert len(labels) == 490
    assert all(item_id.startswith("gn-") for item_id in labels)
