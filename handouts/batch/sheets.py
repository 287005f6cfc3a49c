"""Turn a manifest row's sheets into problems at planning time, so a dry run names an unknown sheet."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from handouts.content.translation import SOURCE_LANGUAGE
from handouts.engine import Engine
from handouts.errors import HandoutsError
from handouts.spec import HandoutSpec


@lru_cache(maxsize=8)
def known_sheets(
    content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...], language: str
) -> tuple[str, ...]:
    """The sheet ids a handout in `language` can print: its own and the English ones (a marked fallback)."""
    engine = Engine.from_dirs(content_dirs, templates_dirs)
    languages = {language, SOURCE_LANGUAGE}
    return tuple(sorted({sheet_id for lang in languages for sheet_id in engine.library(lang).sheets}))


def sheet_problems(
    spec: HandoutSpec, origin: str, content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...]
) -> list[str]:
    """`origin: sheets: unknown sheet 'x' (available sheets: ...)` for each sheet id the library lacks.

    Content that does not load is left to the render, which reports it for the row.
    """
    if not spec.sheets:
        return []
    try:
        known = known_sheets(content_dirs, templates_dirs, spec.language)
    except HandoutsError:
        return []
    return [
        f"{origin}: sheets: unknown sheet {sheet_id!r} (available sheets: {', '.join(known) or 'none'})"
        for sheet_id in spec.sheets
        if sheet_id not in known
    ]
