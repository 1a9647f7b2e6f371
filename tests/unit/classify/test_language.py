"""Telling an article's language from its text, whatever its feed declares."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from schemas.article import RawArticle
from services.classify import language
from services.classify.engine import Classifier
from services.classify.language import UNDETERMINED, identify

WRITTEN_HERE = {
    "en": "The ministry said on Tuesday that the talks would resume next week in the capital, after a "
    "pause of several days that both delegations blamed on the other side.",
    "ru": "В министерстве заявили, что переговоры возобновятся на следующей неделе в столице после "
    "паузы, в которой делегации обвинили друг друга.",
    "uk": "У міністерстві заявили, що перемовини відновляться наступного тижня в столиці після паузи, "
    "у якій делегації звинуватили одна одну.",
    "ar": "قالت الوزارة يوم الثلاثاء إن المحادثات ستستأنف الأسبوع المقبل في العاصمة بعد توقف دام عدة أيام.",
    "fa": "وزارت خارجه روز سه‌شنبه اعلام کرد که گفت‌وگوها هفته آینده در پایتخت از سر گرفته می‌شود.",
    "he": "משרד החוץ מסר ביום שלישי כי השיחות יתחדשו בשבוע הבא בבירה, לאחר הפסקה של כמה ימים.",
    "fr": "Le ministère a indiqué mardi que les pourparlers reprendraient la semaine prochaine dans la "
    "capitale, après une pause de plusieurs jours.",
    "de": "Das Ministerium teilte am Dienstag mit, die Gespräche würden nächste Woche in der Hauptstadt "
    "fortgesetzt, nach einer Pause von mehreren Tagen.",
    "es": "El ministerio informó el martes de que las conversaciones se reanudarán la próxima semana en la "
    "capital, tras una pausa de varios días.",
}


@pytest.mark.parametrize("language", sorted(WRITTEN_HERE))
def test_each_language_of_the_desks_is_told_from_a_sentence(language: str) -> None:
    assert identify(WRITTEN_HERE[language]) == language


def test_persian_typed_with_arabic_yeh_and_kaf_is_persian_and_arabic_stays_arabic() -> None:
    assert identify("نتايج نخستين روز مسابقات دو و ميداني قهرماني كشور به پايان رسيد") == "fa"
    with_a_persian_letter = "قالت الوزارة يوم الثلاثاء إن شركة گوگل ستفتح مكتبا كبيرا في العاصمة "
    with_a_persian_letter += "الأسبوع المقبل."
    assert identify(with_a_persian_letter) == "ar"
    assert identify(WRITTEN_HERE["ar"]) == "ar"


def test_hebrew_script_is_hebrew_even_in_a_short_headline_but_yiddish_is_not() -> None:
    assert identify("צה״ל תקף בלבנון") == "he"
    assert identify(WRITTEN_HERE["he"]) == "he"
    yiddish = "דער פֿאָרווערטס איז אַ ייִדישע צייטונג וואָס ווערט אַרויסגעגעבן אין ניו־יאָרק זינט פֿיל יאָרן."
    assert identify(yiddish) != "he"


def test_arabic_script_is_arabic_even_in_a_short_headline_but_urdu_and_persian_are_not() -> None:
    assert identify("غارات على ريف إدلب") == "ar"
    assert identify(WRITTEN_HERE["ar"]) == "ar"
    urdu = "وزیر اعظم نے کہا کہ حکومت اگلے ہفتے نئی پالیسی کا اعلان کرے گی اور بجٹ پر بحث ہوگی۔"
    assert identify(urdu) not in ("ar", "fa")
    assert identify(WRITTEN_HERE["fa"]) == "fa"


@pytest.mark.parametrize("code", ["ru", "uk", "ar", "fa", "he"])
def test_a_language_whose_letters_tell_it_is_named_without_asking_the_model(
    code: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_model() -> None:
        raise AssertionError("the model was asked")

    monkeypatch.setattr(language, "_model", no_model)
    assert identify(WRITTEN_HERE[code]) == code


def test_russian_and_ukrainian_are_told_by_their_letters_even_in_a_short_headline() -> None:
    assert identify("Ракеты упали на Харьков") == "ru"
    assert identify("Ракети впали на Харків") == "uk"


def test_bulgarian_and_belarusian_are_not_taken_for_russian_or_ukrainian() -> None:
    bulgarian = "Министерството съобщи във вторник, че преговорите ще продължат следващата седмица."
    belarusian = "Міністэрства паведаміла ў аўторак, што перамовы аднавяцца на наступным тыдні ў сталіцы."
    assert identify(bulgarian) not in ("ru", "uk")
    assert identify(belarusian) not in ("ru", "uk")


def test_text_without_letters_or_too_short_to_tell_is_undetermined() -> None:
    assert identify("") == UNDETERMINED
    assert identify("  2026 — 14:05 / 12.3% ") == UNDETERMINED


@pytest.mark.parametrize(
    "headline",
    ["Judge says Trump 'stoked' crowd on Jan. 6", "RUSSIA WITHDRAWS TROOPS FROM SNAKE ISLAND!"],
)
def test_a_short_english_headline_is_never_taken_for_another_language(headline: str) -> None:
    assert identify(headline) in ("en", UNDETERMINED)


def test_only_the_opening_of_a_long_text_is_read() -> None:
    text = " ".join([WRITTEN_HERE["de"]] * 5 + [WRITTEN_HERE["en"]] * 200)
    assert identify(text) == "de"


def test_a_classified_article_carries_the_language_of_its_text_beside_the_declared_one(
    classifier: Classifier,
) -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    article = RawArticle(
        id="a1",
        feed_id="f",
        source="Desk",
        title="Переговоры возобновятся",
        summary=WRITTEN_HERE["ru"],
        published_at=now,
        fetched_at=now,
        language="en",
    )
    classified = classifier.classify(article, now)
    assert classified.language == "ru"
    assert classified.article.language == "en"
    assert "ru" not in classifier.languages
