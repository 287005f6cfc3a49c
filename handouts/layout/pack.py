"""Turn the handout XML of a pack's parts into one `<pack>`: its attributes, unique field names, its text."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from handouts.xmltree import Node


@dataclass(frozen=True)
class Part:
    """One part of a pack: `core` or a sheet id, and its handout XML."""

    id: str
    xml: str


def unique_field_names(roots: list[tuple[str, Node]]) -> None:
    """Give a later part's form field (question id, write-in name) its part id as prefix when the name is taken."""
    seen: set[str] = set()
    for part_id, root in roots:
        for node in walk(root):
            key = "id" if node.tag == "question" else "name" if node.tag == "write-in" else ""
            if not key:
                continue
            name = node.attrs.get(key) or ("notes" if key == "name" else "")
            if name in seen:
                name = f"{part_id}-{name}"
            while name in seen:
                name += "-2"
            node.attrs[key] = name
            seen.add(name)


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.elements():
        yield from walk(child)


def joined_xml(parts: list[Part], attrs: dict[str, str]) -> str:
    """One part's XML as it is; several parts inside a `<pack>` named like the document."""
    if len(parts) == 1:
        return parts[0].xml
    head = " ".join(f'{key}="{attribute_text(attrs[key])}"' for key in ("lang", "title"))
    return f"<pack {head}>\n" + "".join(p.xml.rstrip("\n") + "\n" for p in parts) + "</pack>\n"


def attribute_text(value: str) -> str:
    """Text escaped for an XML attribute in double quotes."""
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
