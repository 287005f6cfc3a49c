"""Turn a pack's parts into one PDF: one story per part, one ReportLab build, one post-pass; squeeze parts that overflow."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from handouts.document import DocumentInfo
from handouts.layouts import Provenance
from handouts.pack import SHEET_MAX_SQUEEZE, joined_xml, pack_attributes, pack_parts, unique_field_names
from handouts.pack_document import PackDocument, PartStory, build_pack_pdf
from handouts.postpass import FinishOptions, finish_pdf
from handouts.render import MAX_SQUEEZE, Engine, Rendered, check_printable
from handouts.spec import HandoutSpec
from handouts.story import StoryContext, build_story
from handouts.structtree import write_structure
from handouts.themes import Theme
from handouts.xmltree import Node, parse_handout_xml


def render_pack(spec: HandoutSpec, engine: Engine, fingerprint: str = "") -> Rendered:
    """All stages for a pack: every part's XML, one story, one ReportLab build, one post-pass.

    A part whose layout declares max-pages (a sheet: 2, or 4 in large print; the summary: 1) and
    overflows it is rendered again with a growing squeeze, as render_handout does for one handout;
    a part that never fits is printed anyway, on more pages (the page-budget tests catch it).
    """
    theme = engine.theme(spec.theme)
    check_printable(spec, theme)
    caps = [*([] if spec.sheets_only else [MAX_SQUEEZE]), *[SHEET_MAX_SQUEEZE] * len(spec.sheets)]
    squeeze = [0] * len(caps)
    for _ in range(MAX_SQUEEZE + 1):
        parts = pack_parts(spec, engine, squeeze)
        roots = [(p.id, parse_handout_xml(p.xml, f"part '{p.id}' output")) for p in parts]
        built = build_parts(spec, theme, roots, fingerprint)
        limits = [
            int(r.attrs["max-pages"]) if r.attrs.get("max-pages", "").isdigit() else 0 for _, r in roots
        ]
        over = [
            i
            for i, (pages, limit) in enumerate(zip(built.layout.part_pages(), limits, strict=True))
            if limit and pages > limit and squeeze[i] < caps[i]
        ]
        if not over:
            break
        for index in over:
            squeeze[index] += 1
    tagger = (
        partial(write_structure, marks=built.layout.document.marks) if built.layout.document.marks else None
    )
    pdf = finish_pdf(built.layout.document.pdf, built.layout.document.fields, built.options, tagger)
    return Rendered(pdf=pdf, pages=built.layout.document.pages, xml=joined_xml(parts, built.attrs))


@dataclass(frozen=True)
class BuiltPack:
    """One layout of the pack, before the post-pass: the pages, the document's attributes and finish options."""

    layout: PackDocument
    attrs: dict[str, str]
    options: FinishOptions


def build_parts(
    spec: HandoutSpec, theme: Theme, roots: list[tuple[str, Node]], fingerprint: str = ""
) -> BuiltPack:
    """Stages 5-6 for every part: one story each, laid out together in one ReportLab build."""
    unique_field_names(roots)
    clinic = spec.clinic
    stories = []
    for part_id, root in roots:
        context = StoryContext(
            theme=theme,
            accent=clinic.accent if clinic else theme.colour_hex("rule"),
            logo=clinic.logo if clinic else None,
            fillable=spec.fillable,
            origin=f"part '{part_id}' output",
        )
        story = build_story(root, context)
        nest_outline(story, part_id, root.attrs.get("title", part_id), nested=len(roots) > 1)
        stories.append(PartStory(part_id, root.attrs.get("title", part_id), story))
    attrs = pack_attributes([root for _, root in roots])
    provenance = Provenance(
        attrs.get("content-version", ""), attrs.get("oldest-review", ""), attrs.get("generator", "")
    )
    info = DocumentInfo(
        title=attrs.get("title", ""),
        subject=attrs.get("subject", ""),
        author=attrs.get("author", ""),
        keywords=attrs.get("keywords", ""),
        lang=attrs.get("lang", "en-US"),
        creator=provenance.generator,
        footer_left=attrs.get("footer", ""),
        footer_detail=attrs.get("footer-detail", ""),
        page_label=attrs.get("page-label", "Page {page} of"),
    )
    layout = build_pack_pdf(stories, theme, spec.paper, info, tagged=spec.tagged, duplex=spec.duplex)
    options = FinishOptions(
        title=info.title,
        subject=info.subject,
        author=info.author,
        lang=info.lang,
        keywords=info.keywords,
        provenance=provenance,
        field_font=theme.font_paths["regular"],
        field_font_size=theme.style("body").fontSize,
        fingerprint=fingerprint,
    )
    return BuiltPack(layout, attrs, options)


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
