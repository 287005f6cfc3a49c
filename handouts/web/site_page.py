"""Turn the rendered site PDFs into the static index.html: grouped by language, type and print size, plain links only."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import jinja2

from handouts import __version__
from handouts.clinic import Clinic
from handouts.i18n import translations
from handouts.vocabulary import HANDOUT_TITLES
from handouts.web import labels
from handouts.web.site_words import site_words


@dataclass(frozen=True)
class Variant:
    """One standard handout of the site."""

    type: str
    print_size: str
    paper: str
    language: str
    sheet: str = ""
    """A topic sheet's id when this variant is that sheet alone."""
    title: str = ""

    @property
    def filename(self) -> str:
        """A clean, stable name, e.g. ms-rrms-en-large-print-a4.pdf or sheets/fatigue-en-a4-large.pdf."""
        if self.sheet:
            return sheet_filename(self.sheet, self.language, self.paper, self.print_size)
        return f"ms-{self.type}-{self.language}-{self.print_size}-print-{self.paper}.pdf"

    @property
    def page_name(self) -> str:
        """Its web page, shared by both paper sizes, e.g. ms-rrms-en-large-print.html or
        sheets/fatigue-en-large.html (beside the sheet's PDFs)."""
        if self.sheet:
            return f"{SHEETS_FOLDER}/{self.sheet}-{self.language}-{self.print_size}.html"
        return f"ms-{self.type}-{self.language}-{self.print_size}-print.html"


SHEETS_FOLDER = "sheets"


def sheet_filename(sheet_id: str, language: str, paper: str, print_size: str) -> str:
    """The stable published name of a sheet PDF, e.g. sheets/fatigue-en-letter-standard.pdf.

    Printed QR codes point at these names: never change the pattern.
    """
    return f"{SHEETS_FOLDER}/{sheet_id}-{language}-{paper}-{print_size}.pdf"


@dataclass(frozen=True)
class SitePdf:
    """A rendered variant, with what the index says about it."""

    variant: Variant
    pages: int
    size: int


@dataclass(frozen=True)
class SizeRow:
    print_size: str
    label: str
    pdfs: tuple[SitePdf, ...]

    @property
    def page(self) -> str:
        """The web page of this type, language and print size."""
        return self.pdfs[0].variant.page_name


@dataclass(frozen=True)
class TypeGroup:
    type: str
    anchor: str
    title: str
    rows: tuple[SizeRow, ...]


@dataclass(frozen=True)
class LanguageGroup:
    language: str
    name: str
    types: tuple[TypeGroup, ...]
    sheets: tuple[TypeGroup, ...] = ()
    """Topic sheets, each alone, grouped like the types."""


def group_pdfs(pdfs: Sequence[SitePdf]) -> list[LanguageGroup]:
    """Language -> type -> print size -> the papers, each level in the order the PDFs came."""
    groups = []
    for language in _unique(p.variant.language for p in pdfs):
        in_language = [p for p in pdfs if p.variant.language == language and not p.variant.sheet]
        types = []
        for type_ in _unique(p.variant.type for p in in_language):
            of_type = [p for p in in_language if p.variant.type == type_]
            types.append(
                TypeGroup(type_, f"{language}-{type_}", type_title(type_, language), size_rows(of_type))
            )
        sheets = []
        in_language = [p for p in pdfs if p.variant.language == language and p.variant.sheet]
        for sheet in _unique(p.variant.sheet for p in in_language):
            of_sheet = [p for p in in_language if p.variant.sheet == sheet]
            title = of_sheet[0].variant.title
            sheets.append(TypeGroup(sheet, f"{language}-sheet-{sheet}", title, size_rows(of_sheet)))
        name = labels.label(labels.LANGUAGE_NAMES, language)
        groups.append(LanguageGroup(language, name, tuple(types), tuple(sheets)))
    return groups


def size_rows(pdfs: Sequence[SitePdf]) -> tuple[SizeRow, ...]:
    """One row per print size, holding its papers."""
    return tuple(
        SizeRow(
            size,
            labels.label(labels.PRINT_LABELS, size),
            tuple(p for p in pdfs if p.variant.print_size == size),
        )
        for size in _unique(p.variant.print_size for p in pdfs)
    )


def type_title(type_: str, language: str) -> str:
    """What a patient looks for: the type's name in English, the handout's translated title otherwise."""
    if language == "en":
        return labels.label(labels.TYPE_LABELS, type_)
    return translations(language).gettext(HANDOUT_TITLES.get(type_, type_))


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


def size_text(size: int) -> str:
    return f"{max(1, round(size / 1024))} KB"


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    folder = resources.files("handouts.web").joinpath("templates")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["size_text"] = size_text
    return env


def render_site_index(pdfs: Sequence[SitePdf], clinic: Clinic | None) -> str:
    """The index page's HTML."""
    template = _environment().get_template("site.html")
    return template.render(
        groups=group_pdfs(pdfs),
        clinic=clinic,
        labels=labels,
        stylesheet="handouts.css",
        favicon="favicon.svg",
        words_for=site_words,
        version=__version__,
        page_lang="en",
    )
