"""Turn the marked content recorded while drawing into the PDF's structure tree, parent tree and tagged-PDF flags,
as ReportLab objects written in the document's own save.

A tagged handout has about two hundred structure elements, so each is written straight to its bytes
(a `ReadyObject`) in one depth-first walk: ReportLab numbers an object when it is registered, so by the time
an element's kids are written every number it names is known, and the save only copies the bytes.
Each reference is formatted once (`b"12 0 R"`) and reused by the element, its kids and the parent tree.
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFObjectReference

from handouts.pdf.tagging import AnnotRef, MarkedContent, MarkRef, StructNode
from handouts.pdf.tokens import ReadyObject, pdf_string

# Roles outside PDF 1.7's standard structure types, and the standard type each one means.
ROLE_MAP = {"Aside": "Sect"}
HEADING_LEVELS = {f"H{level}": level for level in range(1, 7)}

Annotation = tuple[PDFDictionary, PDFObjectReference]
"""An annotation ReportLab will write, and the reference to it."""

_ROLE_MAP_TOKEN = b"<<" + b"".join(b"/%s %s" % (role.encode(), PDFName(standard).encode()) for role, standard in ROLE_MAP.items()) + b">>"  # fmt: skip
_ROLES: dict[str, bytes] = {}
"""Each role's name token, escaped once per process."""


def write_structure(document: Any, widgets: dict[str, Annotation], marks: MarkedContent) -> None:
    """Add StructTreeRoot, ParentTree, /StructParent, /MarkInfo and link descriptions to ReportLab's
    `document` before it saves; pages get /StructParents and /Tabs from `TaggedPage`."""
    writer = TreeWriter(document, widgets)
    root = ReadyObject()
    kid = writer.element(marks.root, writer.register(root))
    parent_tree = writer.register(ReadyObject(b"<</Nums [" + writer.parent_tree(marks) + b"]>>"))
    parts = [b"<</Type /StructTreeRoot/K ", kid, b"/ParentTree ", parent_tree]
    parts += [b"/ParentTreeNextKey %d/RoleMap " % writer.next_key, _ROLE_MAP_TOKEN]
    if writer.ids:
        parts += [b"/IDTree <</Names [", b" ".join(writer.ids), b"]>>"]
    root.data = b"".join(parts) + b">>"
    document.Catalog.StructTreeRoot = root
    document.Catalog.MarkInfo = ReadyObject(b"<</Marked true>>")


def page_references(document: Any) -> list[PDFObjectReference]:
    """The pages ReportLab has finished, in order (it names them Page1, Page2, ...)."""
    return [PDFObjectReference(f"Page{number}") for number in range(1, len(document.Pages.pages) + 1)]


class TreeWriter:
    """Writes structure elements depth first, in reading order, remembering what the parent tree needs.
    References are kept as their ready tokens (`b"12 0 R"`)."""

    def __init__(self, document: Any, widgets: dict[str, Annotation]) -> None:
        self.document = document
        self.numbers: dict[str, tuple[int, int]] = document.idToObjectNumberAndVersion
        self.pages = [self.reference(page) for page in page_references(document)]
        self.links = [_links(document, page) for page in document.Pages.pages]
        self.widgets = widgets
        self.elements: dict[StructNode, bytes] = {}
        self.annotation_parents: list[bytes] = []
        self.ids: list[bytes] = []
        self.next_key = len(self.pages)
        self.heading = 0

    def reference(self, reference: PDFObjectReference) -> bytes:
        return b"%d %d R" % self.numbers[reference.name]

    def register(self, ready: ReadyObject) -> bytes:
        """Give `ready` its object number now (ReportLab numbers objects as they are registered)."""
        return self.reference(self.document.Reference(ready))

    def element(self, node: StructNode, parent: bytes) -> bytes:
        """Write `node` and, depth first, its kids; its reference."""
        ready = ReadyObject()
        reference = self.elements[node] = self.register(ready)
        kids = node.kids
        pages = {kid.page for kid in kids if isinstance(kid, MarkRef)}
        parts = [b"<</Type /StructElem/S ", self.role(node), b"/P ", parent]
        first = min(pages) if pages else -1
        if pages:
            parts += [b"/Pg ", self.pages[first]]
        page = first if len(pages) == 1 else -1  # kids on the element's one page are bare MCIDs
        tokens = []
        for kid in kids:
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
        self.describe(node, parts, reference)
        parts.append(b">>")
        ready.data = b"".join(parts)
        return reference

    def role(self, node: StructNode) -> bytes:
        """The node's role; a heading is never more than one level below the heading before it."""
        role = node.role
        if role in HEADING_LEVELS:
            self.heading = min(HEADING_LEVELS[role], self.heading + 1)
            role = f"H{self.heading}"
        name = _ROLES.get(role)
        if name is None:
            name = _ROLES[role] = PDFName(role).encode()
        return name

    def describe(self, node: StructNode, parts: list[bytes], reference: bytes) -> None:
        """Alternative text, layout attributes, and the identifier every Note needs."""
        if node.alt:
            parts += [b"/Alt ", pdf_string(node.alt)]
        if node.actual_text:
            parts += [b"/ActualText ", pdf_string(node.actual_text)]
        if node.attributes:
            attributes = b"".join(b"/%s %s" % (key.encode(), PDFName(value).encode()) for key, value in dict(node.attributes).items())  # fmt: skip
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
        return b"<</Type /OBJR/Obj %s/Pg %s>>" % (self.reference(reference), self.pages[ref.page])

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


def _links(document: Any, page: Any) -> list[Annotation]:
    """The link annotations of one page, in the order ReportLab made them."""
    found = []
    for reference in page.Annots or ():
        annotation = document.idToObject[reference.name]
        if isinstance(annotation, PDFDictionary) and annotation.dict.get("Subtype") == PDFName("Link"):
            found.append((annotation, reference))
    return found
