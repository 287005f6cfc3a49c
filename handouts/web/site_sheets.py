"""Turn the libraries' topic sheets into site variants: one PDF per sheet, language, print size and paper."""

from __future__ import annotations

from collections.abc import Sequence

from handouts.engine import Engine
from handouts.errors import UsageError


def site_sheets(
    engine: Engine, requested: str | None, languages: Sequence[str]
) -> list[tuple[str, str, str]]:
    """(language, sheet id, title) for every sheet translated into each language; `none` for no sheets."""
    text = (requested or "").strip().lower()
    if text == "none":
        return []
    available = {language: engine.library(language).sheets for language in languages}
    known = sorted({sheet_id for sheets in available.values() for sheet_id in sheets})
    wanted = [item.strip() for item in text.split(",") if item.strip()] if text else known
    unknown = [item for item in wanted if item not in known]
    if unknown:
        raise UsageError(
            f"--sheets: {unknown[0]!r} is not a sheet (choose from: {', '.join(known) or 'none'}, or none)"
        )
    return [
        (language, sheet.id, sheet.title)
        for language in languages
        for sheet in available[language].values()
        if sheet.id in wanted
    ]
