"""Turn an Infobutton answer into MedlinePlus Connect's feed shapes: Atom XML and its JSON twin."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
FEED_TITLE = "MS handouts"
AUTHOR = "handouts"


@dataclass(frozen=True)
class Entry:
    """One handout: its title, a one-sentence summary, the HTML page and the PDF."""

    id: str
    title: str
    summary: str
    updated: str
    html_url: str
    pdf_url: str
    pdf_name: str


@dataclass(frozen=True)
class Feed:
    """An answer to one request; `categories` echo only recognised, non-identifying parameters."""

    id: str
    base: str
    language: str
    subtitle: str
    updated: str
    categories: tuple[tuple[str, str], ...]
    entries: tuple[Entry, ...]


def _text(value: str, kind: str | None = None) -> dict[str, str]:
    return {"_value": value, **({"type": kind} if kind else {})}


def feed_json(feed: Feed) -> dict[str, Any]:
    """The JSON form MedlinePlus Connect clients read: text nodes as {"_value": ...}."""
    entries = [
        {
            "title": _text(entry.title, "text"),
            "link": [
                {"href": entry.html_url, "rel": "alternate", "type": "text/html"},
                {
                    "href": entry.pdf_url,
                    "rel": "enclosure",
                    "type": "application/pdf",
                    "title": entry.pdf_name,
                },
            ],
            "id": _text(entry.id),
            "summary": _text(entry.summary, "text"),
            "updated": _text(entry.updated),
        }
        for entry in feed.entries
    ]
    return {
        "feed": {
            "base": feed.base,
            "lang": feed.language,
            "title": _text(FEED_TITLE, "text"),
            "updated": _text(feed.updated),
            "id": _text(feed.id),
            "author": {"name": _text(AUTHOR)},
            "subtitle": _text(feed.subtitle, "text"),
            "category": [{"scheme": scheme, "term": term} for scheme, term in feed.categories],
            "entry": entries,
        }
    }


def feed_atom(feed: Feed) -> bytes:
    """The Atom feed of the Infobutton SOA guide, as MedlinePlus Connect sends it."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: feed.language, XML_BASE: feed.base})
    _add(root, "title", FEED_TITLE, type="text")
    _add(root, "subtitle", feed.subtitle, type="text")
    _add(root, "updated", feed.updated)
    _add(root, "id", feed.id)
    author = ET.SubElement(root, f"{{{ATOM}}}author")
    _add(author, "name", AUTHOR)
    for scheme, term in feed.categories:
        ET.SubElement(root, f"{{{ATOM}}}category", {"scheme": scheme, "term": term})
    for entry in feed.entries:
        node = ET.SubElement(root, f"{{{ATOM}}}entry", {XML_LANG: feed.language})
        _add(node, "title", entry.title, type="text")
        ET.SubElement(
            node, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html", "href": entry.html_url}
        )
        ET.SubElement(
            node,
            f"{{{ATOM}}}link",
            {"rel": "enclosure", "type": "application/pdf", "href": entry.pdf_url, "title": entry.pdf_name},
        )
        _add(node, "id", entry.id)
        _add(node, "updated", entry.updated)
        _add(node, "summary", entry.summary, type="text")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def _add(parent: ET.Element, name: str, text: str, **attrs: str) -> ET.Element:
    node = ET.SubElement(parent, f"{{{ATOM}}}{name}", attrs)
    node.text = text
    return node
