"""Turn a manifest row's sheets into problems at planning time, so a dry run names an unknown sheet."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from handouts.render import Engine
from handouts.spec import HandoutSpec


@lru_cache(maxsize=4)
def known_sheets(content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...]) -> tuple[str, ...]:
    """Every sheet id in any language of the stacked content directories."""
    from handouts.sheet_listing import sheet_languages

    return tuple(sheet_languages(Engine.from_dirs(content_dirs, templates_dirs)))


def sheet_problems(
    spec: HandoutSpec, origin: str, content_dirs: tuple[Path, ...], templates_dirs: tuple[Path, ...]
) -> list[str]:
    """`origin: sheets: unknown sheet 'x' (available sheets: ...)` for each sheet id the library lacks."""
    if not spec.sheets:
        return []
    known = known_sheets(content_dirs, templates_dirs)
    return [
        f"{origin}: sheets: unknown sheet {sheet_id!r} (available sheets: {', '.join(known) or 'none'})"
        for sheet_id in spec.sheets
        if sheet_id not in known
    ]
