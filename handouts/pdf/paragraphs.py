"""Turn paragraph markup and a style into a Paragraph parsed once per text and broken into lines once per width."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from handouts.pdf.linebreaks import describe_fragments, remembered_break_lines


class MeasuredParagraph(Paragraph):  # type: ignore[misc]
    """A Paragraph that breaks its lines once per width: wrapped again at the same width (the next column,
    a callout drawing what it measured, the masthead placed after it was measured), it reuses them.
    ReportLab's Paragraph.wrap ignores the available height, so the width alone decides the lines (its
    split drops the lines it kept when it gives up, and then they are broken again). Across handouts,
    `pdf/linebreaks.py` remembers the lines of the same text, style and width."""

    _measured: tuple[float, float] | None = None

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        measured = self._measured
        if measured is not None and measured[0] == avail_width and "blPara" in self.__dict__:
            return avail_width, measured[1]
        width, height = super().wrap(avail_width, avail_height)
        self._measured = (avail_width, height) if width == avail_width else None
        return width, height

    def breakLines(self, width: list[float]) -> Any:
        """ReportLab's line breaks, shared with earlier paragraphs of the same text, style and width."""
        return remembered_break_lines(self, width, super().breakLines)


def parsed_paragraph(markup: str, style: ParagraphStyle) -> Paragraph:
    """A Paragraph whose markup is parsed once per process (the same blocks repeat across handouts)."""
    frags, shareable = _parsed(markup, style)
    paragraph = MeasuredParagraph(markup, style, frags=list(frags))
    if shareable:
        describe_fragments(paragraph, (markup, style))
    return paragraph


@lru_cache(maxsize=8192)
def _parsed(markup: str, style: ParagraphStyle) -> tuple[tuple[Any, ...], bool]:
    """The fragments, and whether their line breaks may be shared: not with an inline image, whose
    width ReportLab may rewrite in the words for each column it is broken for."""
    frags = tuple(Paragraph(markup, style).frags)
    return frags, not any(getattr(getattr(f, "cbDefn", None), "kind", "") == "img" for f in frags)
