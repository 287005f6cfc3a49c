"""Turn the marked content recorded while drawing into the PDF's structure tree, parent tree and tagged-PDF flags,
as ReportLab objects written in the document's own save.

A tagged handout has about two hundred structure elements, so each is written straight to its bytes in
one depth-first walk: an element takes the next object number on the way down (`reserve_number`), so on
the way up every number its bytes name is known, and the finished bytes are registered under that number
(`place_bytes`, savefile.py); the save copies them into the file. No Python object is made per element,
and each reference is formatted once (`b"12 0 R"`) for the element, its kids and the parent tree.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFObjectReference

from handouts.pdf.savefile import READY_NAME, place_bytes, reserve_number
from handouts.pdf.tagging import AnnotRef, MarkedContent, MarkRef, StructNode
from handouts.pdf.tokens import ReadyObject, pdf_string

# Roles outside PDF 1.7's standard structure types, and the standard type each one means.
ROLE_MAP = {"Aside": "Sect"}
HEADING_LEVELS = {f"H{level}": level for level in range(1, 7)}

Annotation = tuple[PDFDictionary, PDFObjectReference]
"""An annotation ReportLab will write, and the reference to it."""

_ROLE_MAP_TOKEN = b"<<" + b"".join(b"/%s %s" % (role.encode(), PDFName(standard).encode()) for role, standard in ROLE_MAP.items()) + b">>"  # fmt: skip
_LINK = PDFName("Link")
_ROLES: dict[str, bytes] = {}
"""Each role's (and attribute value's) name token, escaped once per process."""


def write_structure(document: Any, widgets: dict[str, Annotation], marks: MarkedContent) -> None:
    """Add StructTreeRoot, ParentTree, /StructParent, /MarkInfo and link descriptions to ReportLab's
    `document` before it saves; pages get /StructParents and /Tabs from `TaggedPage`."""
    writer = TreeWriter(document, widgets, marks)
    root = reserve_number(document)
    kid = writer.element(marks.root, b"%d 0 R" % root)
    parent_tree = reserve_number(document)
    place_bytes(document, parent_tree, b"<</Nums [" + writer.parent_tree(marks) + b"]>>")
    parts = [b"<</Type /StructTreeRoot/K ", kid, b"/ParentTree %d 0 R" % parent_tree]
    parts += [b"/ParentTreeNextKey %d/RoleMap " % writer.next_key, _ROLE_MAP_TOKEN]
    if writer.ids:
        parts += [b"/IDTree <</Names [", b" ".join(writer.ids), b"]>>"]
    place_bytes(document, root, b"".join(parts) + b">>")
    document.Catalog.StructTreeRoot = PDFObjectReference(READY_NAME % root)
    document.Catalog.MarkInfo = ReadyObject(b"<</Marked true>>")


def page_references(document: Any) -> list[PDFObjectReference]:
    """The pages ReportLab has finished, in order (it names them Page1, Page2, ...)."""
    return [PDFObjectReference(f"Page{number}") for number in range(1, len(document.Pages.pages) + 1)]


class TreeWriter:
    """Writes structure elements depth first, in reading order, remembering what the parent tree needs.
    References are kept as their ready tokens (`b"12 0 R"`)."""

    def __init__(self, document: Any, widgets: dict[str, Annotation], marks: MarkedContent) -> None:
        self.document = document
        self.content_pages = _content_pages(marks)
        numbers = document.idToObjectNumberAndVersion
        self.pages = [b"%d %d R" % numbers[page.name] for page in page_references(document)]
        self.links = [_links(document, page) for page in document.Pages.pages]
        self.widgets = widgets
        self.elements: dict[StructNode, bytes] = {}
        self.annotation_parents: list[bytes] = []
        self.ids: list[bytes] = []
        self.next_key = len(self.pages)
        self.heading = 0

    def element(self, node: StructNode, parent: bytes) -> bytes:
        """Write `node` and, depth first, its kids; its reference. The element takes its number first and
        is placed once its kids (numbered after it) are written."""
        number = reserve_number(self.document)
        reference = self.elements[node] = b"%d 0 R" % number
        role = node.role
        if role in HEADING_LEVELS:
            role = self.heading_role(role)
        parts = [b"<</Type /StructElem/S ", _ROLES.get(role) or _role_name(role), b"/P ", parent]
        first, page = self.content_pages.get(node, _NO_CONTENT)
        if first >= 0:
            parts += [b"/Pg ", self.pages[first]]
        tokens = []
        for kid in node.kids:
            if isinstance(kid, MarkRef):
                if kid.page == page:
                    tokens.append(b"%d" % kid.mcid)
                else:
                    tokens.append(b"<</Type /MCR/Pg %s/MCID %d>>" % (self.pages[kid.page], kid.mcid))
            elif isinstance(kid, StructNode):
                tokens.append(self.element(kid, reference))
            else:
                tokens.append(self.annotation(kid, reference, node.text))
        parts += [b"/K ", tokens[0] if len(tokens) == 1 else b"[" + b" ".join(tokens) + b"]"]
        if node.alt or node.actual_text or node.attributes or role == "Note" or node.lang:
            self.describe(node, parts, reference)
        parts.append(b">>")
        place_bytes(self.document, number, b"".join(parts))
        return reference

    def heading_role(self, role: str) -> str:
        """A heading is never more than one level below the heading before it."""
        self.heading = min(HEADING_LEVELS[role], self.heading + 1)
        return f"H{self.heading}"

    def describe(self, node: StructNode, parts: list[bytes], reference: bytes) -> None:
        """Its language when not the document's, alternative text, layout attributes, and the identifier
        every Note needs."""
        if node.lang:
            parts += [b"/Lang ", pdf_string(node.lang)]
        if node.alt:
            parts += [b"/Alt ", pdf_string(node.alt)]
        if node.actual_text:
            parts += [b"/ActualText ", pdf_string(node.actual_text)]
        if node.attributes:
            attributes = b"".join(b"/%s %s" % (key.encode(), _name(value)) for key, value in dict(node.attributes).items())  # fmt: skip
            parts += [b"/A <<", attributes, b">>"]
        if node.role == "Note":
            identifier = pdf_string(f"note-{len(self.ids) // 2 + 1}")
            parts += [b"/ID ", identifier]
            self.ids += [identifier, reference]

    def annotation(self, ref: AnnotRef, element: bytes, text: str) -> bytes:
        """An OBJR kid for the widget named by `ref` or the link it counts to; the annotation learns its
        /StructParent, and a link is described by its printed words (else its URI)."""
        if isinstance(ref.key, str):
            annotation, reference = self.widgets[ref.key]
        else:
            annotation, reference = self.links[ref.page][ref.key]
            annotation["Contents"] = pdf_string(" ".join(text.split()) or annotation["A"]["URI"].s)
        annotation["StructParent"] = self.next_key
        self.annotation_parents.append(element)
        self.next_key += 1
        obj = b"%d %d R" % self.document.idToObjectNumberAndVersion[reference.name]
        return b"<</Type /OBJR/Obj %s/Pg %s>>" % (obj, self.pages[ref.page])

    def parent_tree(self, marks: MarkedContent) -> bytes:
        """The number tree's entries: each page's MCIDs to their elements, then each annotation to its element."""
        nums: list[bytes] = []
        elements = self.elements
        for index in range(len(self.pages)):
            owners = marks.parents[index] if index < len(marks.parents) else []
            nums.append(b"%d [%s]" % (index, b" ".join([elements[node] for node in owners])))
        first = len(self.pages)
        nums += [
            b"%d %s" % (first + offset, element) for offset, element in enumerate(self.annotation_parents)
        ]
        return b" ".join(nums)


def _role_name(role: str) -> bytes:
    name: str = PDFName(role)
    _ROLES[role] = name.encode()
    return _ROLES[role]


def _name(value: str) -> bytes:
    """A name token (`/List`), escaped once per process."""
    return _ROLES.get(value) or _role_name(value)


_NO_CONTENT = (-1, -1)


def _content_pages(marks: MarkedContent) -> dict[StructNode, tuple[int, int]]:
    """For each element with marked content: the first page it has content on (its /Pg), and that page
    again when all its content is there (its MCIDs are then bare numbers), else -1. Read from the record of
    which element owns each MCID, which is made with the element's MarkRef kids, page by page."""
    found: dict[StructNode, tuple[int, int]] = {}
    for page, owners in enumerate(marks.parents):
        for node in owners:
            first, _ = found.setdefault(node, (page, page))
            if first != page:
                found[node] = (first, -1)
    return found


def _links(document: Any, page: Any) -> list[Annotation]:
    """The link annotations of one page, in the order ReportLab made them."""
    found = []
    for reference in page.Annots or ():
        annotation = document.idToObject[reference.name]
        if isinstance(annotation, PDFDictionary) and annotation.dict.get("Subtype") == _LINK:
            found.append((annotation, reference))
    return found
