"""Settle structure roles before drawing: heading levels, and a callout grouped with the heading it follows."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from reportlab.platypus import Flowable

HEADINGS = {f"H{level}": level for level in range(1, 7)}
CONTAINERS = ("inner", "label", "body")
"""Attributes of the handout's own flowables that hold the flowables drawn inside them, in order."""


def settle_headings(story: Iterable[Flowable]) -> None:
    """A heading is never more than one level below the heading before it, in drawing order.

    Done before drawing, so the marked content (`/H2 <</MCID n>> BDC`) and the structure element agree.
    """
    level = 0
    for flowable in drawn_in_order(story):
        node = getattr(flowable, "handout_struct", None)
        if node is not None and node.role in HEADINGS:
            level = min(HEADINGS[node.role], level + 1)
            node.role = f"H{level}"


def drawn_in_order(flowables: Iterable[Flowable]) -> Iterator[Flowable]:
    """Every flowable, and the flowables inside callouts and list items, in the order they draw."""
    for flowable in flowables:
        yield flowable
        for name in CONTAINERS:
            inside = getattr(flowable, name, None)
            if isinstance(inside, list):
                yield from drawn_in_order(inside)
            elif isinstance(inside, Flowable):
                yield from drawn_in_order([inside])


def group_with_heading(previous: Any, flowable: Any) -> None:
    """An untitled callout (`Div`) right after a heading becomes a `Sect` that holds that heading.

    The crisis box under "Help in a crisis" is then one block-level grouping with its heading.
    """
    group = getattr(flowable, "handout_struct", None)
    heading = getattr(previous, "handout_struct", None)
    if group is None or heading is None or group.role != "Div" or heading.role not in HEADINGS:
        return
    if heading.parent is group.parent and not heading.placed:
        heading.parent = group
        group.role = "Sect"
