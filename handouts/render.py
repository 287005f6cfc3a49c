"""Turn a HandoutSpec into PDF bytes or an HTML page: the one place that knows every stage of the pipeline."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from handouts.content.empty import refuse_empty
from handouts.content.sheets import check_sheet_ids
from handouts.content.translation import SOURCE_LANGUAGE, select_translated
from handouts.engine import Engine
from handouts.errors import RenderError
from handouts.layout.context import NO_FLOOR, PrintFloor
from handouts.layout.environment import render_layout
from handouts.layout.pack import Part, joined_xml, unique_field_names
from handouts.layout.sheets import SHEET_MAX_SQUEEZE, render_sheet_xml
from handouts.pdf.pack import render_pack_pdf
from handouts.pdf.render import PdfOptions, render_pdf
from handouts.pdf.themes import check_printable
from handouts.spec import HandoutSpec
from handouts.xmltree import HandoutMeta, Node, pack_attributes, parse_document_xml, parse_handout_xml

if TYPE_CHECKING:
    from handouts.html.render import PageLink


@dataclass(frozen=True)
class Rendered:
    """A finished handout."""

    pdf: bytes
    pages: int
    xml: str = ""
    """The handout XML it was drawn from: the reading order its structure tree follows."""


MAX_SQUEEZE = 6
"""How many times a page-limited layout (max-pages) is asked for less before the render fails."""


def handout_xml(spec: HandoutSpec, engine: Engine, squeeze: int = 0, floor: PrintFloor = NO_FLOOR) -> str:
    """Stages 1-4: select the blocks for the spec and render its layout to handout XML (a `<pack>` with sheets)."""
    if spec.sheets:
        parts = pack_parts(spec, engine)
        return joined_xml(parts, pack_attributes([parse_handout_xml(p.xml, f"part '{p.id}'") for p in parts]))
    library = engine.library(spec.language)
    source = engine.library(SOURCE_LANGUAGE) if spec.language != SOURCE_LANGUAGE else None
    selection = select_translated(library, source, spec)
    refuse_empty(selection, library, spec)
    return render_layout(spec, library, selection, engine.templates_dirs, squeeze, floor)


def render_handout(spec: HandoutSpec, engine: Engine, fingerprint: str = "") -> Rendered:
    """All stages: spec -> handout XML -> flowables -> PDF (fields, tags and metadata in its one save).
    Returns bytes, writes nothing.

    A layout that declares `max-pages` is laid out again with a growing `squeeze` until it fits; after
    the first draft, drafts only count their pages, and the one that fits is drawn.
    `fingerprint` (the batch's hash of the spec) is written to the XMP metadata when given.
    A spec with topic sheets renders as one pack (render_pack).
    """
    with collector_paused():
        if spec.sheets:
            return render_pack(spec, engine, fingerprint)
        return _render_fitting(spec, engine, fingerprint)


def _render_fitting(spec: HandoutSpec, engine: Engine, fingerprint: str) -> Rendered:
    floor = print_floor(spec, engine)  # large print never prints less than standard print
    measure_only = False
    for squeeze in range(MAX_SQUEEZE + 1):
        rendered, max_pages = _render_once(spec, engine, squeeze, fingerprint, floor, measure_only)
        if max_pages is None or rendered.pages <= max_pages:
            if measure_only:
                rendered, _ = _render_once(spec, engine, squeeze, fingerprint, floor)
            return rendered
        measure_only = True
    raise RenderError(
        f"layout '{spec.layout}' must fit on {max_pages} page(s) but needs {rendered.pages} "
        "(shorten the notes, or use the standard layout)"
    )


def render_handout_html(spec: HandoutSpec, engine: Engine, versions: tuple[PageLink, ...] = ()) -> str:
    """spec -> handout XML -> one HTML page, with the same words as the PDF of the same spec.

    A page-limited layout or a pack (whose parts may be asked for less) is first drawn as a PDF, so the
    page says exactly what the fitted PDF says. The HTML stage is imported here, by the first page: a PDF
    build never needs it (about 8 ms of a cold `handouts build`).
    """
    from handouts.html.render import HtmlOptions, render_html

    origin = f"layout '{spec.layout}' output"
    root = parse_document_xml(handout_xml(spec, engine), origin)
    if root.tag == "pack" or HandoutMeta.from_root(root).max_pages is not None:
        root = parse_document_xml(render_handout(spec, engine).xml, origin)
    theme = engine.theme(spec.theme)
    check_printable(spec.user_text(), theme)
    clinic = spec.clinic
    options = HtmlOptions(
        origin=origin,
        accent=clinic.accent if clinic else None,
        logo=clinic.logo if clinic else None,
        versions=versions,
    )
    return render_html(root, theme, options)


_collector = threading.Lock()
_paused = [0, False]  # renders in progress, and whether the collector was on before the first began


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a handout renders, and resume it after.

    A render allocates many objects that live until it ends (flowables, fragments, PDF objects); the
    collector would scan them again and again (about a sixth of a render's CPU time). Reference counting
    still frees what a render drops, and the collector, resumed, finds any cycles later. Concurrent
    renders (the web server's threads) share one pause.
    """
    with _collector:
        if _paused[0] == 0:
            _paused[1] = gc.isenabled()
            gc.disable()
        _paused[0] += 1
    try:
        yield
    finally:
        with _collector:
            _paused[0] -= 1
            if _paused[0] == 0 and _paused[1]:
                gc.enable()


def print_floor(spec: HandoutSpec, engine: Engine) -> PrintFloor:
    """For a large-print handout of a page-limited layout: the questions and key points its
    standard-print twin prints, which the large-print one must print too."""
    if spec.print_size != "large":
        return NO_FLOOR
    twin = replace(spec, print_size="standard", fillable=False, tagged=False)
    if HandoutMeta.from_root(parse_handout_xml(handout_xml(twin, engine), "floor")).max_pages is None:
        return NO_FLOOR
    try:
        root = parse_handout_xml(render_handout(twin, engine).xml, f"layout '{spec.layout}' output")
    except RenderError:  # the twin cannot fit (long notes): large print has no floor to keep, only its own
        return NO_FLOOR
    questions = key_points = 0
    for node in _walk(root):
        if node.tag == "question":
            questions += 1
        elif node.tag == "callout" and node.attrs.get("kind") == "keypoints":
            key_points += sum(1 for item in _walk(node) if item.tag == "item")
    return PrintFloor(questions=questions, key_points=key_points)


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.elements():
        yield from _walk(child)


def _render_once(
    spec: HandoutSpec,
    engine: Engine,
    squeeze: int,
    fingerprint: str = "",
    floor: PrintFloor = NO_FLOOR,
    measure_only: bool = False,
) -> tuple[Rendered, int | None]:
    xml = handout_xml(spec, engine, squeeze, floor)
    origin = f"layout '{spec.layout}' output"
    root = parse_handout_xml(xml, origin)
    theme = engine.theme(spec.theme)
    check_printable(spec.user_text(), theme)
    max_pages = HandoutMeta.from_root(root).max_pages
    clinic = spec.clinic
    options = PdfOptions(
        paper=spec.paper,
        origin=origin,
        accent=clinic.accent if clinic else None,
        logo=clinic.logo if clinic else None,
        fillable=spec.fillable,
        tagged=spec.tagged,
        fingerprint=fingerprint,
        page_limit=max_pages if squeeze < MAX_SQUEEZE else None,
        measure_only=measure_only,
    )
    drawn = render_pdf(root, theme, options)
    if not drawn.pdf:  # a draft that does not fit (or was only measured): squeeze harder
        return Rendered(pdf=b"", pages=drawn.pages), max_pages
    return Rendered(pdf=drawn.pdf, pages=drawn.pages, xml=xml), max_pages


def pack_parts(spec: HandoutSpec, engine: Engine, squeeze: Sequence[int] = ()) -> list[Part]:
    """The core handout (unless sheets only) and each topic sheet, in order, as handout XML;
    `squeeze[n]` is the squeeze asked of part n (0 when not given)."""
    library = engine.library(spec.language)
    source = engine.library(SOURCE_LANGUAGE) if spec.language != SOURCE_LANGUAGE else None
    check_sheet_ids(spec.sheets, library, source or library)
    core = replace(spec, sheets=(), sheets_only=False)
    squeezes = iter([*squeeze, *[0] * (len(spec.sheets) + 1)])
    parts = [] if spec.sheets_only else [Part("core", handout_xml(core, engine, next(squeezes)))]
    for index, sheet_id in enumerate(spec.sheets):
        notes = spec.notes if spec.sheets_only and index == 0 else ()  # care-team notes print once
        sheet_spec = replace(core, notes=notes)
        xml = render_sheet_xml(sheet_spec, library, source, sheet_id, engine.templates_dirs, next(squeezes))
        parts.append(Part(sheet_id, xml))
    return parts


def render_pack(spec: HandoutSpec, engine: Engine, fingerprint: str = "") -> Rendered:
    """The core handout and its topic sheets as one document: one story, one ReportLab build, one post-pass.

    A part whose layout declares max-pages (a sheet: 2, or 4 in large print; the summary: 1) and
    overflows is rendered again with a growing squeeze, as render_handout does for one handout; a sheet
    that never fits is printed anyway, on more pages (the page-budget tests catch it).
    """
    theme = engine.theme(spec.theme)
    check_printable(spec.user_text(), theme)
    caps = [*([] if spec.sheets_only else [MAX_SQUEEZE]), *[SHEET_MAX_SQUEEZE] * len(spec.sheets)]
    squeeze = [0] * len(caps)
    clinic = spec.clinic
    options = PdfOptions(
        paper=spec.paper,
        origin="pack",
        accent=clinic.accent if clinic else None,
        logo=clinic.logo if clinic else None,
        fillable=spec.fillable,
        tagged=spec.tagged,
        fingerprint=fingerprint,
        page_limit=1,  # any number: a part over its own max-pages returns a draft
    )
    while True:
        parts = pack_parts(spec, engine, squeeze)
        roots = [(p.id, parse_handout_xml(p.xml, f"part '{p.id}' output")) for p in parts]
        unique_field_names(roots)
        attrs = pack_attributes([root for _, root in roots])
        drawn = render_pack_pdf(roots, attrs, theme, options, duplex=spec.duplex)
        if drawn.pdf:
            return Rendered(pdf=drawn.pdf, pages=drawn.pages, xml=joined_xml(parts, attrs))
        limits = [HandoutMeta.from_root(root).max_pages or 0 for _, root in roots]
        over = [i for i, (n, limit) in enumerate(zip(drawn.part_pages, limits, strict=True)) if n > limit > 0]
        squeezable = [i for i in over if squeeze[i] < caps[i]]
        for index in squeezable:
            squeeze[index] += 1
        if not squeezable:
            options = replace(options, page_limit=None)
