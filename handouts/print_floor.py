"""Turn a large-print spec into what its standard-print twin prints, so large print never prints less."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from handouts.xmltree import Node, parse_handout_xml

if TYPE_CHECKING:
    from handouts.render import Engine
    from handouts.spec import HandoutSpec


@dataclass(frozen=True)
class PrintFloor:
    """How many questions and key points a page-limited layout must print at least."""

    questions: int = 0
    key_points: int = 0


NO_FLOOR = PrintFloor()


def print_floor(spec: HandoutSpec, engine: Engine) -> PrintFloor:
    """For a large-print handout of a page-limited layout: the counts its standard-print twin prints."""
    from handouts.render import render_handout

    if spec.print_size != "large" or not _page_limited(spec, engine):
        return NO_FLOOR
    twin = render_handout(replace(spec, print_size="standard", fillable=False, tagged=False), engine)
    root = parse_handout_xml(twin.xml, f"layout '{spec.layout}' output")
    questions = key_points = 0
    for node in _walk(root):
        if node.tag == "question":
            questions += 1
        elif node.tag == "callout" and node.attrs.get("kind") == "keypoints":
            key_points += sum(1 for item in _walk(node) if item.tag == "item")
    return PrintFloor(questions=questions, key_points=key_points)


def _page_limited(spec: HandoutSpec, engine: Engine) -> bool:
    from handouts.render import handout_xml

    return 'max-pages="' in handout_xml(replace(spec, print_size="standard"), engine).split(">", 1)[0]


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.elements():
        yield from _walk(child)
