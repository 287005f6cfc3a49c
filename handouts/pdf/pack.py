"""Turn the trees of several parts (core handout, topic sheets) into one PDF: one story, one build, one post-pass."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import partial
from itertools import groupby
from typing import Any

from reportlab.platypus import (
    ActionFlowable,
    Flowable,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
)

from handouts.pdf.document import HandoutDocTemplate, RenderedDocument, lay_out, make_canvas, masthead_height
from handouts.pdf.fields import FieldRequest
from handouts.pdf.finish import FinishOptions
from handouts.pdf.render import PdfOptions, finish_options
from handouts.pdf.story import StoryContext, build_story
from handouts.pdf.tagging import MarkedContent, StructNode, place
from handouts.pdf.themes import Theme
from handouts.xmltree import HandoutMeta, Node


@dataclass(frozen=True)
class PackDocument:
    """The laid-out pack and the page each part starts and ends on."""

    document: RenderedDocument
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def part_pages(self) -> list[int]:
        return [end - start + 1 for start, end in zip(self.starts, self.ends, strict=True)]


@dataclass(frozen=True)
class PartStory:
    """One part of a pack: its id (unique in the pack), its title (the part's bookmark) and its flowables."""

    id: str
    title: str
    story: list[Flowable]


class PartEnd(ActionFlowable):  # type: ignore[misc]
    """Records, after a part's last flowable, the page it ended on."""

    def apply(self, doc: Any) -> None:
        doc.part_ends.append(doc.page)


class ToOddPage(ActionFlowable):  # type: ignore[misc]
    """Ends the page when the next one would be even, so that the part after it starts on a right-hand page."""

    def apply(self, doc: Any) -> None:
        if (doc.page + 1) % 2 == 0:
            doc.handle_pageBreak()


class PackDocTemplate(HandoutDocTemplate):
    """The handout document with one first-page template per part and a two-level outline."""

    part_ends: list[int]

    def set_part_templates(self, heights: list[float]) -> None:
        """Template `first-<n>` for part n (its masthead across the top, then columns); `later` after."""
        templates = []
        for index, height in enumerate(heights):
            frames = self.column_frames(height, f"p{index}-col")
            if height:
                masthead = Frame(
                    self.leftMargin,
                    self.bottomMargin + self.height - height,
                    self.width,
                    height,
                    id=f"p{index}-masthead",
                    leftPadding=0,
                    rightPadding=0,
                    topPadding=0,
                    bottomPadding=0,
                )
                frames = [masthead, *frames]
            templates.append(
                PageTemplate(
                    id=f"first-{index}", frames=frames, onPage=self.draw_footer, autoNextPageTemplate="later"
                )
            )
        later = PageTemplate(id="later", frames=self.column_frames(0, "col"), onPage=self.draw_footer)
        self.addPageTemplates([templates[0], later, *templates[1:]])


def build_pack_pdf(
    parts: list[PartStory],
    theme: Theme,
    paper: str,
    info: HandoutMeta,
    tagged: bool = False,
    duplex: bool = False,
    finish: FinishOptions | None = None,
) -> PackDocument:
    """Lay out every part in one build: page numbers, fields and tagging span the whole pack; fields,
    the structure tree and metadata are written in its one save."""
    buffer = io.BytesIO()
    doc = PackDocTemplate(buffer, theme, paper, info)
    doc.part_ends = []
    story = assemble(parts, doc, theme, duplex)
    marks = MarkedContent(pack_structure(parts)) if tagged else None
    doc.finish, doc.marks = finish, marks
    fields: list[FieldRequest] = []
    lay_out(doc, story, partial(make_canvas, marks=marks, fields=fields, measuring=False, finish=finish))
    rendered = RenderedDocument(pdf=buffer.getvalue(), pages=doc.page_count, fields=fields, marks=marks)
    ends = tuple(doc.part_ends)
    starts = (1, *(_next_start(end, duplex) for end in ends[:-1]))
    return PackDocument(rendered, starts, ends)


def assemble(parts: list[PartStory], doc: PackDocTemplate, theme: Theme, duplex: bool) -> list[Flowable]:
    """One story: each part after a page break (to an odd page when duplex), its masthead in its own
    frame when the theme has columns, a PartEnd after it; sets the page templates those need."""
    story: list[Flowable] = []
    heights: list[float] = []
    for index, part in enumerate(parts):
        masthead = [f for f in part.story if getattr(f, "handout_masthead", False)]
        columns = theme.page("columns") > 1
        height = masthead_height(masthead, doc.width, doc.height) if masthead and columns else 0
        heights.append(height)
        if index:
            story += [ToOddPage()] if duplex else []
            story += [NextPageTemplate(f"first-{index}"), PageBreak()]
        story += [*masthead, FrameBreak(), *part.story[len(masthead) :]] if height else part.story
        story.append(PartEnd())
    doc.set_part_templates(heights)
    return story


def pack_structure(parts: list[PartStory]) -> StructNode:
    """The Document element of a pack: one Part element per part (alone, the part is the document),
    its sections Sect elements beneath, each flowable its element."""
    document = StructNode("Document", placed=True)
    for part in parts:
        holder = document.child("Part") if len(parts) > 1 else document
        for section, flowables in groupby(part.story, key=lambda f: getattr(f, "handout_section", None)):
            place(flowables, holder if section is None else holder.child("Sect"))
    return document


def _next_start(end: int, duplex: bool) -> int:
    """The page after `end`, or the next odd page when printing on both sides."""
    return end + 1 + (duplex and end % 2 == 1)


@dataclass(frozen=True)
class RenderedPack:
    """The finished PDF (empty for a draft whose parts overflow), its pages and each part's pages."""

    pdf: bytes
    pages: int
    part_pages: tuple[int, ...]


def render_pack_pdf(
    parts: list[tuple[str, Node]],
    attrs: dict[str, str],
    theme: Theme,
    options: PdfOptions,
    duplex: bool = False,
) -> RenderedPack:
    """Draw every part's tree into one document named by `attrs`; a part over its max-pages, while
    `options.page_limit` is set, returns a draft (page counts only, no post-pass)."""
    meta = HandoutMeta.from_root(Node("handout", attrs, 1))
    nested = len(parts) > 1
    stories = []
    for part_id, root in parts:
        context = StoryContext(
            theme=theme,
            accent=options.accent or theme.colour_hex("rule"),
            logo=options.logo,
            fillable=options.fillable,
            origin=f"part '{part_id}' output",
        )
        story = build_story(root, context)
        title = root.attrs.get("title", part_id)
        nest_outline(story, part_id, title, nested)
        stories.append(PartStory(part_id, title, story))
    finish = finish_options(meta, theme, options)
    built = build_pack_pdf(stories, theme, options.paper, meta, options.tagged, duplex, finish)
    pages = tuple(built.part_pages())
    limits = [HandoutMeta.from_root(root).max_pages for _, root in parts]
    if options.page_limit is not None and any(n and p > n for p, n in zip(pages, limits, strict=True)):
        return RenderedPack(b"", built.document.pages, pages)
    return RenderedPack(built.document.pdf, built.document.pages, pages)


def nest_outline(story: list[Any], part_id: str, title: str, nested: bool) -> None:
    """Make section bookmarks and structure groups unique to the part; in a pack, nest them under the part."""
    for flowable in story:
        section = getattr(flowable, "handout_section", None)
        if section is not None:
            flowable.handout_section = f"{part_id}/{section}"
        if getattr(flowable, "outline_title", None):
            flowable.outline_key = f"{part_id}-{getattr(flowable, 'outline_key', '')}"
            flowable.outline_level = 1 if nested else 0
    if nested and story and not getattr(story[0], "outline_title", None):
        head = story[0]
        head.outline_title = title
        head.outline_key = f"part-{part_id}"
        head.outline_level = 0
