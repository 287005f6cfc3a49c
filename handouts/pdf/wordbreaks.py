"""Keep word boundaries where a paragraph's printed line wraps: an invisible space ends each wrapped line's text.

ReportLab drops the space at a soft line break, so text read along the tags ran the last word of one
line into the first word of the next. A space glyph drawn after the last word of a line paints nothing
and moves nothing that is seen (`T*` starts the next line from the line's start, not from the pen), but
every text extractor and tag-following reader then finds the word break.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus.paragraph import _HSFrag

from handouts.pdf.linebreaks import remembered_with_lines

LINE_END_SPACE = " "


def soft_breaks(paragraph: Any) -> tuple[bool, ...]:
    """`line_ends`, worked out once for lines remembered across handouts (`pdf/linebreaks.py`)."""
    continues = bool(getattr(paragraph, "handout_continues", False))
    return remembered_with_lines(paragraph, continues, line_ends)


def line_ends(paragraph: Any) -> tuple[bool, ...]:
    """For each line of a paragraph part: does a word end where the line ends?

    Not at its last line (unless the part continues on the next page or column), and not where a
    word too long for the line was split (a long web address): the reader must get that word whole.
    """
    para = getattr(paragraph, "blPara", None)
    lines = getattr(para, "lines", None) or []
    if para is None or not lines:
        return ()
    source = "".join(_text(item) for item in getattr(paragraph, "frags", None) or [])
    ends, at = [], 0
    for line in lines:
        text = (
            " ".join(line[1]) if para.kind == 0 else "".join(getattr(w, "text", "") for w in line.words)
        ).strip()
        found = source.find(text, at) if text else -1
        if found < 0:
            ends.append(True)
            continue
        at = found + len(text)
        ends.append(bool(getattr(line, "lineBreak", False)) or at >= len(source) or source[at].isspace())
    if not getattr(paragraph, "handout_continues", False):
        ends[-1] = False
    return tuple(ends)


def _text(item: Any) -> str:
    """The text of a paragraph fragment, or of a word ReportLab made from fragments while wrapping
    (a word followed by a space is an `_HSFrag`; a piece of a word split at a line end is not)."""
    if isinstance(item, list):
        return "".join(text for _, text in item[1:]) + (" " if isinstance(item, _HSFrag) else "")
    return str(getattr(item, "text", ""))


class SpacedLines(PDFTextObject):  # type: ignore[misc]
    """A paragraph's text object that draws a space at the end of each line `breaks` says ends a word."""

    breaks: tuple[bool, ...] = ()

    def _textOut(self, text: str, TStar: int = 0) -> None:
        if not TStar or not self.breaks:
            super()._textOut(text, TStar)
            return
        spaced, self.breaks = self.breaks[0], self.breaks[1:]
        if not spaced:
            super()._textOut(text, TStar)
        elif isinstance(text, ShapedStr) or not self._fontname:
            super()._textOut(text, 0)
            super()._textOut(LINE_END_SPACE if self._fontname else "", 1)
        elif text.endswith(LINE_END_SPACE):
            super()._textOut(text, 1)
        else:
            super()._textOut(text + LINE_END_SPACE, 1)
