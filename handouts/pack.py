"""Turn a spec that asks for topic sheets into a pack: each part's handout XML, one `<pack>`, one PDF."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from functools import partial
from xml.sax.saxutils import quoteattr

from handouts.library import Library
from handouts.render import Engine, Rendered, check_printable, handout_xml
from handouts.selection import Section, Selection
from handouts.sheet_content import check_sheet_ids, select_sheet_translated
from handouts.spec import HandoutSpec
from handouts.xmltree import Node

SHEET_LAYOUT = "sheet"
HELP_BLOCK_IDS = ("where-to-get-help",)
"""Core blocks printed under a sheet's "Where to get help" (the core handout's country-aware help block);
when the library has none of them, the sheet layout prints a short line pointing to the "getting-help" sheet."""


@dataclass(frozen=True)
class SheetView:
    """What the sheet layout knows about its sheet besides the selected sections."""

    id: str
    title: str
    subtitle: str
    when_to_call_id: str
    help_id: str


@dataclass(frozen=True)
class Part:
    """One part of a pack: `core` or a sheet id, and its handout XML."""

    id: str
    xml: str


def sheet_xml(spec: HandoutSpec, engine: Engine, sheet_id: str) -> str:
    """Stages 1-4 for one topic sheet: select its blocks for the spec and render the sheet layout."""
    from handouts.layouts import render_layout
    from handouts.translation import SOURCE_LANGUAGE

    library = engine.library(spec.language)
    source = engine.library(SOURCE_LANGUAGE) if spec.language != SOURCE_LANGUAGE else None
    sheet, selection = select_sheet_translated(library, source, sheet_id, spec)
    view = SheetView(
        id=sheet.id,
        title=sheet.title,
        subtitle=sheet.subtitle,
        when_to_call_id=sheet.when_to_call_id,
        help_id=f"{sheet.id}-help",
    )
    selection = with_help(selection, library, view.help_id, spec)
    return render_layout(
        spec, library, selection, engine.templates_dirs, layout=SHEET_LAYOUT, extra={"sheet": view}
    )


def with_help(selection: Selection, library: Library, help_id: str, spec: HandoutSpec) -> Selection:
    """The selection plus the core library's where-to-get-help blocks that fit the spec, as one section."""
    from handouts.library import Topic

    blocks = tuple(
        library.blocks[i]
        for i in HELP_BLOCK_IDS
        if i in library.blocks and library.blocks[i].tags.fit(spec.type, spec.stage, spec.audience)
    )
    if not blocks:
        return selection
    return replace(selection, sections=(*selection.sections, Section(Topic(help_id, help_id), blocks)))


def pack_parts(spec: HandoutSpec, engine: Engine) -> list[Part]:
    """The core handout (unless sheets only) and each sheet, in order, as handout XML."""
    from handouts.translation import SOURCE_LANGUAGE

    library = engine.library(spec.language)
    check_sheet_ids(spec.sheets, library, engine.library(SOURCE_LANGUAGE))
    core = replace(spec, sheets=(), sheets_only=False)
    parts = [] if spec.sheets_only else [Part("core", handout_xml(core, engine))]
    for index, sheet_id in enumerate(spec.sheets):
        notes = spec.notes if spec.sheets_only and index == 0 else ()  # care-team notes print once
        parts.append(Part(sheet_id, sheet_xml(replace(core, notes=notes), engine, sheet_id)))
    return parts


def pack_xml(spec: HandoutSpec, engine: Engine) -> str:
    """A `<pack>` holding one `<handout>` per part, for `--emit xml`."""
    from handouts.xmltree import parse_handout_xml

    parts = pack_parts(spec, engine)
    return joined_xml(parts, pack_attributes([parse_handout_xml(p.xml, f"part '{p.id}'") for p in parts]))


def pack_attributes(roots: list[Node]) -> dict[str, str]:
    """The document's attributes: the first part's, with a title that names every part and a joint version."""
    attrs = dict(roots[0].attrs)
    if len(roots) > 1:
        attrs["title"] = " + ".join(r.attrs.get("title", "") for r in roots)
        attrs["subject"] = "; ".join(r.attrs.get("subject", "") for r in roots)
        digest = hashlib.sha256(" ".join(r.attrs.get("content-version", "") for r in roots).encode())
        attrs["content-version"] = digest.hexdigest()[:10]
        reviews = [r.attrs["oldest-review"] for r in roots if r.attrs.get("oldest-review")]
        attrs["oldest-review"] = min(reviews, default="")
        footer = roots[0].attrs.get("footer-detail", "")
        for key in ("content-version", "oldest-review"):
            footer = footer.replace(roots[0].attrs.get(key, "") or "\0", attrs[key])
        attrs["footer-detail"] = footer
    attrs.pop("max-pages", None)
    return attrs


def unique_field_names(roots: list[tuple[str, Node]]) -> None:
    """Give a later part's form field (question id, write-in name) its part id as prefix when the name is taken."""
    seen: set[str] = set()
    for part_id, root in roots:
        for node in _walk(root):
            key = "id" if node.tag == "question" else "name" if node.tag == "write-in" else ""
            if not key:
                continue
            name = node.attrs.get(key) or ("notes" if key == "name" else "")
            if name in seen:
                name = f"{part_id}-{name}"
            while name in seen:
                name += "-2"
            node.attrs[key] = name
            seen.add(name)


def _walk(node: Node) -> list[Node]:
    found = [node]
    for child in node.elements():
        found += _walk(child)
    return found


def render_pack(spec: HandoutSpec, engine: Engine, fingerprint: str = "") -> Rendered:
    """All stages for a pack: every part's XML, one story, one ReportLab build, one post-pass."""
    from handouts.document import DocumentInfo
    from handouts.layouts import Provenance
    from handouts.pack_document import PartStory, build_pack_pdf
    from handouts.postpass import FinishOptions, finish_pdf
    from handouts.story import StoryContext, build_story
    from handouts.structtree import write_structure
    from handouts.xmltree import parse_handout_xml

    parts = pack_parts(spec, engine)
    roots = [(p.id, parse_handout_xml(p.xml, f"part '{p.id}' output")) for p in parts]
    unique_field_names(roots)
    theme = engine.theme(spec.theme)
    check_printable(spec, theme)
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
    document = build_pack_pdf(stories, theme, spec.paper, info, tagged=spec.tagged, duplex=spec.duplex)
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
    tagger = partial(write_structure, marks=document.marks) if document.marks else None
    pdf = finish_pdf(document.pdf, document.fields, options, tagger)
    return Rendered(pdf=pdf, pages=document.pages, xml=joined_xml(parts, attrs))


def joined_xml(parts: list[Part], attrs: dict[str, str]) -> str:
    """One part's XML as it is; several parts inside a `<pack>` named like the document."""
    if len(parts) == 1:
        return parts[0].xml
    head = " ".join(f"{key}={quoteattr(attrs[key])}" for key in ("lang", "title"))
    return f"<pack {head}>\n" + "".join(p.xml.rstrip("\n") + "\n" for p in parts) + "</pack>\n"


def nest_outline(story: list[object], part_id: str, title: str, nested: bool) -> None:
    """Make section bookmarks and structure groups unique to the part; in a pack, nest them under the part."""
    for flowable in story:
        section = getattr(flowable, "handout_section", None)
        if section is not None:
            flowable.handout_section = f"{part_id}/{section}"  # type: ignore[attr-defined]
        if getattr(flowable, "outline_title", None):
            flowable.outline_key = f"{part_id}-{getattr(flowable, 'outline_key', '')}"  # type: ignore[attr-defined]
            flowable.outline_level = 1 if nested else 0  # type: ignore[attr-defined]
    if nested and story and not getattr(story[0], "outline_title", None):
        head = story[0]
        head.outline_title = title  # type: ignore[attr-defined]
        head.outline_key = f"part-{part_id}"  # type: ignore[attr-defined]
        head.outline_level = 0  # type: ignore[attr-defined]
