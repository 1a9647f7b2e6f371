"""Matching mechanics: inflections, whole words, case, offsets, sentences."""

from __future__ import annotations

import pytest

from services.classify.forms import expand, inflections
from services.classify.matcher import Matcher
from services.classify.text import Sentences, normalise, words_between


@pytest.mark.parametrize(
    ("word", "forms"),
    [
        ("warn", {"warn", "warns", "warned", "warning"}),
        ("evacuate", {"evacuate", "evacuates", "evacuated", "evacuating"}),
        ("strike", {"strikes", "struck", "striking"}),
        ("shell", {"shells", "shelled", "shelling"}),
        ("ally", {"allies", "allied"}),
        ("flee", {"fled"}),
    ],
)
def test_inflections_cover_the_usual_forms(word: str, forms: set[str]) -> None:
    assert forms <= inflections(word)


def test_a_phrase_expands_every_marked_word() -> None:
    texts = {f.text for f in expand("warn~ of war~")}
    assert {"warned of war", "warns of wars", "warning of war"} <= texts


def scan(terms: list[str], text: str) -> dict[str, list[str]]:
    matcher = Matcher()
    literals = {term: matcher.add(term) for term in terms}
    matcher.compile()
    hits = matcher.scan(text, normalise(text))
    found = {term: sorted(h for i in ids for h in hits.get(i, [])) for term, ids in literals.items()}
    return {term: [text[s:e] for s, e in spans] for term, spans in found.items() if spans}


def test_only_whole_words_match() -> None:
    assert scan(["war", "us"], "The warden said the bus was late because of us.") == {"us": ["us"]}


def test_an_upper_case_term_matches_only_that_spelling() -> None:
    assert scan(["US"], "Tell us what the US and the U.S. will do.") == {"US": ["US"]}


def test_a_star_matches_any_ending_and_reports_the_whole_word() -> None:
    assert scan(["escalat*"], "Escalating, escalation; escalate!") == {
        "escalat*": ["Escalating", "escalation", "escalate"]
    }


def test_punctuation_and_curly_quotes_are_word_boundaries() -> None:
    found = scan(
        ["galloping escalation", "don't", "iran-israel"], "“Galloping escalation” – don’t; Iran–Israel"
    )
    assert found == {
        "galloping escalation": ["Galloping escalation"],
        "don't": ["don’t"],
        "iran-israel": ["Iran–Israel"],
    }


def test_a_term_of_several_words_never_spans_a_line_break() -> None:
    found = scan(
        ["india-pakistan", "white house", "india"],
        "Talks with India\nPakistan's envoy and the White House; India-Pakistan ties",
    )
    assert found == {
        "india-pakistan": ["India-Pakistan"],
        "white house": ["White House"],
        "india": ["India", "India"],
    }


def test_non_ascii_letters_match_terms_written_with_them() -> None:
    assert scan(["türkiye", "élysée"], "Türkiye and the Élysée agreed.") == {
        "türkiye": ["Türkiye"],
        "élysée": ["Élysée"],
    }


def test_normalising_keeps_every_offset() -> None:
    text = "Türkiye’s “galloping” U.S.-led strike — 3 dead…\n✍️ end"
    assert len(normalise(text)) == len(text)
    assert normalise("U.S.-led, Kyiv's") == "u s  led  kyiv s"


def test_sentences_end_at_marks_followed_by_a_capital_not_at_abbreviations() -> None:
    text = "The U.S. Navy and Gen. Smith met. “Why?” he asked. 3 people died!\nHeadline\n\nNext (really.) Yes"
    sentences = Sentences(text)
    assert [sentences.sentence(i) for i in range(len(sentences))] == [
        "The U.S. Navy and Gen. Smith met.",
        "“Why?” he asked.",
        "3 people died!",
        "Headline",
        "Next (really.)",
        "Yes",
    ]
    assert sentences.index(text.index("Smith")) == 0
    assert sentences.index(text.index("died")) == 2


def test_no_abbreviates_number_only_before_a_numeral() -> None:
    text = "He lives at No. 10 Downing Street. Is staff leaving? No. There are no plans."
    sentences = Sentences(text)
    assert [sentences.sentence(i) for i in range(len(sentences))] == [
        "He lives at No. 10 Downing Street.",
        "Is staff leaving?",
        "No.",
        "There are no plans.",
    ]


def test_words_between_counts_whole_words_only() -> None:
    words = normalise("warned, on Sunday, the US")
    assert words_between(words, 0 + len("warned"), words.index("us")) == 3
