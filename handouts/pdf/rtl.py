"""Turn a paragraph written right to left (a note in Arabic or Hebrew) into right-aligned lines in visual order.

ReportLab breaks lines left to right only (its bidi support needs rlbidi, not on PyPI), so such a
paragraph is broken into lines here, in reading order, for the width it is given; each line is then
put in drawing order (python-bidi, HarfBuzz) and the lines are drawn right-aligned with `<br/>`
between them. Each line carries its own `/ActualText`, so readers get the words in reading order.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph

from handouts.escaping import escape_text, quote_attribute
from handouts.normal import normalise
from handouts.pdf.scripts import (
    ACTUAL_TEXT_BEGIN,
    ACTUAL_TEXT_END,
    NO_BREAK_SPACE,
    display_order,
    font_runs,
    register,
    shaped,
)
from handouts.pdf.tagging import Tagged, make_tagged

FILL = 0.97
"""The share of the width a line may fill: room for rounding between measuring and drawing."""


def starts_right_to_left(text: str) -> bool:
    """True when the first letter with a direction is right-to-left (Arabic, Hebrew)."""
    for char in text:
        direction = unicodedata.bidirectional(char)
        if direction in ("R", "AL"):
            return True
        if direction == "L":
            return False
    return False


def drawn_runs(line: str, primary: frozenset[int], base_font: str) -> list[tuple[str, str]]:
    """(font name, text) pieces of one line in drawing order, right-to-left stretches shaped."""
    pieces = []
    for run in font_runs(display_order(line), primary):
        face = register(run.font) if run.font else base_font
        text = shaped(run.text[::-1], face) if run.font and run.font.rtl else run.text
        pieces.append((face, text))
    return pieces


def line_markup(line: str, primary: frozenset[int], base_font: str) -> str:
    """Paragraph markup for one line: its pieces in drawing order inside one `/ActualText` span."""
    parts = []
    for face, text in drawn_runs(line, primary, base_font):
        kept = escape_text(text.replace(" ", NO_BREAK_SPACE))
        parts.append(kept if face == base_font else f"<font face={quote_attribute(face)}>{kept}</font>")
    return (
        f"<ondraw name={quote_attribute(ACTUAL_TEXT_BEGIN)} label={quote_attribute(line)}/>"
        f"{''.join(parts)}<ondraw name={quote_attribute(ACTUAL_TEXT_END)}/>"
    )


def break_lines(text: str, width: float, primary: frozenset[int], style: ParagraphStyle) -> list[str]:
    """The text's words in reading order, broken into lines no wider than `width`."""
    lines: list[str] = []
    for word in text.split():
        candidate = f"{lines[-1]} {word}" if lines else word
        if lines and _width(candidate, primary, style) <= width * FILL:
            lines[-1] = candidate
        else:
            lines.append(word)
    return lines


def _width(line: str, primary: frozenset[int], style: ParagraphStyle) -> float:
    return float(
        sum(
            stringWidth(text, face, style.fontSize)
            for face, text in drawn_runs(line, primary, style.fontName)
        )
    )


class RightToLeftParagraph(Tagged):
    """A paragraph of right-to-left text: lines broken here for the width given, drawn right-aligned."""

    handout_marking = "parts"

    def __init__(self, text: str, style: ParagraphStyle, primary: frozenset[int]) -> None:
        super().__init__()
        self.text = normalise(" ".join(text.split()))
        self.style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
        self.primary = primary
        self.inner: Paragraph | None = None
        self.inner_width = -1.0

    def paragraph(self, width: float) -> Paragraph:
        """The lines for this width as a tagged Paragraph holding this flowable's structure element."""
        if self.inner is None or width != self.inner_width:
            lines = break_lines(self.text, width, self.primary, self.style)
            markup = "<br/>".join(line_markup(line, self.primary, self.style.fontName) for line in lines)
            inner = make_tagged(Paragraph(markup, self.style))
            inner.handout_role = self.handout_role
            inner.handout_struct = self.handout_struct
            self.inner, self.inner_width = inner, width
        return self.inner

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, height = self.paragraph(avail_width).wrap(avail_width, avail_height)
        self.width, self.height = width, height
        return width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return list(self.paragraph(avail_width).split(avail_width, avail_height))

    def getSpaceBefore(self) -> float:
        return float(self.style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self.style.spaceAfter)

    def draw(self) -> None:
        inner: Any = self.paragraph(self.width)
        inner.handout_struct = self.handout_struct
        inner.drawOn(self.canv, 0, 0)
