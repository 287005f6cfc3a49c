"""Turn the marked content recorded while drawing into the PDF's structure tree, parent tree and tagged-PDF flags,
as ReportLab objects written in the document's own save."""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfdoc import PDFDictionary, PDFName, PDFObjectReference, PDFString

from handouts.pdf.tagging import AnnotRef, MarkedContent, MarkRef, StructNode
from handouts.pdf.tokens import PdfDict, pdf_string

# Roles outside PDF 1.7's standard structure types, and the standard type each one means.
ROLE_MAP = {"Aside": "Sect"}
HEADING_LEVELS = {f"H{level}": level for level in range(1, 7)}

Annotation = tuple[PDFDictionary, PDFObjectReference]
"""An annotation ReportLab will write, and the reference to it."""


def write_structure(document: Any, widgets: dict[str, Annotation], marks: MarkedContent) -> None:
    """Add StructTreeRoot, ParentTree, /StructParent, /MarkInfo and link descriptions to ReportLab's
    `document` before it saves; pages get /StructParents and /Tabs from `TaggedPage`."""
    writer = TreeWriter(document, widgets)
    root = PdfDict({"Type": PDFName("StructTreeRoot")})
    root_ref = document.Reference(root)
    root["K"] = writer.element(marks.root, root_ref)
    root["ParentTree"] = document.Reference(PdfDict({"Nums": writer.parent_tree(marks)}))
    root["ParentTreeNextKey"] = writer.next_key
    root["RoleMap"] = PdfDict({role: PDFName(standard) for role, standard in ROLE_MAP.items()})
    if writer.ids:
        root["IDTree"] = PdfDict({"Names": [item for pair in writer.ids for item in pair]})
    document.Catalog.StructTreeRoot = root
    document.Catalog.MarkInfo = PdfDict({"Marked": "true"})


def page_references(document: Any) -> list[PDFObjectReference]:
    """The pages ReportLab has finished, in order (it names them Page1, Page2, ...)."""
    return [PDFObjectReference(f"Page{number}") for number in range(1, len(document.Pages.pages) + 1)]


class TreeWriter:
    """Writes structure elements depth first, in reading order, remembering what the parent tree needs."""

    def __init__(self, document: Any, widgets: dict[str, Annotation]) -> None:
        self.document = document
        self.pages = page_references(document)
        self.links = [_links(document, page) for page in document.Pages.pages]
        self.widgets = widgets
        self.elements: dict[StructNode, PDFObjectReference] = {}
        self.annotation_parents: list[tuple[int, PDFObjectReference]] = []
        self.ids: list[tuple[PDFString, PDFObjectReference]] = []
        self.next_key = len(self.pages)
        self.heading = 0

    def element(self, node: StructNode, parent: PDFObjectReference) -> PDFObjectReference:
        element = PdfDict({"Type": PDFName("StructElem"), "S": PDFName(self.role(node)), "P": parent})
        reference: PDFObjectReference = self.document.Reference(element)
        self.elements[node] = reference
        pages = sorted({kid.page for kid in node.kids if isinstance(kid, MarkRef)})
        if pages:
            element["Pg"] = self.pages[pages[0]]
        page = pages[0] if len(pages) == 1 else None
        kids = [self.kid(kid, reference, page, node) for kid in node.kids]
        element["K"] = kids[0] if len(kids) == 1 else kids
        self.describe(node, element, reference)
        return reference

    def role(self, node: StructNode) -> str:
        """The node's role; a heading is never more than one level below the heading before it."""
        if node.role not in HEADING_LEVELS:
            return node.role
        self.heading = min(HEADING_LEVELS[node.role], self.heading + 1)
        return f"H{self.heading}"

    def describe(self, node: StructNode, element: PdfDict, reference: PDFObjectReference) -> None:
        """Alternative text, layout attributes, and the identifier every Note needs."""
        if node.alt:
            element["Alt"] = PDFString(node.alt)
        if node.actual_text:
            element["ActualText"] = PDFString(node.actual_text)
        if node.attributes:
            element["A"] = PdfDict({key: PDFName(value) for key, value in node.attributes})
        if node.role == "Note":
            identifier = PDFString(f"note-{len(self.ids) + 1}")
            element["ID"] = identifier
            self.ids.append((identifier, reference))

    def kid(
        self,
        kid: StructNode | MarkRef | AnnotRef,
        element: PDFObjectReference,
        page: int | None,
        owner: StructNode,
    ) -> Any:
        """A kid for /K: an MCID on the element's one page, else a reference naming its page."""
        if isinstance(kid, StructNode):
            return self.element(kid, element)
        if isinstance(kid, MarkRef):
            if kid.page == page:
                return kid.mcid
            return PdfDict({"Type": PDFName("MCR"), "Pg": self.pages[kid.page], "MCID": kid.mcid})
        annotation, reference = self.annotation(kid, owner.text)
        annotation["StructParent"] = self.next_key
        self.annotation_parents.append((self.next_key, element))
        self.next_key += 1
        return PdfDict({"Type": PDFName("OBJR"), "Obj": reference, "Pg": self.pages[kid.page]})

    def annotation(self, ref: AnnotRef, text: str) -> Annotation:
        """The widget named by `ref`, or the link it counts to, described by its printed words (else its URI)."""
        if isinstance(ref.key, str):
            return self.widgets[ref.key]
        link, reference = self.links[ref.page][ref.key]
        link["Contents"] = pdf_string(" ".join(text.split()) or link["A"]["URI"].s)
        return link, reference

    def parent_tree(self, marks: MarkedContent) -> list[Any]:
        """Number tree entries: each page's MCIDs to their elements, then each annotation to its element."""
        nums: list[Any] = []
        for index in range(len(self.pages)):
            owners = marks.parents[index] if index < len(marks.parents) else []
            nums += [index, [self.elements[node] for node in owners]]
        for key, element in self.annotation_parents:
            nums += [key, element]
        return nums


def _links(document: Any, page: Any) -> list[Annotation]:
    """The link annotations of one page, in the order ReportLab made them."""
    found = []
    for reference in page.Annots or ():
        annotation = document.idToObject[reference.name]
        if isinstance(annotation, PDFDictionary) and annotation.dict.get("Subtype") == PDFName("Link"):
            found.append((annotation, reference))
    return found
