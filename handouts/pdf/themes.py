"""Turn theme YAML (with `extends` inheritance) into ReportLab styles, colours, sizes and fonts."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFile

from handouts.errors import Problem, SpecError, ThemeError
from handouts.pdf.scripts import unprintable
from handouts.yamlfile import deep_merge, load_yaml_file

FONT_ROLES = ("regular", "bold")
THEME_KEYS = ("extends", "name", "fonts", "page", "colours", "backgrounds", "styles", "sizes")
STYLE_NUMBERS = {
    "size": (4.0, 100.0),
    "leading": (0.8, 4.0),
    "space_before": (0.0, 200.0),
    "space_after": (0.0, 200.0),
}
"""Each number a style may set, and the range it must lie in."""
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


@dataclass(frozen=True)
class Theme:
    """A fully merged theme: ask it for styles, colours and sizes by name."""

    name: str
    data: Mapping[str, Any]
    font_paths: Mapping[str, Path]
    _styles: dict[str, ParagraphStyle] = field(default_factory=dict, compare=False, repr=False)

    def font(self, role: str) -> str:
        """The registered ReportLab font name for `regular` or `bold`."""
        if role not in FONT_ROLES:
            raise ThemeError.at(
                "", 0, f"theme '{self.name}': unknown font role '{role}'", "use regular or bold"
            )
        return f"{self.font_paths[role].stem}"

    def missing_glyphs(self, text: str) -> list[str]:
        """Characters of `text` that the theme's regular or bold font cannot draw (spaces aside)."""
        covered = _covered_characters(tuple(str(p) for p in self.font_paths.values()))
        return sorted({ch for ch in text if ord(ch) not in covered and not ch.isspace()})

    def colour(self, name: str) -> Color:
        return HexColor(self.colour_hex(name))

    def colour_hex(self, name: str) -> str:
        colours = self.data.get("colours", {})
        if name not in colours:
            raise ThemeError.at(
                "", 0, f"theme '{self.name}': unknown colour '{name}'", f"known: {', '.join(colours)}"
            )
        return str(colours[name])

    def size(self, name: str) -> float:
        sizes = self.data.get("sizes", {})
        if name not in sizes:
            raise ThemeError.at(
                "", 0, f"theme '{self.name}': unknown size '{name}'", f"known: {', '.join(sizes)}"
            )
        return float(sizes[name])

    def page(self, name: str) -> float:
        page = self.data.get("page", {})
        if name not in page:
            raise ThemeError(f"theme '{self.name}': unknown page setting '{name}'")
        return float(page[name])

    def style(self, name: str) -> ParagraphStyle:
        """A ParagraphStyle from the theme (made once); an unknown name is an error, never a fallback."""
        if name not in self._styles:
            self._styles[name] = self._make_style(name)
        return self._styles[name]

    def _make_style(self, name: str) -> ParagraphStyle:
        styles = self.data.get("styles", {})
        if name not in styles:
            raise ThemeError.at(
                "", 0, f"theme '{self.name}': unknown style '{name}'", f"known: {', '.join(styles)}"
            )
        spec = styles[name]
        size = float(spec.get("size", 12))
        return ParagraphStyle(
            name=name,
            fontName=self.font(str(spec.get("font", "regular"))),
            fontSize=size,
            leading=size * float(spec.get("leading", 1.4)),
            spaceBefore=float(spec.get("space_before", 0)),
            spaceAfter=float(spec.get("space_after", 0)),
            textColor=self.colour(str(spec.get("colour", "text"))),
            alignment=TA_LEFT,
            hyphenationLang="",
            allowWidows=0,
            allowOrphans=0,
            splitLongWords=True,
        )

    def text_colours(self) -> list[tuple[str, str, str]]:
        """(style, text colour, background colour) for every text style, for contrast checks."""
        backgrounds = self.data.get("backgrounds", {})
        result = []
        for name, spec in self.data.get("styles", {}).items():
            background = backgrounds.get(name, "background")
            result.append((name, self.colour_hex(spec.get("colour", "text")), self.colour_hex(background)))
        return result


@lru_cache(maxsize=8)
def _covered_characters(font_files: tuple[str, ...]) -> frozenset[int]:
    """Code points every one of these TrueType fonts maps to a glyph."""
    maps = [set(TTFontFile(path).charToGlyph) for path in font_files]
    return frozenset(set.intersection(*maps))


def find_file(templates_dirs: Sequence[Path], *parts: str) -> Path | None:
    """The last templates directory holding this file wins (organisation over built-in)."""
    for directory in reversed(templates_dirs):
        candidate = directory.joinpath(*parts)
        if candidate.is_file():
            try:
                inside = candidate.resolve(strict=True).is_relative_to(directory.resolve())
            except (OSError, RuntimeError):
                inside = False
            if not inside:
                raise ThemeError.at(
                    candidate, 0, "links to a file outside the templates directory", "copy the file in"
                )
            return candidate
    return None


def theme_names(templates_dirs: Sequence[Path]) -> list[str]:
    names = {p.stem for d in templates_dirs for p in (d / "themes").glob("*.yaml")}
    return sorted(names - {"base"})


def load_theme(name: str, templates_dirs: Sequence[Path]) -> Theme:
    """Load a theme by name, merging the chain of `extends`, and register its fonts."""
    data = _merged(name, templates_dirs, seen=())
    problems = theme_problems(name, data)
    if problems:
        raise ThemeError.listing(problems, f"theme '{name}'")
    fonts = data.get("fonts", {})
    paths: dict[str, Path] = {}
    for role in FONT_ROLES:
        file_name = str(fonts.get(role, ""))
        path = find_file(templates_dirs, "fonts", file_name) if file_name else None
        if path is None or "/" in file_name or "\\" in file_name:
            raise ThemeError.at(
                "",
                0,
                f"theme '{name}': font '{file_name}' for {role} not found in fonts/",
                "add the .ttf file",
            )
        paths[role] = path
    theme = Theme(name=name, data=data, font_paths=paths)
    register_fonts(theme)
    return theme


def theme_problems(name: str, data: Mapping[str, Any]) -> list[Problem]:
    """Every key, colour and number of a merged theme that cannot be used, each as one line."""
    where = f"theme '{name}'"
    problems = [
        Problem(f"{where}: unknown key '{key}'", f"valid keys: {', '.join(THEME_KEYS)}")
        for key in data
        if key not in THEME_KEYS
    ]
    sections = ("fonts", "page", "colours", "backgrounds", "styles", "sizes")
    for section in sections:
        if not isinstance(data.get(section, {}), Mapping):
            problems.append(
                Problem(f"{where}: {section} must be a mapping", "see templates/themes/base.yaml")
            )
    if problems:
        return problems
    for key, value in data.get("colours", {}).items():
        if not (isinstance(value, str) and _HEX.match(value)):
            problems.append(
                Problem(
                    f"{where}: colours: {key}: {value!r} is not a colour", 'write it in quotes as "#RRGGBB"'
                )
            )
    for section in ("page", "sizes"):
        for key, value in data.get(section, {}).items():
            low, high = (1, 4) if (section, key) == ("page", "columns") else (0, 2000)
            problems += _number_problem(f"{where}: {section}: {key}", value, low, high)
    for style, spec in data.get("styles", {}).items():
        problems += _style_problems(f"{where}: styles: {style}", spec)
    return problems


def _style_problems(where: str, spec: Any) -> list[Problem]:
    """What cannot be used in one theme style."""
    if not isinstance(spec, Mapping):
        return [Problem(f"{where}: must be a mapping such as {{size: 12, leading: 1.35}}")]
    problems: list[Problem] = []
    for key, value in spec.items():
        if key in STYLE_NUMBERS:
            problems += _number_problem(f"{where}: {key}", value, *STYLE_NUMBERS[key])
        elif key in ("font", "colour"):
            if not isinstance(value, str):
                problems.append(Problem(f"{where}: {key}: must be a name", "e.g. regular, text"))
        else:
            valid = ", ".join((*STYLE_NUMBERS, "font", "colour"))
            problems.append(Problem(f"{where}: unknown key '{key}'", f"valid keys: {valid}"))
    return problems


def _number_problem(where: str, value: Any, low: float, high: float) -> list[Problem]:
    if isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high:
        return []
    return [
        Problem(
            f"{where}: {value!r} is not a number from {low:g} to {high:g}", "write a number in that range"
        )
    ]


def _merged(name: str, templates_dirs: Sequence[Path], seen: tuple[str, ...]) -> dict[str, Any]:
    if name in seen:
        circle = " -> ".join((*seen, name))
        raise ThemeError.at("", 0, f"theme '{name}': `extends` goes round in a circle", circle)
    path = find_file(templates_dirs, "themes", f"{name}.yaml")
    if path is None:
        known = ", ".join(theme_names(templates_dirs))
        raise ThemeError.at("", 0, f"unknown theme '{name}'", f"available themes: {known}")
    data = load_yaml_file(path, ThemeError)
    if not isinstance(data, Mapping):
        raise ThemeError.at(path, 0, "a theme must be a mapping", "see templates/themes/base.yaml")
    parent = data.get("extends")
    base = _merged(str(parent), templates_dirs, (*seen, name)) if parent else {}
    return deep_merge(base, {k: v for k, v in data.items() if k != "extends"})


def register_fonts(theme: Theme) -> None:
    """Register the theme's TrueType fonts once per process; italics map to upright faces."""
    regular, bold = theme.font("regular"), theme.font("bold")
    for role, font_name in (("regular", regular), ("bold", bold)):
        if font_name not in pdfmetrics.getRegisteredFontNames():
            try:
                pdfmetrics.registerFont(TTFont(font_name, str(theme.font_paths[role])))
            except Exception as exc:
                raise ThemeError.at(
                    theme.font_paths[role], 0, "not a usable TrueType font", str(exc)
                ) from exc
    pdfmetrics.registerFontFamily(regular, normal=regular, bold=bold, italic=regular, boldItalic=bold)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of #RRGGBB."""
    channels = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio between two #RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def check_printable(texts: Mapping[str, str], theme: Theme) -> None:
    """Refuse user text with characters no font can print: the field and how many, never which."""
    problems = unprintable(texts, theme.font_paths.values())
    if problems:
        raise SpecError("; ".join(str(p) for p in problems), problems)
