"""Turn a paragraph's text object into marked content: its text for its element, a link's text for a Link."""

from __future__ import annotations

from typing import Any, ClassVar

from reportlab.pdfgen.canvas import Canvas

from handouts.pdf.tagging import MarkedContent, StructNode
from handouts.pdf.wordbreaks import SpacedLines


class _Boundary(str):
    """A placeholder in a text object's code: one marked-content sequence ends, `node`'s begins."""

    node: StructNode | None


def _boundary(node: StructNode | None) -> _Boundary:
    entry = _Boundary()
    entry.node = node
    return entry


class TaggedText(SpacedLines):
    """A text object whose text is marked for one element, and the text of its links for Link elements.

    Paragraph text is marked inside BT/ET because a link's text must leave the paragraph's sequence
    and come back, and marked content may not straddle a text object's boundary.
    """

    def __init__(self, canvas: TaggingCanvas, x: float, y: float, direction: Any, node: StructNode) -> None:
        super().__init__(canvas, x, y, direction=direction)
        self.node = node
        self.open: StructNode | None = None
        self.link_by_url: dict[str, StructNode] = {}
        self.annotations: list[StructNode] = []
        self.breaks = canvas.handout_marks.text_breaks
        self.texts: list[str] = []
        self.whole_links: list[StructNode] = []

    def _formatText(self, text: str) -> str:
        if text:
            opened = self.open
            if opened is None:  # the element's sequence opens where its first text is drawn
                self._code.append(_boundary(self.node))
                opened = self.open = self.node
            if opened.role == "Link":
                opened.text += text
            self.texts.append(text)
        formatted: str = super()._formatText(text)
        return formatted

    def span(self, actual_text: str | None, drawn_text: str = "") -> None:
        """A Span element (with its ActualText) starts here inside this element's text; None ends it."""
        if actual_text is None:
            self._code.append(_boundary(self.node))
            self.open = self.node
            return
        span = self.node.child("Span")
        span.actual_text, span.drawn_text = actual_text, drawn_text
        self._code.append(_boundary(span))
        self.open = span

    def _linkRecord(self, key: Any, phase: str) -> None:
        """ReportLab's hook inside a paragraph line: a link's text has just been drawn, or has ended."""
        if phase == "end":
            self._code.append(_boundary(None))
            self.open = None
            return
        link = self.node.link(key)
        link.text += " " + self.texts[-1]  # the words just drawn start the link
        self.link_by_url[str(key[1])] = link
        drawn = self._code.pop()
        if isinstance(self._code[-1], _Boundary):
            self._code[-1].node = link
        else:
            self._code.append(_boundary(link))
        self._code.append(drawn)
        self.open = link

    def annotate(self, url: str) -> None:
        """A link annotation was made for `url`; with no link text marked, all the text is the link."""
        link = self.link_by_url.get(url)
        if link is None:
            link = self.link_by_url[url] = self.node.link(url)
            self.whole_links.append(link)
            for entry in self._code:
                if isinstance(entry, _Boundary) and entry.node is self.node:
                    entry.node = link
        self.annotations.append(link)

    def getCode(self) -> str:
        canvas: TaggingCanvas = self._canvas
        self._code = self._marked_code(canvas.handout_marks)
        for link in self.whole_links:
            link.text += " " + " ".join(self.texts)
        for link in self.annotations:
            canvas.handout_marks.add_link(canvas, link)
        canvas.handout_text = None
        return str(super().getCode())

    def _marked_code(self, marks: MarkedContent) -> list[str]:
        """The code with BDC/EMC in place of boundaries; a sequence opens only when something follows.

        A plain loop filling a list (not a generator), testing the exact class: it sees every operator
        of every paragraph.
        """
        code: list[str] = []
        is_open, pending = False, None
        for entry in self._code:
            if entry.__class__ is _Boundary:
                if is_open:
                    code.append("EMC")
                is_open, pending = False, entry.node
                continue
            if pending is not None:
                code.append(marks.begin(self._canvas, pending))
                is_open, pending = True, None
            code.append(entry)
        if is_open:
            code.append("EMC")
        return code


class TaggingCanvas(Canvas):  # type: ignore[misc]
    """A canvas that records marked content: paragraph text objects are marked, links join the tree."""

    handout_measuring: ClassVar[bool] = False
    """Said here so `Tagged.drawOn` finds it at once (a missing attribute costs an exception each time)."""

    def __init__(self, *args: Any, handout_marks: MarkedContent, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handout_marks = handout_marks
        self.handout_text: TaggedText | None = None

    def beginText(self, x: float = 0, y: float = 0, direction: Any = None) -> Any:
        node = self.handout_marks.text_node
        if node is None or self.handout_marks.in_sequence:
            return super().beginText(x, y, direction)
        self.handout_text = TaggedText(self, x, y, direction, node)
        return self.handout_text

    def linkURL(self, url: str, rect: Any, *args: Any, **kwargs: Any) -> None:
        super().linkURL(url, rect, *args, **kwargs)
        if self.handout_text is not None:
            self.handout_text.annotate(url)
        else:
            self.handout_marks.add_link(self, self.handout_marks.root.child("Link"))
