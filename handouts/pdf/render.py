"""Turn a handout XML tree and a theme into finished PDF bytes: story, document, fields, tags, metadata."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from handouts.pdf.document import build_pdf
from handouts.pdf.finish import FinishOptions
from handouts.pdf.story import StoryContext, build_story
from handouts.pdf.themes import Theme
from handouts.xmltree import HandoutMeta, Node


@dataclass(frozen=True)
class PdfOptions:
    """How to draw one handout besides its tree and theme."""

    paper: str
    origin: str
    """Names the handout XML in errors, e.g. "layout 'standard' output"."""
    accent: str | None = None
    """The clinic's accent colour; None takes the theme's rule colour."""
    logo: Path | None = None
    fillable: bool = True
    tagged: bool = True
    fingerprint: str = ""
    """The batch's hash of the spec, written to the XMP metadata when given."""
    page_limit: int | None = None
    """A document longer than this is returned as a page count only (empty bytes)."""
    measure_only: bool = False
    """Only count the pages (lay out, draw nothing): the bytes come back empty."""


@dataclass(frozen=True)
class RenderedPdf:
    """PDF bytes (empty when over the page limit) and the page count."""

    pdf: bytes
    pages: int


def render_pdf(root: Node, theme: Theme, options: PdfOptions) -> RenderedPdf:
    """Draw the tree with the theme; fields, the structure tree and metadata are written in the same save."""
    meta = HandoutMeta.from_root(root)
    context = StoryContext(
        theme=theme,
        accent=options.accent or theme.colour_hex("rule"),
        logo=options.logo,
        fillable=options.fillable,
        origin=options.origin,
    )
    finish = finish_options(meta, theme, options)
    story = build_story(root, context)
    document = build_pdf(story, theme, options.paper, meta, options.tagged, options.measure_only, finish)
    if options.measure_only or (options.page_limit is not None and document.pages > options.page_limit):
        return RenderedPdf(pdf=b"", pages=document.pages)
    return RenderedPdf(pdf=document.pdf, pages=document.pages)


def finish_options(meta: HandoutMeta, theme: Theme, options: PdfOptions) -> FinishOptions:
    """What the save writes besides the pages: metadata, the form fields' font, the fingerprint, tags."""
    return FinishOptions(
        meta=meta,
        field_font=theme.font_paths["regular"],
        field_font_size=theme.style("body").fontSize,
        fingerprint=options.fingerprint,
        tagged=options.tagged,
    )
