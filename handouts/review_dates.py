"""Turn a spec's selected blocks into a warning, or a refusal, when any is past its review date."""

from __future__ import annotations

from collections.abc import Callable

from handouts.errors import ContentError
from handouts.render import Engine
from handouts.spec import HandoutSpec, default_date


def overdue_blocks(spec: HandoutSpec, engine: Engine) -> list[tuple[str, str]]:
    """(block id, review due date) for each block this spec prints whose review is overdue today."""
    from handouts.translation import SOURCE_LANGUAGE, select_translated

    library = engine.library(spec.language)
    source = engine.library(SOURCE_LANGUAGE) if spec.language != SOURCE_LANGUAGE else None
    today = default_date()
    selection = select_translated(library, source, spec)
    return sorted(
        (block.review_due.isoformat(), block.id) for block in selection.blocks if block.review_due < today
    )


def warn_overdue(spec: HandoutSpec, engine: Engine, strict: bool, warn: Callable[[str], None]) -> None:
    """Say on stderr which printed blocks are past their review date; with `strict`, refuse instead."""
    overdue = overdue_blocks(spec, engine)
    if not overdue:
        return
    count = len(overdue)
    shown = ", ".join(block_id for _, block_id in overdue[:5]) + (
        f" and {count - 5} more" if count > 5 else ""
    )
    what = (
        f"{count} block{'s are' if count > 1 else ' is'} past {'their' if count > 1 else 'its'} review date"
    )
    detail = f"{what} (due {overdue[0][0]}): {shown}"
    if strict:
        raise ContentError(f"{detail} (have the content reviewed, or leave out --strict-review)")
    warn(f"Warning: {detail} (have the content reviewed; --strict-review refuses to print it)")
