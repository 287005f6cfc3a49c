"""The handout's own Platypus flowables: list items, callouts, checklists, write-in lines, QR codes, logos."""

from __future__ import annotations

import json
from functools import lru_cache
from itertools import count, groupby
from pathlib import Path
from typing import Any

import reportlab
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Table, TableStyle

from handouts.cache import entry_key, read_entry, write_entry
from handouts.escaping import escape_text, quote_attribute
from handouts.pdf.logo import logo_reader
from handouts.pdf.paragraphs import parsed_paragraph
from handouts.pdf.tagging import (
    StructNode,
    Tagged,
    artifact,
    inherit_tags,
    make_tagged,
    marked,
    place,
)
from handouts.pdf.themes import Theme

_LIST_IDS = count(1)


def tag(flowable: Flowable, role: str, **extra: Any) -> Flowable:
    """Remember a flowable's semantic role (H1, P, LI, Figure...) for tagging and story outlines."""
    flowable.handout_role = role
    for key, value in extra.items():
        setattr(flowable, f"handout_{key}", value)
    return make_tagged(flowable)


def new_list_id() -> int:
    """An id shared by the items of one list, so tagging can group them into one L element."""
    return next(_LIST_IDS)


class Rule(Tagged):
    """A full-width decorative bar in the clinic's accent colour (an artifact, not content)."""

    def __init__(self, colour: str, thickness: float) -> None:
        super().__init__()
        self.colour = colour
        self.thickness = thickness
        tag(self, "Artifact")

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.thickness

    def draw(self) -> None:
        self.canv.setFillColor(HexColor(self.colour))
        self.canv.rect(0, 0, self.width, self.thickness, stroke=0, fill=1)


class LogoImage(Tagged):
    """The clinic logo, scaled to a fixed height, with alternative text."""

    def __init__(self, path: Path, height: float, alt: str) -> None:
        super().__init__()

        self.reader = logo_reader(path)
        pixel_w, pixel_h = self.reader.getSize()
        self.draw_height = height
        self.draw_width = height * pixel_w / max(pixel_h, 1)
        self.alt = alt
        tag(self, "Figure" if alt else "Artifact", alt=alt)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        if self.draw_width > avail_width:
            self.draw_height *= avail_width / self.draw_width
            self.draw_width = avail_width
        return self.draw_width, self.draw_height + 6

    def draw(self) -> None:
        self.canv.drawImage(self.reader, 0, 6, self.draw_width, self.draw_height, mask="auto")


class Label(Tagged):
    """A list item's bullet or number: one short string drawn where a Paragraph would put its first line."""

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text = text
        self.style = style
        tag(self, "Lbl")

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        return avail_width, self.style.leading

    def draw(self) -> None:
        style = self.style
        self.canv.setFillColor(style.textColor)
        self.canv.setFont(style.fontName, style.fontSize, style.leading)
        self.canv.drawString(0, style.leading - style.fontSize, self.text)  # a Paragraph's first baseline


class ListItem(Tagged):
    """One list item: a label (bullet, number, box) beside a body flowable; splits with its body."""

    handout_marking = "parts"

    def __init__(self, label: Label | None, body: Flowable, indent: float, list_id: int, kind: str) -> None:
        super().__init__()
        self.label = label
        self.body = body
        self.indent = indent
        tag(self, "LI", list_id=list_id, list_kind=kind)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, height = self.body.wrap(avail_width - self.indent, avail_height)
        self.width, self.height = avail_width, height
        return avail_width, height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        parts = self.body.split(avail_width - self.indent, avail_height)
        if not parts:
            return []
        first = ListItem(self.label, parts[0], self.indent, self.handout_list_id, self.handout_list_kind)
        rest = [
            ListItem(None, p, self.indent, self.handout_list_id, self.handout_list_kind) for p in parts[1:]
        ]
        return inherit_tags(self, [first, *rest])

    def structure(self, parent: StructNode) -> None:
        """LI with Lbl (the bullet or number) and LBody (the body)."""
        self.handout_struct = parent.child("LI")
        if isinstance(self.label, Tagged):
            self.label.structure(self.handout_struct)
        if isinstance(self.body, Tagged):
            self.body.structure(self.handout_struct)

    def getSpaceAfter(self) -> float:
        return float(self.body.getSpaceAfter())

    def draw(self) -> None:
        if self.label is not None:
            self.label.drawOn(self.canv, 0, self.height - self.label.style.leading)
        self.body.drawOn(self.canv, self.indent, 0)


def list_items(bodies: list[Flowable], kind: str, theme: Theme) -> list[Flowable]:
    """ListItems for `bullet`, `number`, `number-small`, `none` or `check` lists."""
    list_id = new_list_id()
    indent = theme.size("bullet_indent") * (1.6 if kind.startswith("number") else 1)
    items: list[Flowable] = []
    for number, body in enumerate(bodies, 1):
        label: Label | None
        style = theme.style("small" if kind == "number-small" else "item")
        if kind == "bullet":
            label = Label("\u2022", style)
        elif kind.startswith("number"):
            label = Label(f"{number}.", style)
        else:
            label = None
        items.append(ListItem(label, body, indent if label else 0, list_id, kind))
    return items


class Callout(Tagged):
    """A shaded, bordered box around flowables (key points, notes, warnings); splits across pages."""

    handout_marking = "parts"

    def __init__(self, inner: list[Flowable], theme: Theme, kind: str) -> None:
        super().__init__()
        self.inner = inner
        self.theme = theme
        self.kind = kind
        self.pad = theme.size("callout_padding")
        tag(self, callout_role(kind, inner), kind=kind)

    def _heights(self, avail_width: float, avail_height: float) -> list[float]:
        heights = []
        for index, flowable in enumerate(self.inner):
            _, height = flowable.wrap(avail_width - 2 * self.pad, avail_height)
            gap = flowable.getSpaceAfter() if index < len(self.inner) - 1 else 0
            heights.append(height + gap)
        return heights

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = sum(self._heights(avail_width, avail_height)) + 2 * self.pad
        return avail_width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        room = avail_height - 2 * self.pad
        used, first = 0.0, []
        heights = self._heights(avail_width, avail_height)
        for index, (flowable, height) in enumerate(zip(self.inner, heights, strict=True)):
            if used + height <= room:
                first.append(flowable)
                used += height
                continue
            parts = flowable.split(avail_width - 2 * self.pad, room - used)
            if parts:
                first.append(parts[0])
                rest = [*parts[1:], *self.inner[index + 1 :]]
            else:
                rest = self.inner[index:]
            if not first:
                return []
            parts = [Callout(first, self.theme, self.kind), Callout(rest, self.theme, self.kind)]
            return inherit_tags(self, parts)
        return [self]

    def structure(self, parent: StructNode) -> None:
        """Aside, Sect or Div containing the callout's own elements."""
        self.handout_struct = parent.child(self.handout_role)
        place(self.inner, self.handout_struct)

    def draw(self) -> None:
        canv = self.canv
        with artifact(canv):
            canv.saveState()
            canv.setFillColor(self.theme.colour("callout_background"))
            canv.setStrokeColor(self.theme.colour("callout_border"))
            canv.setLineWidth(self.theme.size("rule_width") * (2 if self.kind == "keypoints" else 1))
            canv.rect(0, 0, self.width, self.height, stroke=1, fill=1)
            canv.restoreState()
        y = self.height - self.pad
        for index, flowable in enumerate(self.inner):
            _, height = flowable.wrap(self.width - 2 * self.pad, self.height)
            y -= height
            flowable.drawOn(canv, self.pad, y)
            if index < len(self.inner) - 1:
                y -= flowable.getSpaceAfter()


def callout_role(kind: str, inner: list[Flowable]) -> str:
    """Key points are an `Aside`; a callout with a title heading is a `Sect`, one without a `Div`."""
    if kind == "keypoints":
        return "Aside"
    titled = bool(inner) and getattr(inner[0], "handout_role", "")[:1] == "H"
    return "Sect" if titled else "Div"


class QrCode(Tagged):
    """A QR code for the online version, with the short URL printed beside it."""

    handout_marking = "parts"

    def __init__(self, url: str, label: str, alt: str, theme: Theme) -> None:
        super().__init__()
        self.url = url
        self.label = label
        self.theme = theme
        self.size = theme.size("qr")
        self.caption = tag(parsed_paragraph(f"<b>{_escape(label)}</b>", theme.style("body")), "P")
        link = f"<a href={quote_attribute(url)} color={quote_attribute(theme.colour_hex('link'))}>{_escape(short_url(url))}</a>"
        self.address = tag(parsed_paragraph(link, theme.style("small")), "P")
        tag(self, "Figure", alt=alt)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        """The label beside the code, the printed address across the full width below it."""
        self.width = avail_width
        _, self.caption_height = self.caption.wrap(avail_width - self.size - 12, avail_height)
        _, self.address_height = self.address.wrap(avail_width, avail_height)
        self.height = max(self.size, self.caption_height) + self.address_height + 12
        return avail_width, self.height

    def draw(self) -> None:
        runs, modules = qr_runs(self.url)
        box = self.size / (modules + 2 * QR_QUIET_MODULES)
        top = self.height - QR_QUIET_MODULES * box
        with marked(self.canv, self.handout_struct):
            path = self.canv.beginPath()
            for row, column, length in runs:
                x = (column + QR_QUIET_MODULES) * box
                path.rect(x, top - (row + 1) * box, length * box, box)
            self.canv.saveState()
            self.canv.setFillColor(self.theme.colour("text"))
            self.canv.drawPath(path, stroke=0, fill=1)
            self.canv.restoreState()
        self.caption.drawOn(self.canv, self.size + 12, self.height - self.caption_height - 6)
        self.address.drawOn(self.canv, 0, 4)

    def structure(self, parent: StructNode) -> None:
        """A Figure (the code, described by its alternative text), then the printed label and address."""
        self.handout_struct = parent.child("Figure", self.handout_alt)
        for paragraph in (self.caption, self.address):
            paragraph.structure(parent)


QR_QUIET_MODULES = 2
"""Light modules around the code, so a phone camera can find its edges."""


QrRuns = tuple[tuple[tuple[int, int, int], ...], int]


@lru_cache(maxsize=64)
def qr_runs(url: str) -> QrRuns:
    """The dark runs (row, first column, length) of the QR code for `url`, and its size in modules;
    kept in the cache folder, so a new process draws a known code without ReportLab's barcode package."""
    key = entry_key("qr", reportlab.Version, url)
    stored = read_entry(key)
    if stored is not None:
        runs, modules = json.loads(stored)
        return tuple((row, column, length) for row, column, length in runs), int(modules)
    encoded = _encode_qr(url)
    write_entry(key, json.dumps(encoded).encode())
    return encoded


def _encode_qr(url: str) -> QrRuns:
    from reportlab.graphics.barcode import qrencoder  # imported by the first new QR code, not by every build

    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(url)
    code.make()
    runs = []
    for row, cells in enumerate(code.modules):
        column = 0
        for dark, group in groupby(bool(cell) for cell in cells):
            length = len(list(group))
            if dark:
                runs.append((row, column, length))
            column += length
    return tuple(runs), code.getModuleCount()


def short_url(url: str) -> str:
    """The URL as printed: without the scheme or a trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


def _escape(text: str) -> str:
    return escape_text(text)


class _GridTable(Table):  # type: ignore[misc]
    """A ReportLab Table whose backgrounds and rules are artifacts; its cells mark themselves."""

    def _drawBkgrnd(self) -> None:
        with artifact(self.canv):
            super()._drawBkgrnd()

    def _drawLines(self) -> None:
        with artifact(self.canv):
            super()._drawLines()


class TaggedTable(Tagged):
    """A simple grid of paragraphs with header cells, drawn with light rules."""

    handout_marking = "parts"

    def __init__(
        self, rows: list[list[tuple[Flowable, bool]]], theme: Theme, table: Table | None = None
    ) -> None:
        super().__init__()
        self.rows = rows
        self.theme = theme
        self.table = table or _grid_table(rows, theme)
        tag(self, "Table")

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.table.wrap(avail_width, avail_height)  # type: ignore[no-any-return]

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        parts = self.table.split(avail_width, avail_height)
        return inherit_tags(self, [TaggedTable(self.rows, self.theme, part) for part in parts])

    def structure(self, parent: StructNode) -> None:
        """Table with a TR per row; header cells are TH with a column (first row) or row scope."""
        self.handout_struct = parent.child("Table")
        for index, row in enumerate(self.rows):
            tr = self.handout_struct.child("TR")
            for cell, header in row:
                scope = (("O", "Table"), ("Scope", "Column" if index == 0 else "Row")) if header else ()
                cell.handout_struct = tr.child("TH" if header else "TD", attributes=scope)

    def draw(self) -> None:
        self.table.drawOn(self.canv, 0, 0)


def _grid_table(rows: list[list[tuple[Flowable, bool]]], theme: Theme) -> Table:
    data = [[cell for cell, _ in row] for row in rows]
    table = _GridTable(data, repeatRows=1 if rows and all(h for _, h in rows[0]) else 0)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.6, theme.colour("rule")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 6),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table
