"""The non-English corpora's recipe: language checks, deduplication, the seeded draw, readers and labels.

Every text here is written for the test; no published text is in the fixtures.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pytest

from bench.realnews.__main__ import REPO, main
from bench.realnews.lang_labels import (
    LANG_LABELS_FILE,
    LangLabel,
    LangLabelsError,
    format_lang_labels,
    judged_halves,
    load_lang_labels,
    parse_lang_labels,
)
from bench.realnews.lang_sources import (
    LANG_REPOS,
    LANG_SOURCES,
    ant_date,
    ant_item,
    fa_register,
    fakenews_items,
    orange_section,
    parse_10kgnad,
    same_title,
    slavic_item,
)
from bench.realnews.languages import (
    LangItem,
    cut_body,
    dedupe_key,
    draw_language,
    keep,
    lang_item,
    lang_ok,
    make_text,
    pick,
    script_of,
    waterfill,
)

ARABIC = "ذهب الولد إلى المدرسة في الصباح الباكر وعاد إلى البيت بعد الظهر مع أصدقائه الكثيرين"
PERSIAN_TYPED_ARABIC = "اين كتاب را او نيز خواند و گفت كه خوب است و شد آنچه بايد بود در آن روز سرد"
RUSSIAN = "Погода в городе была хорошей, и жители вышли гулять в парк у большой реки вечером"
UKRAINIAN = "Сьогодні у місті гарна погода, і мешканці гуляють у парку біля річки до вечора"
FRENCH = "Le match de la saison a été joué dans le stade de la ville et les supporters sont venus avec eux"
GERMAN = (
    "Das Spiel der Saison wurde im Stadion der Stadt gespielt und die Fans sind mit ihren Kindern gekommen"
)
HEBREW = "המשחק של העונה נערך באצטדיון של העיר והאוהדים הגיעו עם הילדים שלהם לראות את הקבוצה"


def item(
    native: str,
    register: str | None = "sport",
    body: str = "",
    title: str = "",
    category: str = "c",
    url: str | None = None,
) -> LangItem:
    made = lang_item(
        "src", category, register, title, body or f"{FRENCH} {FRENCH} {native}", native, None, url
    )
    return LangItem(**{**made.__dict__, "id": f"fr-x-{native}"})


# ------------------------------------------------------------------ scripts and language checks
def test_scripts_are_told_apart_by_code_point() -> None:
    assert [script_of(ch) for ch in "aпאب1é"] == ["latin", "cyrillic", "hebrew", "arabic", "other", "latin"]


@pytest.mark.parametrize(
    ("lang", "text", "verdict"),
    [
        ("ar", ARABIC, (True, "")),
        ("ar", ARABIC + " پیچ ژگک یی", (False, "persian-letters")),
        ("fa", ARABIC, (False, "not-persian")),
        ("fa", PERSIAN_TYPED_ARABIC, (True, "")),
        ("ar", ARABIC + " " + FRENCH, (False, "script(arabic)")),
    ],
)
def test_arabic_and_persian_are_told_apart_by_persian_letters_or_words(
    lang: str, text: str, verdict: tuple[bool, str]
) -> None:
    ok, why = lang_ok(lang, text)
    assert (ok, why.split("=")[0]) == verdict


@pytest.mark.parametrize(
    ("lang", "text", "kept", "reason"),
    [
        ("ru", RUSSIAN, True, ""),
        ("ru", UKRAINIAN, False, "ukrainian-letters"),
        ("uk", UKRAINIAN, True, ""),
        ("uk", RUSSIAN, False, "not-ukrainian"),
        ("uk", UKRAINIAN + " ёж", False, "not-ukrainian"),
    ],
)
def test_russian_has_no_ukrainian_letters_and_ukrainian_no_russian_ones(
    lang: str, text: str, kept: bool, reason: str
) -> None:
    ok, why = lang_ok(lang, text)
    assert (ok, why.split("=")[0]) == (kept, reason)


def test_a_latin_text_must_score_highest_on_its_own_function_words() -> None:
    assert lang_ok("fr", FRENCH) == (True, "")
    assert lang_ok("fr", GERMAN) == (False, "looks-de")
    assert lang_ok("de", GERMAN) == (True, "")


def test_hebrew_needs_sixty_percent_hebrew_letters_and_any_text_fifty_letters() -> None:
    assert lang_ok("he", HEBREW)[0]
    assert not lang_ok("he", HEBREW + " " + FRENCH + " " + FRENCH)[0]
    assert lang_ok("fr", "Le match") == (False, "too-short")


# ------------------------------------------------------------------ text
def test_a_body_is_cut_at_the_last_sentence_end_inside_the_window() -> None:
    body = "Une phrase courte. " * 100
    cut = cut_body(body, 100)
    assert cut == ("Une phrase courte. " * 5).rstrip()
    assert cut_body("Court.", 100) == "Court."


def test_a_closing_quote_stays_with_its_sentence() -> None:
    body = 'Il a dit "oui." ' * 10
    assert cut_body(body, 40) == 'Il a dit "oui." Il a dit "oui."'


def test_a_body_without_a_late_sentence_end_is_cut_between_words() -> None:
    cut = cut_body("Fin. " + "mot " * 100, 100)
    assert cut.endswith(" mot")
    assert 90 < len(cut) < 100


def test_the_text_is_the_title_then_the_cut_body() -> None:
    assert make_text("Titre", "Corps.") == "Titre\nCorps."
    assert make_text("", "Corps.") == "Corps."


# ------------------------------------------------------------------ checks and deduplication
def test_the_same_text_differently_spaced_or_cased_has_the_same_key() -> None:
    assert dedupe_key("Titre", "Le Corps, ici!") == dedupe_key("titre ", "le corps ici")
    assert dedupe_key("Titre", "Le corps") != dedupe_key("Titre", "Un corps")


def test_keep_drops_unmapped_short_and_repeated_items_and_counts_why() -> None:
    items = [
        item("a"),
        item("b", register=None),
        item("c", body="Trop court."),
        item("d", body=f"{FRENCH}  {FRENCH} A"),  # the text of a, spaced and cased otherwise
        item("e", url="https://x.example/article?ref=1"),
        item("f", url="https://x.example/article/"),  # same url as e once query and slash go
        item("g", body=GERMAN + " " + GERMAN),
    ]
    kept, drops = keep("fr", items)
    assert [it.id for it in kept] == ["fr-x-a", "fr-x-e"]
    assert drops == {
        "drop:unmapped-category": 1,
        "drop:short-body": 1,
        "drop:duplicate": 2,
        "drop:lang:looks-de": 1,
    }


def test_a_reused_native_id_gets_a_numbered_suffix() -> None:
    twice = [
        item("a"),
        item("a", body=f"autre {FRENCH} {FRENCH}"),
        item("a", body=f"encore {FRENCH} {FRENCH}"),
    ]
    kept, drops = keep("fr", twice)
    assert [it.id for it in kept] == ["fr-x-a", "fr-x-a-2", "fr-x-a-3"]
    assert drops == {"renamed:id-collision": 2}


# ------------------------------------------------------------------ the seeded draw
def test_water_filling_gives_a_small_registers_share_to_the_others() -> None:
    assert waterfill({"sport": 100, "health": 10, "local": 100}, 90) == {
        "sport": 40,
        "health": 10,
        "local": 40,
    }
    assert waterfill({"sport": 5, "health": 0}, 90) == {"sport": 5, "health": 0}
    assert sum(waterfill({"a": 50, "b": 50, "c": 50}, 100).values()) == 100


def test_pick_takes_in_turn_from_each_source_and_category() -> None:
    items = [item(f"{cat}{n}", category=cat) for cat in "xyz" for n in range(10)]
    picked = pick(items, 6, random.Random(1))
    assert sorted(it.category for it in picked) == ["x", "x", "y", "y", "z", "z"]
    assert picked == pick(list(reversed(items)), 6, random.Random(1))


def test_the_draw_caps_each_group_and_orders_by_register_then_id() -> None:
    items = [item(f"s{n:02d}", "sport") for n in range(30)] + [item(f"h{n:02d}", "health") for n in range(3)]
    items += [item(f"p{n:02d}", "politics") for n in range(30)]
    chosen = draw_language(items, "fr", 1, max_nonconflict=10, max_politics_world=4)
    registers = [it.register for it in chosen]
    assert registers == ["sport"] * 7 + ["health"] * 3 + ["politics"] * 4
    assert [it.id for it in chosen[:7]] == sorted(it.id for it in chosen[:7])
    assert chosen == draw_language(list(reversed(items)), "fr", 1, 10, 4)
    assert chosen != draw_language(items, "fr", 2, 10, 4)


# ------------------------------------------------------------------ readers (inputs written here)
def test_an_ant_file_gives_its_fields_and_the_outlet_of_its_folder() -> None:
    doc = "<DOC><DOCNO>AL-sport-1</DOCNO><TITLE>عنوان &amp; آخر</TITLE><TIME>7 Apr 2018</TIME>"
    doc += "<CAT>sport</CAT><TEXT> نص </TEXT></DOC>"
    found = ant_item("AlArabiya/sport/1.txt", doc.encode(), multisource=True)
    assert (found.native_id, found.title, found.body, found.date) == (
        "AL-sport-1",
        "عنوان & آخر",
        "نص",
        "2018-04-07",
    )
    assert (found.register, found.source.endswith("AlArabiya)")) == ("sport", True)
    assert ant_date("2016-04-09 10:00") == "2016-04-09"
    assert ant_date("sometime") is None


def test_10kgnad_rows_have_no_title_and_a_numbered_id() -> None:
    rows = parse_10kgnad("Sport;'Ein Text'\nKaputt\nInland;'Zwei; Texte'\n")
    assert [(r.native_id, r.register, r.body) for r in rows] == [
        ("test-0000", "sport", "Ein Text"),
        ("test-0002", "politics", "Zwei; Texte"),
    ]


def test_fars_provinces_are_local_and_resistance_culture_is_kept_apart() -> None:
    assert fa_register("qom", "") == "local"
    assert fa_register("culture", "resistance") == "politics"
    assert fa_register("scientific-academic", "it") == "technology"
    assert fa_register("farsplus-magazine", "") is None


def test_an_orange_section_is_the_url_path_without_the_slug() -> None:
    assert orange_section("https://actu.orange.fr/societe/sante/un-article.html") == "societe/sante"
    assert orange_section("https://actu.orange.fr/monde/un-article.html") == "monde"
    assert orange_section("https://actu.orange.fr/un-article.html") is None
    assert same_title("Un  Titre long", "un titre LONG")
    assert not same_title("Un titre", "Un autre")


def test_slavic_documents_lose_cookie_banners_and_short_menu_lines() -> None:
    page = "Menu\nWe use cookies here\nНовина дня про погоду в місті\nПерший рядок.\nДругий рядок.\n"
    found = slavic_item("raw/covid-19/uk/uk-10.txt", page.encode())
    assert found is not None
    assert (found.title, found.body, found.register, found.native_id) == (
        "Новина дня про погоду в місті",
        "Перший рядок. Другий рядок.",
        "health",
        "uk-10",
    )
    assert slavic_item("raw/brexit/uk/uk-1.txt", "Лише один довгий рядок заголовка".encode()) is None


def test_masked_spanish_items_are_dropped_and_a_repeated_headline_cut() -> None:
    rows = [
        {"category": "True", "id": "1", "headline": "Titular", "text": "Titular El texto.", "topic": "Sport"},
        {"category": "True", "id": "2", "headline": "Otro", "text": "Hay *NUMBER* casos.", "topic": "Health"},
        {"category": "Fake", "id": "3", "headline": "Falso", "text": "Nada.", "topic": "Sport"},
    ]
    items, masked = fakenews_items(rows, "train.xlsx", "True")
    assert masked == 1
    assert [(it.native_id, it.body, it.register) for it in items] == [("train-1", "El texto.", "sport")]


def test_every_language_reads_pinned_repositories_with_distinct_id_prefixes() -> None:
    repos = {source.pin.repo for source in LANG_SOURCES}
    assert all(repo in repos for names in LANG_REPOS.values() for repo in names)
    assert len({source.short for source in LANG_SOURCES}) == len(LANG_SOURCES)
    assert all(len(source.pin.commit) == 40 for source in LANG_SOURCES)


# ------------------------------------------------------------------ labels and halves
def test_the_committed_language_labels_parse_and_every_row_is_well_formed() -> None:
    labels = load_lang_labels()
    assert len(labels) == 713
    assert {item_id.split("-")[0] for item_id in labels} == set(LANG_REPOS)
    assert LANG_LABELS_FILE.read_text("utf-8") == format_lang_labels(labels)
    assert sum(label.conflict for label in labels.values()) > 0


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["fr-x-1\t2\t"], "conflict 0 or 1"),
        (["fr-x-1\t0"], "3 tab-separated fields"),
        (["fr-x-1\t0\tbombing"], "unknown label bombing"),
        (["fr-x-1\t0\tnuclear,nuclear"], "given twice"),
        (["fr-x-1\t0\t", "fr-x-1\t1\t"], "labelled twice"),
    ],
)
def test_a_malformed_language_label_row_is_refused_with_its_line(rows: list[str], message: str) -> None:
    with pytest.raises(LangLabelsError, match=message):
        parse_lang_labels("\n".join(["id\tconflict\tsignals", *rows]))


def test_judged_halves_split_by_the_ids_sha256_and_label_only_labelled_items() -> None:
    records = [{"id": f"fr-x-{n}", "text": "t"} for n in range(20)]
    labels = {"fr-x-3": LangLabel(True, ("nuclear", "casualties"))}
    halves = judged_halves(records, labels)
    for half, part in halves.items():
        for record in part:
            even = hashlib.sha256(record["id"].encode()).digest()[0] % 2 == 0
            assert (half == "dev") == even
    assert len(halves["dev"]) + len(halves["unseen"]) == 20
    labelled = [r for part in halves.values() for r in part if "conflict" in r]
    assert labelled == [{"id": "fr-x-3", "text": "t", "conflict": True, "signals": ["nuclear", "casualties"]}]


# ------------------------------------------------------------------ the command
@pytest.mark.parametrize("command", [["languages", "--snapshots", "/nonexistent"], ["lang-judged"]])
def test_an_output_folder_inside_the_repository_is_refused(
    command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    target = REPO / "lang-out-should-not-exist"
    assert main([*command, "--out", str(target)]) == 1
    assert "inside the repository" in capsys.readouterr().err
    assert not target.exists()


def test_a_missing_snapshot_names_the_repository_and_how_to_clone_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["languages", "--snapshots", str(tmp_path), "--out", str(tmp_path / "out"), "--langs", "de"])
        == 1
    )
    err = capsys.readouterr().err
    assert "no snapshot of tblock/10kGNAD" in err
    assert "git clone https://github.com/tblock/10kGNAD.git" in err
    assert "da845fe4a16f02a8de10903ffbc636d1c8d21862" in err


def test_an_unknown_language_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["languages", "--snapshots", str(tmp_path), "--out", str(tmp_path), "--langs", "it"]) == 1
    assert "--langs it" in capsys.readouterr().err
