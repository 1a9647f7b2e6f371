"""Translate tables filled as characters are met stay bounded whatever text they read."""

from __future__ import annotations

from services.classify.orthography import orthography
from services.classify.translate_tables import MAX_KEPT, LazyTable


class _Upper(LazyTable):
    def translated(self, code: int) -> str:
        return chr(code).upper()


def test_a_table_keeps_at_most_its_bound_and_still_translates_every_character() -> None:
    table = _Upper()
    every_letter = "".join(chr(code) for code in range(0x100, 0x100 + 3 * MAX_KEPT))
    assert every_letter.translate(table) == every_letter.upper()
    assert len(table) == MAX_KEPT
    assert "é".translate(table) == "É"


def test_a_pack_language_reads_the_same_words_after_a_flood_of_every_code_point() -> None:
    persian = orthography("fa")
    before = persian.words("آتش‌بس برقرار شد")
    crafted = "".join(chr(code) for code in range(0x2000, 0x2000 + 2 * MAX_KEPT))
    assert len(persian.words(crafted)) == len(crafted)
    assert persian.words("آتش‌بس برقرار شد") == before
