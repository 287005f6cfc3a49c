"""Turn a selection with nothing to print into an error naming the sections that have content for that reader."""

from __future__ import annotations

from handouts.content.model import Library
from handouts.content.selection import Selection
from handouts.errors import Problem, SpecError
from handouts.spec import HandoutSpec


def sections_with_content(library: Library, spec: HandoutSpec) -> list[str]:
    """The section ids that hold at least one block (or question) for this type, stage and audience."""
    fits = {b.topic for b in library.blocks.values() if b.tags.fit(spec.type, spec.stage, spec.audience)}
    if any(q.tags.fit(spec.type, spec.stage, spec.audience) for q in library.questions):
        fits.add("questions")
    return [topic_id for topic_id in library.topic_ids() if topic_id in fits]


def refuse_empty(selection: Selection, library: Library, spec: HandoutSpec) -> None:
    """Raise a SpecError on `sections` when the chosen sections print nothing for this reader."""
    if selection.blocks or selection.questions:
        return
    reader = f"{spec.type or 'general'} MS, {spec.stage}, {spec.audience}"
    asked = ", ".join(spec.sections or ()) or "the sections left"
    available = sections_with_content(library, spec)
    fix = (
        f"choose from the sections with content for this reader: {', '.join(available)}"
        if available
        else "this reader has no content at all: add blocks for it, or change type, stage or audience"
    )
    what = f"{asked} {'has' if len(spec.sections or ()) == 1 else 'have'} nothing for this reader ({reader})"
    raise SpecError(f"sections: {what} ({fix})", [Problem(what, fix, field="sections")])
