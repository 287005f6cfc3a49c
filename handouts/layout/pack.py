"""Turn the handout XML of a pack's parts into one `<pack>`: its attributes, unique field names, its text."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from handouts.xmltree import Node


@dataclass(frozen=True)
class Part:
    """One part of a pack: `core` or a sheet id, and its handout XML."""

    id: str
    xml: str


def pack_attributes(roots: list[Node]) -> dict[str, str]:
    """The document's attributes: the first part's, with a title naming every part and a joint version."""
    attrs = dict(roots[0].attrs)
    if len(roots) > 1:
        attrs["title"] = " + ".join(r.attrs.get("title", "") for r in roots)
        attrs["subject"] = "; ".join(r.attrs.get("subject", "") for r in roots)
        digest = hashlib.sha256(" ".join(r.attrs.get("content-version", "") for r in roots).encode())
        attrs["content-version"] = digest.hexdigest()[:10]
        reviews = [r.attrs["oldest-review"] for r in roots if r.attrs.get("oldest-review")]
        attrs["oldest-review"] = min(reviews, default="")
        footer = roots[0].attrs.get("footer-detail", "")
        for key in ("content-version", "oldest-review"):
            footer = footer.replace(roots[0].attrs.get(key, "") or "\0", attrs[key])
        attrs["footer-detail"] = footer
    attrs.pop("max-pages", None)
    return attrs


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
