"""Turn a topic sheet, its selection and the spec into handout XML through the sheet layout."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from handouts.content.model import Library, Topic
from handouts.content.selection import Section, Selection
from handouts.content.sheets import select_sheet_translated
from handouts.layout.context import printed_sources
from handouts.layout.environment import render_layout
from handouts.spec import HandoutSpec

SHEET_LAYOUT = "sheet"
SHEET_MAX_SQUEEZE = 3
"""The steps the sheet layout can give up when a sheet overflows its pages (see templates/layouts/sheet.xml.j2)."""
SHEET_MAX_SOURCES = 4
"""A sheet prints at most this many sources, most-cited first; `handouts list --sources` lists them all."""
HELP_BLOCK_IDS = ("getting-help",)
"""Core blocks printed under a sheet's "Where to get help" (the handout's country-aware help block, in
content/<lang>/when-to-call/); when the library has none that fit, the sheet layout prints one line of its own."""
HELP_SHEET = "getting-help"
"""The sheet that is itself about getting help: it has no "Where to get help" section."""


@dataclass(frozen=True)
class SheetView:
    """What the sheet layout knows about its sheet besides the selected sections."""

    id: str
    title: str
    subtitle: str
    when_to_call_id: str
    help_id: str


def render_sheet_xml(
    spec: HandoutSpec,
    library: Library,
    source: Library | None,
    sheet_id: str,
    templates_dirs: tuple[Path, ...],
    squeeze: int = 0,
) -> str:
    """Select the sheet's blocks for the spec (translated, or marked English) and render the sheet layout;
    `squeeze` > 0 asks the layout for less (it declares max-pages: 2, or 4 in large print)."""
    sheet, selection = select_sheet_translated(library, source, sheet_id, spec)
    view = SheetView(sheet.id, sheet.title, sheet.subtitle, sheet.when_to_call_id, f"{sheet.id}-help")
    selection = with_help(selection, library, view.help_id, spec)
    printed = printed_sources(library, selection.blocks, spec.help_country, SHEET_MAX_SOURCES)
    extra = {"sheet": view, "sources": printed.shown, "sources_total": printed.total}
    return render_layout(spec, library, selection, templates_dirs, squeeze, layout=SHEET_LAYOUT, extra=extra)


def with_help(selection: Selection, library: Library, help_id: str, spec: HandoutSpec) -> Selection:
    """The selection plus the core library's where-to-get-help blocks that fit the spec, as one section."""
    blocks = tuple(
        library.blocks[i]
        for i in HELP_BLOCK_IDS
        if i in library.blocks and library.blocks[i].tags.fit(spec.type, spec.stage, spec.audience)
    )
    if not blocks or help_id == f"{HELP_SHEET}-help":
        return selection
    return replace(selection, sections=(*selection.sections, Section(Topic(help_id, help_id), blocks)))
