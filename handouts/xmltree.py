"""Turn handout XML text into a tree of Nodes with line numbers, checked against the vocabulary."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from handouts.errors import LayoutError

# element -> allowed attributes. docs/markup.md documents each one.
VOCABULARY: dict[str, frozenset[str]] = {
    name: frozenset(attrs.split())
    for name, attrs in {
        "pack": "lang title",
        "handout": "lang title subject author keywords content-version oldest-review generator footer footer-detail page-label max-pages",
        "title-block": "",
        "image": "src alt",
        "title": "",
        "subtitle": "",
        "line": "",
        "section": "id title",
        "block": "lang",
        "heading": "level",
        "paragraph": "style lang",
        "list": "kind",
        "item": "",
        "callout": "kind title",
        "checklist": "lines answer-label",
        "question": "id",
        "write-in": "lines label name",
        "qr": "url label alt",
        "table": "",
        "row": "",
        "cell": "header",
        "glossary": "",
        "term": "name",
        "sources": "",
        "source": "",
        "page-break": "",
        "b": "",
        "link": "href",
        "br": "",
    }.items()
}


@dataclass
class Node:
    """An element of handout XML: tag, attributes, children (nodes or text), source line."""

    tag: str
    attrs: dict[str, str]
    line: int
    children: list[Node | str] = field(default_factory=list)

    def elements(self) -> list[Node]:
        return [child for child in self.children if isinstance(child, Node)]

    def text(self) -> str:
        """All text inside this node, whitespace collapsed."""
        parts = [c if isinstance(c, str) else c.text() for c in self.children]
        return " ".join("".join(parts).split())


@dataclass(frozen=True)
class HandoutMeta:
    """What the handout element says about its document: viewer metadata, footer and provenance."""

    title: str = ""
    subject: str = ""
    author: str = ""
    keywords: str = ""
    lang: str = "en-US"
    content_version: str = ""
    oldest_review: str = ""
    generator: str = ""
    footer: str = ""
    footer_detail: str = ""
    page_label: str = "Page {page} of"
    max_pages: int | None = None

    @classmethod
    def from_root(cls, root: Node) -> HandoutMeta:
        attrs = root.attrs
        return cls(
            title=attrs.get("title", ""),
            subject=attrs.get("subject", ""),
            author=attrs.get("author", ""),
            keywords=attrs.get("keywords", ""),
            lang=attrs.get("lang", "en-US"),
            content_version=attrs.get("content-version", ""),
            oldest_review=attrs.get("oldest-review", ""),
            generator=attrs.get("generator", ""),
            footer=attrs.get("footer", ""),
            footer_detail=attrs.get("footer-detail", ""),
            page_label=attrs.get("page-label", "Page {page} of"),
            max_pages=int(attrs["max-pages"]) if attrs.get("max-pages", "").isdigit() else None,
        )


def parse_handout_xml(text: str, origin: str) -> Node:
    """Parse and validate handout XML; errors name `origin` and the line."""
    root = _parse(text, origin)
    if len(root) != 1 or root[0].tag != "handout":
        raise LayoutError.at(origin, 1, "handout XML must have one <handout> root element")
    return root[0]


def parse_document_xml(text: str, origin: str) -> Node:
    """Parse handout XML whose root is one <handout>, or a <pack> holding one <handout> per part."""
    root = _parse(text, origin)
    if len(root) == 1 and root[0].tag == "pack":
        parts = root[0].elements()
        if parts and all(part.tag == "handout" for part in parts):
            return root[0]
        raise LayoutError.at(origin, 1, "a <pack> must hold only <handout> elements, one per part")
    if len(root) != 1 or root[0].tag != "handout":
        raise LayoutError.at(origin, 1, "handout XML must have one <handout> or <pack> root element")
    return root[0]


def _parse(text: str, origin: str) -> list[Node]:
    stack: list[Node] = []
    root: list[Node] = []
    parser = expat.ParserCreate()

    def start(tag: str, attrs: dict[str, str]) -> None:
        line = parser.CurrentLineNumber
        check_element(tag, attrs, origin, line)
        node = Node(tag, attrs, line)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(tag: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].children.append(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        parser.Parse(text, True)
    except expat.ExpatError as exc:
        message = expat.ErrorString(exc.code)
        raise LayoutError.at(origin, exc.lineno, f"handout XML is not well formed: {message}") from exc
    return root


def check_element(tag: str, attrs: dict[str, str] | list[str], origin: str, line: int) -> None:
    """Raise LayoutError for an element or attribute outside the vocabulary."""
    allowed = VOCABULARY.get(tag)
    if allowed is None:
        raise LayoutError.at(
            origin, line, f"unknown element <{tag}>", "see docs/markup.md for the vocabulary"
        )
    for name in attrs:
        if name not in allowed:
            valid = ", ".join(sorted(allowed)) or "none"
            raise LayoutError.at(
                origin, line, f"<{tag}> has unknown attribute '{name}'", f"valid attributes: {valid}"
            )


_JINJA = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TAG = re.compile(r"<([A-Za-z][\w.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*)\s*/?>")
_ATTR = re.compile(r"([^\s=>/]+)\s*=")


def lint_template_source(source: str, origin: str) -> None:
    """Check every literal tag in a layout template, so errors name the template's own line."""
    blanked = _JINJA.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), source)
    for match in _TAG.finditer(blanked):
        line = blanked.count("\n", 0, match.start()) + 1
        check_element(match.group(1), _ATTR.findall(match.group(2)), origin, line)


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
