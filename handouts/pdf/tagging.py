"""Turn the semantic roles of flowables into marked content (BDC/EMC with MCIDs, or artifacts) as they draw."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, ClassVar

from reportlab.platypus import Flowable, Paragraph

from handouts.pdf.actualtext import actual_text_string
from handouts.pdf.roles import group_with_heading, settle_headings
from handouts.pdf.wordbreaks import soft_breaks

ARTIFACT = "Artifact"
TABLE_CELLS = ("TH", "TD")
LIST_NUMBERING = {"bullet": "Disc", "number": "Decimal", "number-small": "Decimal"}


@dataclass(frozen=True)
class MarkRef:
    """A marked-content sequence: the page (0-based) and the MCID it has there."""

    page: int
    mcid: int


@dataclass(frozen=True)
class AnnotRef:
    """An annotation: a link (its position among the page's links) or a form field (its name)."""

    page: int
    key: int | str


@dataclass(eq=False, slots=True)
class StructNode:
    """A structure element: role, alternative text, layout attributes, and kids in reading order.

    An element joins its parent's kids when its first content is drawn, so kids are in drawing order
    and elements that draw nothing never appear. (Slots: a handout makes a few hundred, each render.)
    """

    role: str
    parent: StructNode | None = None
    alt: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    kids: list[StructNode | MarkRef | AnnotRef] = field(default_factory=list)
    placed: bool = False
    links: dict[object, StructNode] | None = None
    """The Link elements inside this element's text, by link; made when the first link is drawn."""
    actual_text: str = ""
    """What the element's glyphs say, in reading order (a right-to-left run is drawn in visual order)."""
    drawn_text: str = ""
    """The characters of its glyphs in drawing order, for the marked content's /ActualText."""
    text: str = ""
    """A Link's printed words, which describe its annotations to readers."""
    lang: str = ""
    """Its /Lang when its text is not in the document's language (`en-US` in a Spanish handout), else ""."""

    def child(
        self, role: str, alt: str = "", attributes: tuple[tuple[str, str], ...] = (), lang: str = ""
    ) -> StructNode:
        node = StructNode(role, self, alt, attributes)
        if lang:
            node.lang = lang
        return node

    def add(self, kid: MarkRef | AnnotRef) -> None:
        self.attach()
        self.kids.append(kid)

    def attach(self) -> None:
        if not self.placed and self.parent is not None:
            self.parent.attach()
            self.parent.kids.append(self)
        self.placed = True

    def link(self, key: object) -> StructNode:
        """The Link element for one link inside this element's text."""
        if self.links is None:
            self.links = {}
        if key not in self.links:
            self.links[key] = self.child("Link")
        return self.links[key]


class Tagged(Flowable):  # type: ignore[misc]
    """A flowable that marks what it draws for its `handout_role` when the canvas records marked content.

    `handout_marking` says how: "content" puts one sequence around the drawing, "text" marks inside
    the flowable's text objects (so links can have their own sequences), "parts" means the flowable
    marks its own parts (containers, figures with captions, decorations).
    """

    handout_marking: ClassVar[str] = "content"
    handout_role: str = ""
    handout_alt: str = ""
    handout_struct: StructNode | None = None
    handout_lang: str = ""
    """The language of its text when not the document's: its element's /Lang (`paragraph lang`)."""

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        """Draw, marked as `MarkedContent.enter` says; called for every flowable, nested ones included,
        so it opens and closes the marking with two plain calls rather than a context manager."""
        marks: MarkedContent | None = getattr(canvas, "handout_marks", None)
        if getattr(canvas, "handout_measuring", False):
            return  # pages are being counted, not drawn
        if marks is None:
            super().drawOn(canvas, x, y, _sW)
            return
        closing = marks.enter(canvas, self)
        super().drawOn(canvas, x, y, _sW)
        if closing:
            marks.leave(canvas, closing)

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        return inherit_tags(self, super().split(avail_width, avail_height))

    def structure(self, parent: StructNode) -> None:
        """Give this flowable its structure element under `parent` (none for artifacts)."""
        if self.handout_role not in ("", ARTIFACT):
            self.handout_struct = parent.child(self.handout_role, self.handout_alt, lang=self.handout_lang)


_TAGGED_CLASSES: dict[type, type] = {}


def tagged_class(cls: type) -> type:
    """`cls` with Tagged mixed in, under the same name; paragraphs mark inside their text objects."""
    if cls not in _TAGGED_CLASSES:
        marking = "text" if issubclass(cls, Paragraph) else "content"
        namespace = {"handout_marking": marking, "__module__": cls.__module__}
        _TAGGED_CLASSES[cls] = type(cls.__name__, (Tagged, cls), namespace)
    return _TAGGED_CLASSES[cls]


def make_tagged(flowable: Flowable) -> Flowable:
    """Make a ReportLab flowable mark its drawing (its class gains Tagged; nothing else changes)."""
    if not isinstance(flowable, Tagged):
        flowable.__class__ = tagged_class(type(flowable))
    return flowable


def inherit_tags(source: Flowable, parts: list[Flowable]) -> list[Flowable]:
    """Parts of a split flowable keep its role and structure element: one element, drawn on two pages."""
    tags = {key: value for key, value in vars(source).items() if key.startswith("handout_")}
    for part in parts:
        if part is not source and isinstance(part, Tagged):
            part.__dict__.update(tags)
    for part in parts[:-1]:
        part.handout_continues = True  # its text goes on in the next part: its last line is a soft break
    return parts


def assign_structure(story: list[Flowable]) -> StructNode:
    """The Document element for a story: sections become Sect elements, each flowable gets its element."""
    document = StructNode("Document", placed=True)
    for section, flowables in groupby(story, key=lambda f: getattr(f, "handout_section", None)):
        place(flowables, document if section is None else document.child("Sect"))
    settle_headings(story)
    return document


@dataclass(frozen=True, eq=False)
class LanguageBlock:
    """The flowables of one `<block lang>`, a block printed in another language: one Div element with
    that /Lang (each block its own: compared by identity)."""

    lang: str


def place(flowables: Iterable[Flowable], parent: StructNode) -> None:
    """Give each flowable its element under `parent`; the flowables of one block in another language
    share a Div element with its /Lang, consecutive items of one list an L element."""
    for block, group in groupby(flowables, key=lambda f: getattr(f, "handout_block", None)):
        place_lists(group, parent if block is None else parent.child("Div", lang=block.lang))


def place_lists(flowables: Iterable[Flowable], parent: StructNode) -> None:
    """Give each flowable its element under `parent`; consecutive items of one list share an L element."""
    for list_id, group in groupby(flowables, key=lambda f: getattr(f, "handout_list_id", None)):
        items = list(group)
        target = parent
        if list_id is not None:
            numbering = LIST_NUMBERING.get(getattr(items[0], "handout_list_kind", ""), "None")
            target = parent.child("L", attributes=(("O", "List"), ("ListNumbering", numbering)))
        previous = None
        for flowable in items:
            if isinstance(flowable, Tagged):
                flowable.structure(target)
                group_with_heading(previous, flowable)
            previous = flowable


KEEP, END_SEQUENCE, END_TEXT = 0, 1, 2
"""What `MarkedContent.leave` undoes after a flowable draws: nothing, an open sequence, a text element."""


class MarkedContent:
    """Records, while a document draws, which structure element owns each MCID and annotation."""

    def __init__(self, root: StructNode) -> None:
        self.root = root
        self.parents: list[list[StructNode]] = []
        self.links: list[list[StructNode]] = []
        self.text_node: StructNode | None = None
        self.text_breaks: tuple[bool, ...] = ()
        self.outer_text: list[StructNode | None] = []
        self.in_sequence = False

    def page(self, canv: Any) -> int:
        index = int(canv.getPageNumber()) - 1
        while len(self.parents) <= index:
            self.parents.append([])
            self.links.append([])
        return index

    def begin(self, canv: Any, node: StructNode) -> str:
        """The BDC operator that opens `node`'s next marked-content sequence on the current page."""
        page = self.page(canv)
        owners = self.parents[page]
        mcid = len(owners)
        owners.append(node)
        node.add(MarkRef(page, mcid))
        if node.drawn_text:
            return f"/{node.role} <</MCID {mcid} /ActualText {actual_text_string(node.drawn_text)}>> BDC"
        return f"/{node.role} <</MCID {mcid}>> BDC"

    def add_link(self, canv: Any, node: StructNode) -> None:
        page = self.page(canv)
        node.add(AnnotRef(page, len(self.links[page])))
        self.links[page].append(node)

    def add_widget(self, canv: Any, name: str, node: StructNode) -> None:
        node.add(AnnotRef(self.page(canv), name))

    def open_sequence(self, canv: Any, opener: str) -> bool:
        """Open a sequence unless one is open (then what is drawn belongs to that one); was it opened?"""
        if self.in_sequence:
            return False
        canv.addLiteral(opener)
        self.in_sequence = True
        return True

    def close_sequence(self, canv: Any) -> None:
        self.in_sequence = False
        canv.addLiteral("EMC")

    def artifact(self, canv: Any, pagination: str = "") -> AbstractContextManager[None]:
        """An /Artifact sequence; `pagination` (Header, Footer) says which page furniture it is."""
        if pagination:
            return _Sequence(self, canv, f"/Artifact <</Type /Pagination /Subtype /{pagination}>> BDC")
        return _Sequence(self, canv, ARTIFACT_OPENER)

    def content(self, canv: Any, node: StructNode) -> AbstractContextManager[None]:
        if self.in_sequence:
            return nullcontext()
        return _Sequence(self, canv, self.begin(canv, node))

    def enter(self, canv: Any, flowable: Tagged) -> int:
        """Start marking one flowable's drawing: as artifact, as content, as text, or not at all; what
        `leave` must undo when it has drawn (`KEEP`, `END_SEQUENCE` or `END_TEXT`).

        This is `around` without context-manager objects: thousands of flowables draw per handout.
        """
        node = flowable.handout_struct
        if flowable.handout_role == ARTIFACT or (node is not None and node.kids and _repeated_cell(node)):
            return END_SEQUENCE if self.open_sequence(canv, ARTIFACT_OPENER) else KEEP
        if node is None or self.in_sequence or flowable.handout_marking == "parts":
            return KEEP
        if flowable.handout_marking == "text":
            self.outer_text.append(self.text_node)
            self.text_node, self.text_breaks = node, soft_breaks(flowable)
            return END_TEXT
        self.open_sequence(canv, self.begin(canv, node))
        return END_SEQUENCE

    def leave(self, canv: Any, closing: int) -> None:
        """Undo what `enter` started, after the flowable has drawn."""
        if closing == END_SEQUENCE:
            self.close_sequence(canv)
        elif closing == END_TEXT:
            self.text_node = self.outer_text.pop()


ARTIFACT_OPENER = "/Artifact BMC"


class _Sequence:
    """One marked-content sequence; anything marked inside it belongs to it. (A class: a context
    manager made by a generator costs several times more, and decorations open one each.)"""

    __slots__ = ("canv", "marks", "opened", "opener")

    def __init__(self, marks: MarkedContent, canv: Any, opener: str) -> None:
        self.marks, self.canv, self.opener, self.opened = marks, canv, opener, False

    def __enter__(self) -> None:
        self.opened = self.marks.open_sequence(self.canv, self.opener)

    def __exit__(self, *exc: object) -> None:
        if self.opened and exc[0] is None:  # as before: an error leaves the sequence open
            self.marks.close_sequence(self.canv)


def _repeated_cell(node: StructNode) -> bool:
    """A table cell drawn a second time is a header row repeated on a new page: page furniture."""
    return node.role in TABLE_CELLS and bool(node.kids)


def artifact(canv: Any, pagination: str = "") -> AbstractContextManager[None]:
    """Mark decoration (rules, backgrounds, boxes, lines, footers) as an artifact when tagging."""
    marks: MarkedContent | None = getattr(canv, "handout_marks", None)
    return nullcontext() if marks is None else marks.artifact(canv, pagination)


def marked(canv: Any, node: StructNode | None) -> AbstractContextManager[None]:
    """Mark drawing as content of `node` (a Figure's picture, say) when tagging."""
    marks: MarkedContent | None = getattr(canv, "handout_marks", None)
    return nullcontext() if marks is None or node is None else marks.content(canv, node)


def record_widget(canv: Any, name: str, node: StructNode | None) -> None:
    """Put the form field `name`, made after layout, into `node` (a Form element) when tagging."""
    marks: MarkedContent | None = getattr(canv, "handout_marks", None)
    if marks is not None and node is not None:
        marks.add_widget(canv, name, node)
