"""Keep word boundaries where a paragraph's printed line wraps: an invisible space ends each wrapped line's text.

ReportLab drops the space at a soft line break, so text read along the tags ran the last word of one
line into the first word of the next. A space glyph drawn after the last word of a line paints nothing
and moves nothing that is seen (`T*` starts the next line from the line's start, not from the pen), but
every text extractor and tag-following reader then finds the word break.

ReportLab internals relied on (tests/pdf/test_line_ends.py): a paragraph's break result `blPara`
(weakly referenceable, with `kind` and `lines`: `(extra_space, words)` for plain text, `FragLine` with
`words` and `lineBreak` for markup), its `frags` (fragments, or after wrapping words shaped
`[width, (fragment, text), ...]`, an `_HSFrag` when a space follows), and `PDFTextObject._textOut`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.paragraph import _HSFrag

LINE_END_SPACE = " "


def soft_breaks(paragraph: Any) -> tuple[bool, ...]:
    """For each line of a paragraph part: does a word end where the line ends?

    Not at its last line (unless the part continues on the next page or column), and not where a
    word too long for the line was split (a long web address): the reader must get that word whole.

    The answer for the lines is worked out once per break result (the paragraph's `blPara`) and kept
    while that object lives, so a break result reused by a later render (`pdf/linebreaks.py` shares one
    `blPara` between the paragraphs that get the same break) costs a dictionary lookup;
    only the last line depends on `handout_continues`, and that is applied on each call.
    """
    para = getattr(paragraph, "blPara", None)
    lines = getattr(para, "lines", None)
    if para is None or not lines:
        return ()
    continues = getattr(paragraph, "handout_continues", False)
    if len(lines) == 1 and not continues:
        return (False,)  # the one line is the last: nothing to find
    ends = _WORD_ENDS.get(para)
    if ends is None:
        ends = _WORD_ENDS[para] = _word_ends(para, getattr(paragraph, "frags", None) or [])
    if continues:
        return ends
    return (*ends[:-1], False)


_WORD_ENDS: WeakKeyDictionary[Any, tuple[bool, ...]] = WeakKeyDictionary()
"""Line ends by break result; an entry goes when its `blPara` is collected, so an id is never reused."""


def _word_ends(para: Any, frags: list[Any]) -> tuple[bool, ...]:
    """Each line's text is found in the paragraph's text after the previous line's: a word ends at the
    line end when a space follows it there (or the line ends with `<br/>`, or the text ends)."""
    source = _joined(frags)
    size = len(source)
    ends: list[bool] = []
    at = 0
    simple = para.kind == 0
    for line in para.lines:
        text = (" ".join(line[1]) if simple else _joined(line.words)).strip()
        found = source.find(text, at) if text else -1
        if found < 0:
            ends.append(True)
            continue
        at = found + len(text)
        ends.append(at >= size or source[at].isspace() or bool(getattr(line, "lineBreak", False)))
    return tuple(ends)


def _joined(items: list[Any]) -> str:
    """The text of paragraph fragments, or of the words ReportLab made from them while wrapping (its
    `frags` then hold words: `[width, (fragment, text), ...]`, an `_HSFrag` when a space follows).

    Each shape is joined by one comprehension (a word of one fragment, the usual case, without an
    inner join); a mixture, never seen in practice, goes item by item.
    """
    try:
        return "".join([item.text for item in items])  # a word (a list) has no .text
    except AttributeError:
        pass
    try:
        return "".join(
            [
                (word[1][1] if len(word) == 2 else "".join([piece[1] for piece in word[1:]]))
                + (" " if isinstance(word, _HSFrag) else "")
                for word in items
            ]
        )
    except TypeError:  # a fragment among the words
        pass
    parts: list[str] = []
    for item in items:
        if isinstance(item, list):
            parts += [pair[1] for pair in item[1:]]
            if isinstance(item, _HSFrag):
                parts.append(" ")
        else:
            parts.append(str(getattr(item, "text", "")))
    return "".join(parts)


class SpacedLines(PDFTextObject):  # type: ignore[misc]
    """A paragraph's text object that draws a space at the end of each line `breaks` says ends a word.

    The flags are taken one per finished line (`T*`) from an iterator, not by slicing the tuple.
    """

    breaks: tuple[bool, ...] = ()
    _line_ends: Iterator[bool] | None = None

    def _textOut(self, text: str, TStar: int = 0) -> None:
        if not TStar:
            super()._textOut(text, TStar)
            return
        line_ends = self._line_ends
        if line_ends is None:
            line_ends = self._line_ends = iter(self.breaks)
        spaced = next(line_ends, None)
        if not spaced:  # no word ends here, or no flags left
            super()._textOut(text, TStar)
        elif isinstance(text, ShapedStr) or not self._fontname:
            super()._textOut(text, 0)
            super()._textOut(LINE_END_SPACE if self._fontname else "", 1)
        elif text.endswith(LINE_END_SPACE):
            super()._textOut(text, 1)
        else:
            super()._textOut(text + LINE_END_SPACE, 1)
