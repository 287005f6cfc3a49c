"""Turn a story into PDF bytes: page geometry, footer with "Page X of Y", bookmarks and metadata."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, FrameBreak, PageTemplate
from reportlab.platypus.doctemplate import LayoutError as ReportLabLayoutError

from handouts.errors import RenderError
from handouts.pdf.fields import FieldRequest
from handouts.pdf.finish import FinishingCanvas, FinishOptions, finish_document
from handouts.pdf.scripts import actual_text_callbacks
from handouts.pdf.tagging import MarkedContent, artifact, assign_structure
from handouts.pdf.textmarks import TaggingCanvas
from handouts.pdf.themes import Theme
from handouts.xmltree import HandoutMeta

PAPER_SIZES = {"letter": LETTER, "a4": A4}
PAGE_TOTAL_FORM = "handouts-page-total"


@dataclass
class RenderedDocument:
    """The finished PDF bytes, the page count, the fields asked for and the marked content."""

    pdf: bytes
    pages: int
    fields: list[FieldRequest] = field(default_factory=list)
    marks: MarkedContent | None = None


class HandoutCanvas(FinishingCanvas, Canvas):  # type: ignore[misc]
    """The canvas of an untagged handout: form widgets are added page by page as it draws."""


class TaggedHandoutCanvas(FinishingCanvas, TaggingCanvas):
    """The canvas of a tagged handout: marked content, and form widgets added page by page."""


class MeasuringCanvas(Canvas):  # type: ignore[misc]
    """A canvas that only counts pages: tagged flowables and the footer skip drawing, nothing is saved."""

    handout_measuring = True


class HandoutDocTemplate(BaseDocTemplate):  # type: ignore[misc]
    """A one-frame page template with a footer, outline entries for sections, and form requests."""

    def __init__(self, buffer: io.BytesIO, theme: Theme, paper: str, info: HandoutMeta) -> None:
        self.theme = theme
        self.info = info
        self.page_count = 0
        self.finish: FinishOptions | None = None
        self.marks: MarkedContent | None = None
        page_width, page_height = PAPER_SIZES[paper]
        side = theme.page("min_side_margin")
        frame_width = min(page_width - 2 * side, theme.page("measure"))
        margin = (page_width - frame_width) / 2
        super().__init__(
            buffer,
            pagesize=(page_width, page_height),
            leftMargin=margin,
            rightMargin=margin,
            topMargin=theme.page("margin_top"),
            bottomMargin=theme.page("margin_bottom"),
            title=info.title,
            author=info.author,
            subject=info.subject,
            keywords=info.keywords,
            creator=info.generator,
            lang=info.lang,
            displayDocTitle=True,
            invariant=True,
            pageCompression=1,
            initialFontName=theme.font("regular"),
            initialFontSize=theme.style("body").fontSize,
        )

    def column_frames(self, top_reserved: float, prefix: str) -> list[Frame]:
        """The theme's columns below `top_reserved` points of the text area."""
        columns = int(self.theme.page("columns"))
        gutter = self.theme.page("gutter")
        width = (self.width - gutter * (columns - 1)) / columns
        height = self.height - top_reserved
        return [
            Frame(
                self.leftMargin + i * (width + gutter),
                self.bottomMargin,
                width,
                height,
                id=f"{prefix}{i}",
                leftPadding=0,
                rightPadding=0,
                topPadding=0,
                bottomPadding=0,
            )
            for i in range(columns)
        ]

    def set_page_templates(self, masthead_height: float) -> None:
        """Page 1: the masthead across the full width, then the columns; later pages: columns only."""
        masthead = Frame(
            self.leftMargin,
            self.bottomMargin + self.height - masthead_height,
            self.width,
            masthead_height,
            id="masthead",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        first = (
            [masthead, *self.column_frames(masthead_height, "first")]
            if masthead_height
            else self.column_frames(0, "first")
        )
        self.addPageTemplates(
            [
                PageTemplate(id="first", frames=first, onPage=self.draw_footer, autoNextPageTemplate="later"),
                PageTemplate(id="later", frames=self.column_frames(0, "col"), onPage=self.draw_footer),
            ]
        )

    def draw_footer(self, canv: Any, doc: Any) -> None:
        """Printed date and "Page X of Y" on every page; the total is filled in at the end (an artifact)."""
        self.page_count = max(self.page_count, canv.getPageNumber())
        if getattr(canv, "handout_measuring", False):
            return
        with artifact(canv, "Footer"):
            style = self.theme.style("footer")
            canv.saveState()
            canv.setFont(style.fontName, style.fontSize)
            canv.setFillColor(style.textColor)
            base = self.theme.page("footer_gap")
            detail_y = base
            main_y = base + style.leading
            right = self.leftMargin + self.width
            canv.drawString(self.leftMargin, main_y, self.info.footer)
            label = self.info.page_label.format(page=canv.getPageNumber()) + " "
            total_width = canv.stringWidth("99", style.fontName, style.fontSize)
            label_width = canv.stringWidth(label, style.fontName, style.fontSize)
            canv.drawString(right - total_width - label_width, main_y, label)
            canv.saveState()
            canv.translate(right - total_width, main_y)
            canv.doForm(PAGE_TOTAL_FORM)
            canv.restoreState()
            canv.drawString(self.leftMargin, detail_y, self.info.footer_detail)
            canv.restoreState()

    def beforeDocument(self) -> None:
        for name, callback in actual_text_callbacks():
            self.canv.setNamedCB(name, callback)

    def afterFlowable(self, flowable: Flowable) -> None:
        """A section's first flowable becomes a bookmark in the viewer's outline (a pack's sections sit
        one level beneath their part: `outline_level`)."""
        title = getattr(flowable, "outline_title", None)
        if title:
            key = f"section-{getattr(flowable, 'outline_key', title)}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(title, key, level=getattr(flowable, "outline_level", 0), closed=False)

    def _endBuild(self) -> None:
        self._doSave = 0
        super()._endBuild()
        if getattr(self.canv, "handout_measuring", False):
            return
        style = self.theme.style("footer")
        self.canv.beginForm(PAGE_TOTAL_FORM)
        self.canv.setFont(style.fontName, style.fontSize)
        self.canv.setFillColor(style.textColor)
        self.canv.drawString(0, 0, str(self.page_count))
        self.canv.endForm()
        self.canv.showOutline()
        if self.finish is not None:
            finish_document(self.canv, self.finish, self.marks)
        self.canv.save()


def build_pdf(
    story: list[Flowable],
    theme: Theme,
    paper: str,
    info: HandoutMeta,
    tagged: bool = False,
    measure_only: bool = False,
    finish: FinishOptions | None = None,
) -> RenderedDocument:
    """Lay out the story and return the finished PDF bytes (fields, tags and XMP written in its one save);
    `measure_only` lays it out to count its pages, drawing and saving nothing (empty bytes)."""
    marks = MarkedContent(assign_structure(story)) if tagged and not measure_only else None
    fields: list[FieldRequest] = []
    buffer = io.BytesIO()
    doc = HandoutDocTemplate(buffer, theme, paper, info)
    doc.finish, doc.marks = finish, marks
    masthead = [f for f in story if getattr(f, "handout_masthead", False)]
    height = masthead_height(masthead, doc.width, doc.height) if masthead and theme.page("columns") > 1 else 0
    doc.set_page_templates(height)
    if height:
        story = [*masthead, FrameBreak(), *story[len(masthead) :]]
    lay_out(
        doc, story, partial(make_canvas, marks=marks, fields=fields, measuring=measure_only, finish=finish)
    )
    pdf = b"" if measure_only else buffer.getvalue()
    return RenderedDocument(pdf=pdf, pages=doc.page_count, fields=fields, marks=marks)


def lay_out(doc: BaseDocTemplate, story: list[Flowable], canvasmaker: Callable[..., Canvas]) -> None:
    """Build the document on the canvas `canvasmaker` makes; a flowable no page can hold is one clear error."""
    try:
        doc.build(story, canvasmaker=canvasmaker)
    except ReportLabLayoutError as exc:
        raise RenderError(
            "a part of the handout is taller than one page and cannot be split "
            "(shorten the note or block, or use the standard print size)"
        ) from exc


def masthead_height(flowables: list[Flowable], width: float, height: float) -> float:
    """The height the title block needs across the full width, with its spacing."""
    total = 0.0
    for index, flowable in enumerate(flowables):
        total += flowable.wrap(width, height)[1] + flowable.getSpaceAfter()
        if index:
            total += flowable.getSpaceBefore()
    return total + 2


def make_canvas(
    *args: Any,
    marks: MarkedContent | None,
    fields: list[FieldRequest],
    measuring: bool,
    finish: FinishOptions | None,
    **kwargs: Any,
) -> Canvas:
    """The canvas ReportLab draws on: tagging when asked, and collecting the form fields flowables request;
    when only measuring, one that counts pages and draws nothing."""
    if measuring:
        canv = MeasuringCanvas(*args, **kwargs)
    elif marks:
        canv = TaggedHandoutCanvas(*args, handout_marks=marks, **kwargs)
    else:
        canv = HandoutCanvas(*args, **kwargs)
    canv.handout_finish = None if measuring else finish
    canv.handout_widgets = {}
    canv.handout_fields = fields
    return canv
