"""Turn the themes and every text a handout can print into problems for characters the fonts cannot draw."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from reportlab.pdfbase.ttfonts import TTFontFile

from handouts.check.handouts import glossary_origin
from handouts.check.lines import read_lines
from handouts.check.model import Problems
from handouts.content.model import Library
from handouts.errors import HandoutsError
from handouts.i18n import LOCALE_DIR
from handouts.paths import regular_file_inside
from handouts.pdf.themes import Theme, load_theme, theme_names


def load_themes(templates_dirs: Sequence[Path], problems: Problems) -> list[Theme]:
    """Every theme that loads; the others become problems."""
    themes = []
    for name in theme_names(templates_dirs):
        try:
            themes.append(load_theme(name, templates_dirs))
        except HandoutsError as exc:
            problems.error(exc, "theme")
    return themes


def check_glyphs(
    libraries: Iterable[Library], themes: Sequence[Theme], templates_dirs: Sequence[Path], problems: Problems
) -> None:
    """Every character that can be printed must have a glyph in every theme's fonts."""
    fonts = sorted({path for theme in themes for path in theme.font_paths.values()})
    cmaps = {path: font_characters(path) for path in fonts}
    seen: set[tuple[Path, str]] = set()
    for path, line, text in printed_texts(libraries, templates_dirs):
        for char in sorted(set(text)):
            if char.isspace() or (path, char) in seen:
                continue
            missing = [font for font in fonts if ord(char) not in cmaps[font]]
            if missing:
                seen.add((path, char))
                problems.add(
                    path, char_line(path, char, line), "glyph",
                    f"character '{char}' (U+{ord(char):04X}) has no glyph in {missing[0].name}",
                    "replace it with one the font has, or use a theme whose fonts have it",
                )  # fmt: skip


def font_characters(path: Path) -> frozenset[int]:
    return frozenset(TTFontFile(str(path)).charToGlyph)


def char_line(path: Path, char: str, default: int) -> int:
    return next((n for n, text in enumerate(read_lines(path), 1) if char in text), default)


def printed_texts(
    libraries: Iterable[Library], templates_dirs: Sequence[Path]
) -> Iterator[tuple[Path, int, str]]:
    """(file, line, text) for everything that can reach the page: content, templates, translations."""
    languages = []
    for library in libraries:
        languages.append(library.language)
        yield from library_texts(library)
    for directory in templates_dirs:
        for path in sorted([*directory.glob("layouts/*.j2"), *directory.glob("partials/*.j2")]):
            if regular_file_inside(path, directory.resolve()):  # a link outside is reported by the loader
                yield path, 1, "\n".join(read_lines(path))
    for language in languages:
        for path in sorted(LOCALE_DIR.glob(f"{language}/LC_MESSAGES/*.po")):
            yield path, 1, "\n".join(line for line in read_lines(path) if line.startswith(("msgstr", '"')))


def library_texts(library: Library) -> Iterator[tuple[Path, int, str]]:
    for block in library.blocks.values():
        yield block.path, 1, "\n".join((block.title, block.key_point or "", block.body))
    for question in library.questions:
        yield question.path, question.line, question.text
    for term in library.glossary:
        origin = glossary_origin(library, term.term)
        yield origin.path, origin.line, " ".join((term.term, term.definition))
    for path in library.files:
        if path.name in ("topics.yaml", "sources.yaml"):
            yield path, 1, "\n".join(line for line in read_lines(path) if not line.lstrip().startswith("#"))
