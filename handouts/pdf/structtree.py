"""Turn the marked content recorded while drawing into the PDF's structure tree, parent tree and tagged-PDF flags."""

from __future__ import annotations

from typing import Any

import pikepdf
from pikepdf import Array, Dictionary, Name, String

from handouts.pdf.tagging import AnnotRef, MarkedContent, MarkRef, StructNode

# Roles outside PDF 1.7's standard structure types, and the standard type each one means.
ROLE_MAP = {"Aside": "Sect"}
HEADING_LEVELS = {f"H{level}": level for level in range(1, 7)}


def write_structure(pdf: pikepdf.Pdf, widgets: dict[int, list[Any]], marks: MarkedContent) -> None:
    """Write StructTreeRoot, ParentTree, /StructParents, /StructParent, /MarkInfo and /Tabs into `pdf`."""
    writer = TreeWriter(pdf, widgets)
    root = pdf.make_indirect(Dictionary(Type=Name.StructTreeRoot))
    root.K = writer.element(marks.root, root)
    root.ParentTree = pdf.make_indirect(Dictionary(Nums=writer.parent_tree(marks)))
    root.ParentTreeNextKey = writer.next_key
    root.RoleMap = Dictionary({f"/{role}": Name(f"/{standard}") for role, standard in ROLE_MAP.items()})
    if writer.ids:
        root.IDTree = Dictionary(Names=Array([item for pair in writer.ids for item in pair]))
    pdf.Root.StructTreeRoot = root
    pdf.Root.MarkInfo = Dictionary(Marked=True)
    for index, page in enumerate(writer.pages):
        page.StructParents = index
        page.Tabs = Name.S


class TreeWriter:
    """Writes structure elements depth first, in reading order, remembering what the parent tree needs."""

    def __init__(self, pdf: pikepdf.Pdf, widgets: dict[int, list[Any]]) -> None:
        self.pdf = pdf
        self.pages = [page.obj for page in pdf.pages]
        self.links = [
            [a for a in page.get("/Annots", []) if a.get("/Subtype") == Name.Link] for page in self.pages
        ]
        self.widgets = {str(widget.T): widget for page in widgets.values() for widget in page}
        self.elements: dict[StructNode, Dictionary] = {}
        self.annotation_parents: list[tuple[int, Dictionary]] = []
        self.ids: list[tuple[String, Dictionary]] = []
        self.next_key = len(self.pages)
        self.heading = 0

    def element(self, node: StructNode, parent: Dictionary) -> Dictionary:
        element = self.pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name(f"/{self.role(node)}"), P=parent)
        )
        self.elements[node] = element
        pages = sorted({kid.page for kid in node.kids if isinstance(kid, MarkRef)})
        if pages:
            element.Pg = self.pages[pages[0]]
        page = pages[0] if len(pages) == 1 else None
        kids = [self.kid(kid, element, page) for kid in node.kids]
        element.K = kids[0] if len(kids) == 1 else Array(kids)
        self.describe(node, element)
        return element

    def role(self, node: StructNode) -> str:
        """The node's role; a heading is never more than one level below the heading before it."""
        if node.role not in HEADING_LEVELS:
            return node.role
        self.heading = min(HEADING_LEVELS[node.role], self.heading + 1)
        return f"H{self.heading}"

    def describe(self, node: StructNode, element: Dictionary) -> None:
        """Alternative text, layout attributes, and the identifier every Note needs."""
        if node.alt:
            element.Alt = String(node.alt)
        if node.actual_text:
            element.ActualText = String(node.actual_text)
        if node.attributes:
            element.A = Dictionary({f"/{key}": Name(f"/{value}") for key, value in node.attributes})
        if node.role == "Note":
            element.ID = String(f"note-{len(self.ids) + 1}")
            self.ids.append((element.ID, element))

    def kid(self, kid: StructNode | MarkRef | AnnotRef, element: Dictionary, page: int | None) -> Any:
        """A kid for /K: an MCID on the element's one page, else a reference naming its page."""
        if isinstance(kid, StructNode):
            return self.element(kid, element)
        if isinstance(kid, MarkRef):
            if kid.page == page:
                return kid.mcid
            return Dictionary(Type=Name.MCR, Pg=self.pages[kid.page], MCID=kid.mcid)
        annotation = self.annotation(kid)
        annotation.StructParent = self.next_key
        self.annotation_parents.append((self.next_key, element))
        self.next_key += 1
        return Dictionary(Type=Name.OBJR, Obj=annotation, Pg=self.pages[kid.page])

    def annotation(self, ref: AnnotRef) -> Any:
        """The widget named by `ref`, or the link it counts to; a link's URI becomes its description."""
        if isinstance(ref.key, str):
            return self.widgets[ref.key]
        link = self.links[ref.page][ref.key]
        link.Contents = String(str(link.A.get("/URI", "")))
        return link

    def parent_tree(self, marks: MarkedContent) -> Array:
        """Number tree entries: each page's MCIDs to their elements, then each annotation to its element."""
        nums: list[Any] = []
        for index in range(len(self.pages)):
            owners = marks.parents[index] if index < len(marks.parents) else []
            nums += [index, Array([self.elements[node] for node in owners])]
        for key, element in self.annotation_parents:
            nums += [key, element]
        return Array(nums)
