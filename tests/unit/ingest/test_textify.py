from __future__ import annotations

import pytest

from services.ingest.textify import collapse, html_to_text, one_line, truncate


@pytest.mark.parametrize(
    ("markup", "text"),
    [
        ("plain   text\n\n\n here", "plain text\nhere"),
        ("<p>One</p><p>Two</p>", "One\nTwo"),
        ("a<br/>b", "a\nb"),
        ("<b>bold</b> and <i>italic</i>", "bold and italic"),
        ("AT&amp;T &lt;tag&gt; &quot;q&quot; &#8212; &eacute;", 'AT&T <tag> "q" — é'),
        ("<script>var x = '<p>';</script>visible", "visible"),
        ("<style>p { color: red }</style>shown", "shown"),
        ("before<!-- hidden <p> -->after", "before after"),
        ("x < y and y > z", "x < y and y > z"),
        ("<![CDATA[inside]]>", "inside"),
        ("non&nbsp;breaking", "non breaking"),
        ("zero\u200bwidth\x00", "zerowidth"),
        ("", ""),
    ],
)
def test_html_becomes_readable_plain_text(markup: str, text: str) -> None:
    assert html_to_text(markup) == text


def test_an_unclosed_comment_hides_nothing_dangerous() -> None:
    assert html_to_text("text <!-- never closed <b>x</b>") == "text"


def test_titles_are_one_line() -> None:
    assert one_line(" a\n\tb  c ") == "a b c"


def test_collapse_keeps_paragraphs_as_single_newlines() -> None:
    assert collapse("a\r\n\r\n  b\r c") == "a\nb\nc"


def test_truncate_cuts_at_a_word_and_marks_the_cut() -> None:
    assert truncate("short", 10) == "short"
    cut = truncate("alpha beta gamma delta", 12)
    assert cut == "alpha beta…"
    assert len(truncate("x" * 50, 10)) == 10
