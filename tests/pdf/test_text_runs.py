"""Text the theme font covers goes straight to markup: the quick check agrees with the character-by-character one."""

from __future__ import annotations

import pytest

from handouts.engine import Engine
from handouts.escaping import escape_text
from handouts.pdf.scripts import _printable_as_is, text_markup, theme_coverage

PRIMARY = theme_coverage(Engine.from_dirs().theme("standard").font_paths.values())


def slow_check(text: str) -> bool:
    return all(ord(char) in PRIMARY or char.isspace() for char in text)


@pytest.mark.parametrize(
    "text",
    [
        "Rest when you are tired.",
        "Tom & Jerry <3 > 2",
        "tab\tand\u2003em space\u3000ideographic space",  # whitespace the font may lack
        "Ζωή Παπαδοπούλου",
        "王小明",
        "Ana \u2603 Ruiz",
        "",
    ],
)
def test_the_quick_check_agrees_with_each_character(text: str) -> None:
    assert _printable_as_is(text, PRIMARY) == slow_check(text)
    if slow_check(text):
        assert text_markup(text, PRIMARY) == escape_text(text)


def test_whitespace_the_font_lacks_stays_in_the_theme_run() -> None:
    lacking = [char for char in "\u2003\u3000\u205f" if ord(char) not in PRIMARY]
    assert lacking, "the theme font has these spaces: pick others"
    text = f"one{lacking[0]}two"
    assert text_markup(text, PRIMARY) == text


def test_text_without_markup_characters_comes_back_as_it_is() -> None:
    text = "Rest when you are tired."
    assert escape_text(text) is text
    assert escape_text("a & b < c > d") == "a &amp; b &lt; c &gt; d"
