"""Turn a spec that asks for topic sheets into a pack: each part's handout XML, one `<pack>`, one PDF."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from xml.sax.saxutils import quoteattr

from handouts.library import Library
from handouts.render import Engine, handout_xml
from handouts.selection import Section, Selection
from handouts.sheet_content import check_sheet_ids, select_sheet_translated
from handouts.spec import HandoutSpec
from handouts.xmltree import Node

SHEET_LAYOUT = "sheet"
SHEET_MAX_SQUEEZE = 3
"""The steps the sheet layout can give up when a sheet overflows its pages (see templates/layouts/sheet.xml.j2)."""
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


def sheet_xml(spec: HandoutSpec, engine: Engine, sheet_id: str, squeeze: int = 0) -> str:
    """Stages 1-4 for one topic sheet: select its blocks for the spec and render the sheet layout;
    `squeeze` > 0 asks the layout for less (it declares max-pages: 2, or 4 in large print)."""
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
        spec, library, selection, engine.templates_dirs, squeeze, layout=SHEET_LAYOUT, extra={"sheet": view}
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


def pack_parts(spec: HandoutSpec, engine: Engine, squeeze: Sequence[int] = ()) -> list[Part]:
    """The core handout (unless sheets only) and each sheet, in order, as handout XML;
    `squeeze[n]` is the squeeze asked of part n (0 when not given)."""
    from handouts.translation import SOURCE_LANGUAGE

    library = engine.library(spec.language)
    check_sheet_ids(spec.sheets, library, engine.library(SOURCE_LANGUAGE))
    core = replace(spec, sheets=(), sheets_only=False)
    squeezes = iter([*squeeze, *[0] * (len(spec.sheets) + 1)])
    parts = [] if spec.sheets_only else [Part("core", handout_xml(core, engine, next(squeezes)))]
    for index, sheet_id in enumerate(spec.sheets):
        notes = spec.notes if spec.sheets_only and index == 0 else ()  # care-team notes print once
        parts.append(Part(sheet_id, sheet_xml(replace(core, notes=notes), engine, sheet_id, next(squeezes))))
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


def joined_xml(parts: list[Part], attrs: dict[str, str]) -> str:
    """One part's XML as it is; several parts inside a `<pack>` named like the document."""
    if len(parts) == 1:
        return parts[0].xml
    head = " ".join(f"{key}={quoteattr(attrs[key])}" for key in ("lang", "title"))
    return f"<pack {head}>\n" + "".join(p.xml.rstrip("\n") + "\n" for p in parts) + "</pack>\n"
