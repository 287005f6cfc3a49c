"""Turn the libraries of every language into the lines `handouts list` prints about topic sheets."""

from __future__ import annotations

from handouts.render import Engine
from handouts.spec import LANGUAGES


def sheet_languages(engine: Engine) -> dict[str, dict[str, str]]:
    """Sheet id -> {language: title} for every language that has the sheet."""
    found: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        for sheet in engine.library(language).sheets.values():
            found.setdefault(sheet.id, {})[language] = sheet.title
    return dict(sorted(found.items()))


def sheet_lines(engine: Engine) -> list[str]:
    """A heading, then one line per sheet: id, English title (else the first one), languages."""
    sheets = sheet_languages(engine)
    lines = [f"\nSheets ({len(sheets)}):"]
    for sheet_id, titles in sheets.items():
        title = titles.get("en") or next(iter(titles.values()))
        lines.append(f"  {sheet_id:<22} {title:<40} {', '.join(titles)}")
    return lines
