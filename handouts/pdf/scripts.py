"""Turn user text in any script into paragraph markup: each run in a font that has it, right-to-left runs in order.

The theme's font (Atkinson Hyperlegible) prints what it covers. A run of characters it lacks goes to
the first fallback font that has them: Noto Sans (Latin Extended, Vietnamese, Yoruba, Greek, Cyrillic),
Noto Sans Arabic, Noto Sans Hebrew, then WenQuanYi Micro Hei (Chinese, Japanese, Korean). Fallback
fonts are registered only when a run needs one, so an ordinary handout does not change by a byte.

A right-to-left run is put in visual order here: python-bidi orders it (numbers and Latin inside it
read left to right), HarfBuzz shapes each right-to-left stretch (Arabic letters join) into the glyphs
in drawing order, and the run is kept on one line (no-break spaces). An `/ActualText` around it gives
text extraction and screen readers the run in logical order. Right-to-left runs print in the regular
weight: they are shaped with the regular face.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

from handouts.cache import entry_key, read_entry, source_fingerprint, write_entry
from handouts.errors import Problem
from handouts.escaping import escape_text, quote_attribute
from handouts.normal import normalise
from handouts.paths import builtin_dir
from handouts.pdf.actualtext import actual_text_string

NO_BREAK_SPACE = "\u00a0"
ACTUAL_TEXT_BEGIN = "handoutsActualTextBegin"
ACTUAL_TEXT_END = "handoutsActualTextEnd"


@dataclass(frozen=True)
class Fallback:
    """A fallback font family: its registered name, its files in templates/fonts, its direction."""

    family: str
    regular: str
    bold: str = ""
    rtl: bool = False


FALLBACKS = (
    Fallback("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    Fallback("NotoSansArabic", "NotoSansArabic-Regular.ttf", rtl=True),
    Fallback("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", rtl=True),
    Fallback("WenQuanYiMicroHei", "wqy-microhei.ttc"),
)


@dataclass(frozen=True)
class Run:
    """Consecutive characters drawn with one font: the theme's (`font` None) or a fallback."""

    font: Fallback | None
    text: str


def coverage(file_name: str) -> frozenset[int]:
    """The code points a bundled fallback font maps to a glyph (read once per process)."""
    return font_coverage(str(builtin_dir("templates") / "fonts" / file_name))


@lru_cache(maxsize=16)
def font_coverage(*paths: str) -> frozenset[int]:
    """The code points every one of these font files maps to a glyph.

    Kept in the user cache folder, keyed by the files' bytes: a new process reads a list of numbers
    instead of parsing each font's character map again (about 5 ms for the theme's two fonts).
    """
    digests = [hashlib.sha256(Path(path).read_bytes()).digest() for path in paths]
    key = entry_key("font-coverage", *digests, source_fingerprint(__file__))
    stored = _stored_codes(read_entry(key))
    if stored is not None:
        return stored
    codes = frozenset(set.intersection(*(set(TTFontFile(p, subfontIndex=0).charToGlyph) for p in paths)))
    write_entry(key, json.dumps(sorted(codes)).encode())
    return codes


def _stored_codes(payload: bytes | None) -> frozenset[int] | None:
    """Stored code points, or None (missing, or not a list of code points: a damaged entry is a miss)."""
    try:
        codes = json.loads(payload or b"")
    except ValueError:
        return None
    if isinstance(codes, list) and all(type(code) is int and 0 <= code <= 0x10FFFF for code in codes):
        return frozenset(codes)
    return None


def theme_coverage(font_paths: Iterable[Path]) -> frozenset[int]:
    """What the theme's own fonts (regular and bold alike) can print."""
    return _theme_coverage(tuple(font_paths))


@lru_cache(maxsize=16)
def _theme_coverage(font_paths: tuple[Path, ...]) -> frozenset[int]:
    """`theme_coverage` for one tuple of paths: the story asks once per text run, so the sorting and
    `str()` of the paths are done once per theme, not per run."""
    return font_coverage(*sorted(str(path) for path in font_paths))


@lru_cache(maxsize=16)
def covered_characters(primary: frozenset[int]) -> frozenset[str]:
    """The characters (one-character strings) of a coverage set.

    Text can then be checked with `set.issuperset`, which walks the string in C, instead of a Python
    generator calling `ord()` per character. A frozenset keeps its hash once computed, so this cache
    is a cheap lookup for the theme's one coverage set.
    """
    return frozenset(map(chr, primary))


def font_runs(text: str, primary: frozenset[int]) -> list[Run]:
    """Split text into runs by font, word by word: a word one font has all of is drawn in that font."""
    runs: list[Run] = []
    for word in re.split(r"(\s+)", normalise(text)):
        current = runs[-1].font if runs else None
        for run in [Run(current, word)] if word.isspace() else _word_runs(word, primary):
            if runs and runs[-1].font == run.font:
                runs[-1] = Run(run.font, runs[-1].text + run.text)
            elif run.text:
                runs.append(run)
    return _trailing_spaces_out(runs)


def _word_runs(word: str, primary: frozenset[int]) -> list[Run]:
    """One run when the theme font or one fallback has every character of the word; else char by char."""
    if covered_characters(primary).issuperset(word):
        return [Run(None, word)]
    codes = {ord(char) for char in word}
    for fallback in FALLBACKS:
        if codes <= coverage(fallback.regular):
            return [Run(fallback, word)]
    return [Run(_font_for(char, primary), char) for char in word]


def _font_for(char: str, primary: frozenset[int]) -> Fallback | None:
    if ord(char) in primary:
        return None
    for fallback in FALLBACKS:
        if ord(char) in coverage(fallback.regular):
            return fallback
    return None


def _trailing_spaces_out(runs: list[Run]) -> list[Run]:
    """A fallback run's trailing spaces belong to the text after it (an RTL run would draw them first)."""
    result: list[Run] = []
    for run in runs:
        body = run.text.rstrip() if run.font is not None else run.text
        if result and result[-1].font is None and run.font is None:
            result[-1] = Run(None, result[-1].text + run.text)
            continue
        if body:
            result.append(Run(run.font, body))
        if len(body) < len(run.text):
            result.append(Run(None, run.text[len(body) :]))
    return _merged(result)


def _merged(runs: list[Run]) -> list[Run]:
    merged: list[Run] = []
    for run in runs:
        if merged and merged[-1].font == run.font:
            merged[-1] = Run(run.font, merged[-1].text + run.text)
        else:
            merged.append(run)
    return merged


def uncovered(text: str, primary: frozenset[int]) -> int:
    """How many characters of the text no font (the theme's or a fallback) can print; spaces aside."""
    return sum(1 for char in normalise(text) if not char.isspace() and _nowhere(char, primary))


def _nowhere(char: str, primary: frozenset[int]) -> bool:
    return ord(char) not in primary and _font_for(char, primary) is None


def text_markup(text: str, primary: frozenset[int]) -> str:
    """Escaped paragraph markup for text: theme-font runs as they are, other runs in a fallback font."""
    text = normalise(text)
    if _printable_as_is(text, primary):
        return escape_text(text)
    return "".join(_run_markup(run) for run in font_runs(text, primary))


def _printable_as_is(text: str, primary: frozenset[int]) -> bool:
    """Is every character of text in the theme font or whitespace? (Nearly every run is.)

    The characters the theme font lacks are found with one C-level set difference; only those few
    (usually none) are asked `isspace()`.
    """
    covered = covered_characters(primary)
    if covered.issuperset(text):
        return True
    return all(char.isspace() for char in set(text).difference(covered))


_FALLBACK_RUN = re.compile(r'(<font face="[A-Za-z]+">)([^<]*)(</font>)')


def embolden(markup: str) -> str:
    """Markup for inside <b>: ReportLab's <font face> forgets an outer <b>, so a fallback run says it again."""
    return _FALLBACK_RUN.sub(r"\1<b>\2</b>\3", markup)


def _run_markup(run: Run) -> str:
    if run.font is None:
        return escape_text(run.text)
    face = register(run.font)
    if not run.font.rtl:
        return f"<font face={quote_attribute(face)}>{escape_text(run.text)}</font>"
    kept = escape_text(visual_order(run.text, face).replace(" ", NO_BREAK_SPACE))
    return (
        f"<ondraw name={quote_attribute(ACTUAL_TEXT_BEGIN)} label={quote_attribute(run.text)}/>"
        f"<font face={quote_attribute(face)}>{kept}</font><ondraw name={quote_attribute(ACTUAL_TEXT_END)}/>"
    )


@lru_cache(maxsize=8)
def register(fallback: Fallback) -> str:
    """Register a fallback family with ReportLab the first time a run needs it; its name for <font face>."""
    fonts = builtin_dir("templates") / "fonts"
    bold = f"{fallback.family}-Bold" if fallback.bold else fallback.family
    pdfmetrics.registerFont(TTFont(fallback.family, str(fonts / fallback.regular), subfontIndex=0))
    if fallback.bold:
        pdfmetrics.registerFont(TTFont(bold, str(fonts / fallback.bold)))
    pdfmetrics.registerFontFamily(
        fallback.family, normal=fallback.family, bold=bold, italic=fallback.family, boldItalic=bold
    )
    return fallback.family


def visual_order(text: str, face: str) -> str:
    """A right-to-left run as drawn left to right: bidi order, right-to-left stretches shaped by HarfBuzz."""
    drawn = display_order(text)
    return "".join(
        shaped("".join(stretch)[::-1], face) if rtl else "".join(stretch)
        for rtl, stretch in groupby(drawn, key=_right_to_left)
    )


def display_order(text: str) -> str:
    """A right-to-left run's characters in the order they are drawn (python-bidi's display order).

    python-bidi is imported by the first right-to-left run: most handouts have none.
    """
    from bidi import get_display

    return str(get_display(text, base_dir="R"))


def _right_to_left(char: str) -> bool:
    return unicodedata.bidirectional(char) in ("R", "AL", "NSM")


@lru_cache(maxsize=1024)
def shaped(logical: str, face: str) -> str:
    """HarfBuzz's glyphs for a right-to-left stretch, in drawing order, as characters of the font.

    Joining forms have code points of their own (Arabic Presentation Forms) in Noto Sans Arabic; a
    glyph without one (a rare ligature) gets a private-use code point, as in ReportLab's own shaping,
    and `/ActualText` carries the real text.
    """
    import uharfbuzz

    font = pdfmetrics.getFont(face)
    shaper = font.hbFont(1000)
    buffer = uharfbuzz.Buffer()
    buffer.add_str(logical)
    buffer.guess_segment_properties()
    uharfbuzz.shape(shaper, buffer, {"kern": True, "liga": True})
    chars = []
    for info, position in zip(buffer.glyph_infos, buffer.glyph_positions, strict=True):
        known = font.face.glyphToChar.get(info.codepoint)
        name = shaper.glyph_to_string(info.codepoint)
        chars.append(
            chr(known[0] if known else _private_code(font, info.codepoint, position.x_advance, name))
        )
    return "".join(chars)


PRIVATE_USE = 0xE000


def _private_code(font: Any, glyph: int, advance: int, name: str) -> int:
    """A private-use code point for a glyph with no character: fixed by the glyph id, so the same text
    gives the same bytes whatever was printed before it in the process."""
    face = font.face
    code = PRIVATE_USE + glyph
    if code > 0xF8FF or face.charToGlyph.get(code, glyph) != glyph:
        return int(font.hbAddPrivate(name, glyph, advance))
    face.charToGlyph[code] = glyph
    face.glyphToChar.setdefault(glyph, []).append(code)
    face.charWidths[code] = advance
    return code


def actual_text_callbacks() -> Iterator[tuple[str, object]]:
    """The `<ondraw>` callbacks a canvas needs: open and close an `/ActualText` span around an RTL run."""
    yield ACTUAL_TEXT_BEGIN, _begin_actual_text
    yield ACTUAL_TEXT_END, _end_actual_text


def _begin_actual_text(canvas: object, kind: str, label: str | None) -> None:
    text_object = getattr(canvas, "_curr_tx_info", {}).get("tx")
    if text_object is None:
        return
    logical = label or ""
    drawn = display_order(logical)  # each glyph's own character, in drawing order
    if hasattr(text_object, "span"):  # tagged: the run is a Span element of its own
        text_object.span(logical, drawn)
        return
    text_object._code.append(f"/Span <</ActualText {actual_text_string(drawn)}>> BDC")


def _end_actual_text(canvas: object, kind: str, label: str | None) -> None:
    text_object = getattr(canvas, "_curr_tx_info", {}).get("tx")
    if text_object is None:
        return
    if hasattr(text_object, "span"):
        text_object.span(None)
        return
    text_object._code.append("EMC")


def unprintable(texts: Mapping[str, str], font_paths: Iterable[Path]) -> list[Problem]:
    """A problem for each field with characters no font can print: a count, never the characters."""
    primary = theme_coverage(font_paths)
    problems = []
    for field, text in texts.items():
        count = uncovered(text, primary)
        if count:
            what = "character cannot" if count == 1 else "characters cannot"
            problems.append(
                Problem(
                    f"{count} {what} be printed in any of the handout's fonts",
                    "check the text for symbols or stray characters, or leave them out",
                    field=field,
                )
            )
    return problems
