"""Turn a handout XML tree and a theme into finished PDF bytes: story, document, fields, tags, metadata."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from handouts.pdf.document import build_pdf
from handouts.pdf.postpass import FinishOptions, finish_pdf
from handouts.pdf.story import StoryContext, build_story
from handouts.pdf.structtree import write_structure
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
    """A document longer than this is returned as a page count only, without the post-pass."""


@dataclass(frozen=True)
class RenderedPdf:
    """PDF bytes (empty when over the page limit) and the page count."""

    pdf: bytes
    pages: int


def render_pdf(root: Node, theme: Theme, options: PdfOptions) -> RenderedPdf:
    """Draw the tree with the theme, then add fields, the structure tree and metadata; return bytes."""
    meta = HandoutMeta.from_root(root)
    context = StoryContext(
        theme=theme,
        accent=options.accent or theme.colour_hex("rule"),
        logo=options.logo,
        fillable=options.fillable,
        origin=options.origin,
    )
    document = build_pdf(build_story(root, context), theme, options.paper, meta, tagged=options.tagged)
    if options.page_limit is not None and document.pages > options.page_limit:
        return RenderedPdf(pdf=b"", pages=document.pages)
    finish = FinishOptions(
        meta=meta,
        field_font=theme.font_paths["regular"],
        field_font_size=theme.style("body").fontSize,
        fingerprint=options.fingerprint,
    )
    tagger = partial(write_structure, marks=document.marks) if document.marks else None
    return RenderedPdf(pdf=finish_pdf(document.pdf, document.fields, finish, tagger), pages=document.pages)
