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

LINE_END_SPACE = " "


def soft_breaks(paragraph: Any) -> int:
    """How many of a paragraph part's lines end inside its text: all but the last, or all when it continues."""
    lines = getattr(getattr(paragraph, "blPara", None), "lines", None) or []
    continues = bool(getattr(paragraph, "handout_continues", False))
    return max(len(lines) - (0 if continues else 1), 0)


class SpacedLines(PDFTextObject):  # type: ignore[misc]
    """A paragraph's text object that draws a space at the end of its first `breaks` lines."""

    breaks: int = 0

    def _textOut(self, text: str, TStar: int = 0) -> None:
        if not TStar or self.breaks <= 0:
            super()._textOut(text, TStar)
            return
        self.breaks -= 1
        if isinstance(text, ShapedStr) or not self._fontname:
            super()._textOut(text, 0)
            super()._textOut(LINE_END_SPACE if self._fontname else "", 1)
        elif text.endswith(LINE_END_SPACE):
            super()._textOut(text, 1)
        else:
            super()._textOut(text + LINE_END_SPACE, 1)
