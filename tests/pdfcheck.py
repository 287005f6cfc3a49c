"""Turn a tagged PDF into findings: unmarked drawing, MCIDs, the structure tree and its reading-order text.

Independent of handouts.pdf.tagging: it reads only the PDF (pikepdf for objects and content streams,
pdfplumber for the characters inside each marked-content sequence).
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pdfplumber
import pikepdf

TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})
PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do"})
MARK_BEGIN = frozenset({"BDC", "BMC"})
# Which child elements the grouping elements may hold (ISO 32000-1, 14.8.4.3).
CONTAINMENT = {
    "L": {"LI", "L", "Caption"},
    "LI": {"Lbl", "LBody"},
    "Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
    "TR": {"TH", "TD"},
}


@dataclass
class ContentScan:
    """What the content streams draw: unmarked drawing, nested sequences, and each page's MCIDs in order."""

    unmarked: list[str] = field(default_factory=list)
    nested: list[str] = field(default_factory=list)
    mcids: dict[int, list[int]] = field(default_factory=dict)


@dataclass
class Element:
    """One structure element: role, its parent's role, /Alt, its own content and its annotations' entries."""

    role: str
    parent: str
    alt: str
    content: list[tuple[int, int]] = field(default_factory=list)
    annotations: list[dict[str, str]] = field(default_factory=list)


@dataclass
class StructWalk:
    """The structure tree read from the root: elements, content in reading order, and problems found."""

    elements: list[Element] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)
    annotations: list[tuple[int, int]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def scan_content(pdf: pikepdf.Pdf) -> ContentScan:
    """Every text or path drawn outside a tagged sequence or an artifact, page by page (forms included)."""
    scan = ContentScan()
    for index, page in enumerate(pdf.pages):
        scan.mcids[index] = []
        _scan_stream(page, page.obj.get("/Resources"), [], index, scan)
    return scan


def _scan_stream(stream: Any, resources: Any, stack: list[str], page: int, scan: ContentScan) -> None:
    for item in pikepdf.parse_content_stream(stream):
        if isinstance(item, pikepdf.ContentStreamInlineImage):
            _check_marked("inline image", stack, page, scan)
            continue
        operator = str(item.operator)
        if operator in MARK_BEGIN:
            stack.append(_begin(item.operands, stack, page, scan))
        elif operator == "EMC":
            stack.pop()
        elif operator == "Do" and _is_form(resources, item.operands[0]):
            form = resources.XObject[item.operands[0]]
            _scan_stream(form, form.get("/Resources", resources), stack, page, scan)
        elif operator in TEXT_SHOWING or operator in PAINTING:
            _check_marked(operator, stack, page, scan)


def _begin(operands: Any, stack: list[str], page: int, scan: ContentScan) -> str:
    """The kind of sequence that begins: mcid, artifact, or other; nesting content in content is a finding."""
    tag = str(operands[0])
    properties = operands[1] if len(operands) > 1 and isinstance(operands[1], pikepdf.Dictionary) else {}
    kind = "artifact" if tag == "/Artifact" else "mcid" if "/MCID" in properties else "other"
    if kind != "other" and any(outer != "other" for outer in stack):
        scan.nested.append(f"page {page + 1}: {tag} sequence inside {stack}")
    if kind == "mcid":
        scan.mcids[page].append(int(properties["/MCID"]))
    return kind


def _check_marked(operator: str, stack: list[str], page: int, scan: ContentScan) -> None:
    if "mcid" not in stack and "artifact" not in stack:
        scan.unmarked.append(f"page {page + 1}: {operator} outside marked content")


def _is_form(resources: Any, name: Any) -> bool:
    xobjects = resources.get("/XObject") if resources is not None else None
    return xobjects is not None and xobjects.get(name, {}).get("/Subtype") == "/Form"


def walk_structure(pdf: pikepdf.Pdf) -> StructWalk:
    """Read the structure tree depth first and check it against the parent tree and the pages."""
    walk = StructWalk()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        walk.problems.append("no StructTreeRoot")
        return walk
    pages = {page.obj.objgen: index for index, page in enumerate(pdf.pages)}
    parents = _parent_tree(root.ParentTree)
    for kid in _kids(root):
        _walk_element(kid, root, None, walk, pages, parents)
    return walk


def _walk_element(
    element: Any,
    parent: Any,
    page: int | None,
    walk: StructWalk,
    pages: dict[Any, int],
    parents: dict[int, Any],
) -> None:
    role = str(element.S)[1:]
    record = Element(role, str(parent.get("/S", "/StructTreeRoot"))[1:], str(element.get("/Alt", "")))
    walk.elements.append(record)
    if element.get("/P") is None or element.P.objgen != parent.objgen:
        walk.problems.append(f"{role}: /P is not its parent")
    if role == "Figure" and not str(element.get("/Alt", "")).strip():
        walk.problems.append("Figure without /Alt")
    if record.parent in CONTAINMENT and role not in CONTAINMENT[record.parent]:
        walk.problems.append(f"{role} inside {record.parent}")
    if "/Pg" in element:
        page = pages[element.Pg.objgen]
    for kid in _kids(element):
        if isinstance(kid, int):
            record.content.append(_content(element, page, kid, walk, parents))
        elif kid.get("/Type") == "/MCR":
            kid_page = pages[kid.Pg.objgen] if "/Pg" in kid else page
            record.content.append(_content(element, kid_page, int(kid.MCID), walk, parents))
        elif kid.get("/Type") == "/OBJR":
            _annotation(element, kid, walk, parents)
            record.annotations.append(_entries(kid.Obj))
        else:
            _walk_element(kid, element, page, walk, pages, parents)


def _content(
    element: Any, page: int | None, mcid: int, walk: StructWalk, parents: dict[int, Any]
) -> tuple[int, int]:
    if page is None:
        walk.problems.append(f"MCID {mcid} of {element.S} has no page")
        page = -1
    walk.content.append((page, mcid))
    owners = parents.get(page)
    if owners is None or mcid >= len(owners) or owners[mcid].objgen != element.objgen:
        walk.problems.append(f"page {page + 1} MCID {mcid}: parent tree does not point at its {element.S}")
    return page, mcid


def _annotation(element: Any, objr: Any, walk: StructWalk, parents: dict[int, Any]) -> None:
    annotation = objr.Obj
    key = annotation.get("/StructParent")
    if key is None or parents.get(int(key)) is None or parents[int(key)].objgen != element.objgen:
        walk.problems.append(
            f"{annotation.get('/Subtype')} annotation: /StructParent does not point at its {element.S}"
        )
    walk.annotations.append(annotation.objgen)


def _entries(annotation: Any) -> dict[str, str]:
    """What tests ask of an annotation: subtype, field name and tooltip, link target and description."""
    action = annotation.get("/A", {})
    found = {key: annotation.get(f"/{key}") for key in ("Subtype", "T", "TU", "Contents")}
    found["URI"] = action.get("/URI")
    return {key: str(value) for key, value in found.items() if value is not None}


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, pikepdf.Array) else [kids]


def _parent_tree(node: Any) -> dict[int, Any]:
    """A number tree flattened to key -> value (an array of elements for a page, an element otherwise)."""
    entries: dict[int, Any] = {}
    nums = list(node.get("/Nums", []))
    for key, value in zip(nums[::2], nums[1::2], strict=True):
        entries[int(key)] = value
    for kid in node.get("/Kids", []):
        entries.update(_parent_tree(kid))
    return entries


def check_tagged_pdf(data: bytes) -> list[str]:
    """Every finding: unmarked or nested content, MCIDs not referenced exactly once, tree problems, untagged annotations."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        scan = scan_content(pdf)
        walk = walk_structure(pdf)
        annotations = [a.objgen for page in pdf.pages for a in page.obj.get("/Annots", [])]
    drawn = Counter((page, mcid) for page, mcids in scan.mcids.items() for mcid in mcids)
    referenced = Counter(walk.content)
    problems = scan.unmarked + scan.nested + walk.problems
    problems += [f"page {p + 1} MCID {m} drawn {n} times" for (p, m), n in drawn.items() if n > 1]
    problems += [f"page {p + 1} MCID {m} referenced {n} times" for (p, m), n in referenced.items() if n > 1]
    problems += [
        f"page {p + 1} MCID {m} drawn but not in the tree" for p, m in drawn.keys() - referenced.keys()
    ]
    problems += [
        f"page {p + 1} MCID {m} in the tree but not drawn" for p, m in referenced.keys() - drawn.keys()
    ]
    problems += [f"annotation {a} is not in the tree" for a in annotations if a not in walk.annotations]
    return problems


def structure_text(data: bytes) -> str:
    """The text a screen reader reads: each marked-content sequence's characters, in structure-tree order."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        order = walk_structure(pdf).content
    texts = mcid_texts(data)
    return " ".join(texts.get(key, "") for key in order)


def mcid_texts(data: bytes) -> dict[tuple[int, int], str]:
    """The characters drawn in each marked-content sequence, by (page index, MCID)."""
    texts: dict[tuple[int, int], str] = {}
    with pdfplumber.open(io.BytesIO(data)) as doc:
        for index, page in enumerate(doc.pages):
            for char in page.chars:
                if char.get("mcid") is not None:
                    key = (index, char["mcid"])
                    texts[key] = texts.get(key, "") + char["text"]
    return texts
