from __future__ import annotations

from services.alert.receivers.slack import MAX_SECTION, escape, fit, link


def test_the_three_control_characters_are_escaped() -> None:
    assert escape("a & b <!here> <https://x|y>") == "a &amp; b &lt;!here&gt; &lt;https://x|y&gt;"


def test_cutting_never_splits_an_entity() -> None:
    text = escape("x" * (MAX_SECTION - 3) + "<<<")
    cut = fit(text)
    assert len(cut) <= MAX_SECTION
    assert cut.endswith("x…")


def test_a_link_cannot_be_broken_out_of_by_its_url_or_label() -> None:
    made = link("https://evil.example/a|b>c", "click | <here>")
    assert made == "<https://evil.example/a%7Cb&gt;c|click ¦ &lt;here&gt;>"
