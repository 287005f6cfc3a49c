"""Turn handout XML into the text a screen reader reads from the tagged PDF, in reading order."""

from __future__ import annotations

from collections.abc import Callable

from handouts.pdf.flowables import short_url
from handouts.xmltree import Node

TEXT_ELEMENTS = frozenset({"title", "subtitle", "line", "heading", "paragraph", "question", "cell"})


def reading_text(root: Node) -> list[str]:
    """Every printed text of the handout in XML order, as the structure tree must give it.

    Labels the layout prints are included (bullets and numbers, callout titles, write-in labels, the
    QR code's label and address); alternative text is not, since it describes a picture, not text.
    """
    return [text for child in root.elements() for text in read(child)]


def read(node: Node) -> list[str]:
    reader = READERS.get(node.tag)
    if reader is not None:
        return reader(node)
    if node.tag in TEXT_ELEMENTS:
        return [node.text()]
    return [text for child in node.elements() for text in read(child)]


def read_list(node: Node) -> list[str]:
    numbered = node.attrs.get("kind") == "number"
    return [
        text
        for number, item in enumerate(node.elements(), 1)
        for text in (f"{number}." if numbered else "\u2022", item.text())
    ]


def read_callout(node: Node) -> list[str]:
    title = [node.attrs["title"]] if node.attrs.get("title") else []
    return title + [text for child in node.elements() for text in read(child)]


def read_glossary(node: Node) -> list[str]:
    return [f"{term.attrs.get('name', '')}: {term.text()}" for term in node.elements()]


def read_sources(node: Node) -> list[str]:
    return [
        text for number, source in enumerate(node.elements(), 1) for text in (f"{number}.", source.text())
    ]


READERS: dict[str, Callable[[Node], list[str]]] = {
    "list": read_list,
    "callout": read_callout,
    "glossary": read_glossary,
    "sources": read_sources,
    "write-in": lambda node: [node.attrs["label"]] if node.attrs.get("label") else [],
    "qr": lambda node: [node.attrs.get("label", ""), short_url(node.attrs.get("url", ""))],
    "image": lambda node: [],
}
