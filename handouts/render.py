"""Turn a HandoutSpec into PDF bytes: the one place that knows every stage of the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path

from handouts.errors import RenderError, SpecError
from handouts.library import Library, load_library
from handouts.paths import stacked
from handouts.spec import HandoutSpec
from handouts.themes import Theme, load_theme


@dataclass(frozen=True)
class Engine:
    """The stacked content and template directories; loads each library and theme once per process."""

    content_dirs: tuple[Path, ...]
    templates_dirs: tuple[Path, ...]

    @classmethod
    def from_dirs(cls, content_dirs: Sequence[Path] = (), templates_dirs: Sequence[Path] = ()) -> Engine:
        return cls(stacked("content", content_dirs), stacked("templates", templates_dirs))

    def library(self, language: str) -> Library:
        return _cached_library(self.content_dirs, language)

    def theme(self, name: str) -> Theme:
        return _cached_theme(name, self.templates_dirs)


@lru_cache(maxsize=16)
def _cached_library(content_dirs: tuple[Path, ...], language: str) -> Library:
    return load_library(content_dirs, language)


@lru_cache(maxsize=16)
def _cached_theme(name: str, templates_dirs: tuple[Path, ...]) -> Theme:
    return load_theme(name, templates_dirs)


@dataclass(frozen=True)
class Rendered:
    """A finished handout."""

    pdf: bytes
    pages: int
    xml: str = ""
    """The handout XML it was drawn from: the reading order its structure tree follows."""


MAX_SQUEEZE = 6
"""How many times a page-limited layout (max-pages) is asked for less before the render fails."""


def handout_xml(spec: HandoutSpec, engine: Engine, squeeze: int = 0) -> str:
    """Stages 1-4: select the blocks for the spec and render its layout to handout XML (a `<pack>` with sheets)."""
    if spec.sheets:
        from handouts.pack import pack_xml

        return pack_xml(spec, engine)
    from handouts.layouts import render_layout
    from handouts.translation import SOURCE_LANGUAGE, select_translated

    library = engine.library(spec.language)
    source = engine.library(SOURCE_LANGUAGE) if spec.language != SOURCE_LANGUAGE else None
    return render_layout(
        spec, library, select_translated(library, source, spec), engine.templates_dirs, squeeze
    )


def render_handout(spec: HandoutSpec, engine: Engine, fingerprint: str = "") -> Rendered:
    """All stages: spec -> handout XML -> flowables -> PDF -> post-pass. Returns bytes, writes nothing.

    A layout that declares `max-pages` is re-rendered with a growing `squeeze` until it fits.
    `fingerprint` (the batch's hash of the spec) is written to the XMP metadata when given.
    A spec with topic sheets renders as one pack (handouts.pack).
    """
    if spec.sheets:
        from handouts.pack_render import render_pack

        return render_pack(spec, engine, fingerprint)
    for squeeze in range(MAX_SQUEEZE + 1):
        rendered, max_pages = _render_once(spec, engine, squeeze, fingerprint)
        if max_pages is None or rendered.pages <= max_pages:
            return rendered
    raise RenderError(
        f"layout '{spec.layout}' must fit on {max_pages} page(s) but needs {rendered.pages} "
        "(shorten the notes, or use the standard layout)"
    )


def check_printable(spec: HandoutSpec, theme: Theme) -> None:
    """Refuse user text with characters the theme's fonts cannot print, naming field and characters."""
    clinic = spec.clinic
    fields = {
        "patient_name": spec.patient_name or "",
        "notes": " ".join(spec.notes),
        **(
            {
                f"clinic {k}": getattr(clinic, k) or ""
                for k in ("name", "department", "phone", "website", "address")
            }
            if clinic
            else {}
        ),
    }
    problems = []
    for field, text in fields.items():
        missing = theme.missing_glyphs(text)
        if missing:
            shown = " ".join(f"{ch!r} (U+{ord(ch):04X})" for ch in missing[:5])
            problems.append(
                (field, f"the handout font has no character for {shown} (replace it with plain letters)")
            )
    if problems:
        raise SpecError("; ".join(f"{key}: {what}" for key, what in problems), problems)


def _render_once(
    spec: HandoutSpec, engine: Engine, squeeze: int, fingerprint: str = ""
) -> tuple[Rendered, int | None]:
    from handouts.document import DocumentInfo, build_pdf
    from handouts.layouts import Provenance
    from handouts.postpass import FinishOptions, finish_pdf
    from handouts.story import StoryContext, build_story
    from handouts.structtree import write_structure
    from handouts.xmltree import parse_handout_xml

    xml = handout_xml(spec, engine, squeeze)
    root = parse_handout_xml(xml, f"layout '{spec.layout}' output")
    theme = engine.theme(spec.theme)
    check_printable(spec, theme)
    clinic = spec.clinic
    context = StoryContext(
        theme=theme,
        accent=clinic.accent if clinic else theme.colour_hex("rule"),
        logo=clinic.logo if clinic else None,
        fillable=spec.fillable,
        origin=f"layout '{spec.layout}' output",
    )
    attrs = root.attrs
    provenance = Provenance(
        content_version=attrs.get("content-version", ""),
        oldest_review=attrs.get("oldest-review", ""),
        generator=attrs.get("generator", ""),
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
    document = build_pdf(build_story(root, context), theme, spec.paper, info, tagged=spec.tagged)
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
    max_pages = int(attrs["max-pages"]) if attrs.get("max-pages", "").isdigit() else None
    if max_pages is not None and document.pages > max_pages and squeeze < MAX_SQUEEZE:
        return Rendered(
            pdf=b"", pages=document.pages
        ), max_pages  # no post-pass for a draft that does not fit
    tagger = partial(write_structure, marks=document.marks) if document.marks else None
    pdf = finish_pdf(document.pdf, document.fields, options, tagger)
    return Rendered(pdf=pdf, pages=document.pages, xml=xml), max_pages
