"""Turn a spec's selected blocks into the ones past their review date, and a warning or refusal that says so."""

from __future__ import annotations

import datetime as dt

from handouts.content.model import Library
from handouts.content.translation import select_translated
from handouts.errors import ContentError
from handouts.spec import HandoutSpec

SHOWN = 5


def overdue_blocks(
    library: Library, source: Library | None, spec: HandoutSpec, today: dt.date
) -> list[tuple[str, str]]:
    """(review due date, block id) for each block this spec prints whose review is overdue, oldest first."""
    selection = select_translated(library, source, spec)
    return sorted(
        (block.review_due.isoformat(), block.id) for block in selection.blocks if block.review_due < today
    )


def overdue_detail(overdue: list[tuple[str, str]]) -> str:
    """One line naming the overdue blocks and the earliest date they fell due."""
    count = len(overdue)
    shown = ", ".join(block_id for _, block_id in overdue[:SHOWN])
    if count > SHOWN:
        shown += f" and {count - SHOWN} more"
    what = (
        f"{count} block is past its review date"
        if count == 1
        else f"{count} blocks are past their review date"
    )
    return f"{what} (due {overdue[0][0]}): {shown}"


def check_review_dates(
    library: Library, source: Library | None, spec: HandoutSpec, today: dt.date, strict: bool
) -> str | None:
    """A warning for content past its review date, None when all is current; with `strict`, raise instead."""
    overdue = overdue_blocks(library, source, spec, today)
    if not overdue:
        return None
    if strict:
        raise ContentError.at(
            "", 0, overdue_detail(overdue), "have the content reviewed, or leave out --strict-review"
        )
    fix = "have the content reviewed; --strict-review refuses to print it"
    return f"Warning: {overdue_detail(overdue)} ({fix})"
