"""Line ends of wrapped paragraphs: worked out once per break result, the same answer when it is reused."""

from __future__ import annotations

import gc

import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import _HSFrag

from handouts.pdf.wordbreaks import _WORD_ENDS, _joined, _word_ends, soft_breaks

STYLE = ParagraphStyle("body", fontName="Helvetica", fontSize=11, leading=14)
ADDRESS = "https://www.example.org/a/very/long/address/that/cannot/fit/on/one/line/of/this/width"
PLAIN = "Rest when you are tired and plan the day so the hard tasks come when you feel best. " + ADDRESS
MARKUP = (
    "Rest when you are <b>tired</b> and plan the day so the hard tasks come when you feel best. " + ADDRESS
)


def wrapped(text: str, width: float = 120) -> Paragraph:
    paragraph = Paragraph(text, STYLE)
    paragraph.wrap(width, 1000)
    return paragraph


@pytest.mark.parametrize("text", [PLAIN, MARKUP], ids=["plain", "markup"])
def test_a_word_split_at_a_line_end_is_not_a_word_end(text: str) -> None:
    paragraph = wrapped(text)
    ends = soft_breaks(paragraph)
    assert len(ends) == len(paragraph.blPara.lines) > 3
    assert ends[0] is True  # "Rest when you are ..." wraps between words
    assert False in ends[:-1]  # the address is split across lines: no word ends there
    assert ends[-1] is False  # the paragraph ends here


@pytest.mark.parametrize("text", [PLAIN, MARKUP], ids=["plain", "markup"])
def test_a_reused_break_result_gives_the_answer_worked_out_afresh(text: str) -> None:
    first = wrapped(text)
    expected = soft_breaks(first)
    assert first.blPara in _WORD_ENDS
    again = Paragraph(text, STYLE)  # a later render reusing the same break result and words
    again.blPara, again.frags = first.blPara, first.frags
    assert soft_breaks(again) == expected == (*_word_ends(first.blPara, first.frags)[:-1], False)
    again.handout_continues = True  # the part goes on in the next column: its last line ends a word
    assert soft_breaks(again) == (*expected[:-1], True)


def test_a_collected_break_result_leaves_the_memo() -> None:
    paragraph = wrapped(PLAIN)
    soft_breaks(paragraph)
    before = len(_WORD_ENDS)
    del paragraph
    gc.collect()
    assert len(_WORD_ENDS) == before - 1


def test_one_line_that_does_not_continue_ends_no_word() -> None:
    paragraph = wrapped("Short.", 400)
    assert soft_breaks(paragraph) == (False,)
    paragraph.handout_continues = True
    assert soft_breaks(paragraph) == (True,)


def test_words_made_while_wrapping_join_like_their_fragments() -> None:
    words = wrapped(MARKUP).frags  # ReportLab replaced the fragments with the words it wrapped
    assert words
    assert all(isinstance(word, list) for word in words)
    assert any(isinstance(word, _HSFrag) for word in words)
    assert _joined(words) == text_of(words)
    fragment = Paragraph(MARKUP, STYLE).frags[0]
    assert _joined([*words[:2], fragment]) == text_of(words[:2]) + fragment.text  # a mixture, item by item


def text_of(words: list[list[object]]) -> str:
    """The words' text the slow way: each piece's text, and a space after a word a space follows."""
    return "".join(
        "".join(str(piece[1]) for piece in word[1:] if isinstance(piece, tuple))
        + (" " if isinstance(word, _HSFrag) else "")
        for word in words
    )
