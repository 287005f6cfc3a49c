"""The fillable parts of a page: question checkboxes with answer lines, write-in lines, and the form fields they ask for."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Paragraph

from handouts.pdf.flowables import tag
from handouts.pdf.tagging import (
    StructNode,
    Tagged,
    artifact,
    record_widget,
)
from handouts.pdf.themes import Theme


@dataclass(frozen=True)
class FieldRequest:
    """A form field to create after layout: where it was drawn and what it asks."""

    kind: str  # "checkbox" or "text"
    name: str
    tooltip: str
    page: int
    rect: tuple[float, float, float, float]


def record_field(
    canv: Any,
    kind: str,
    name: str,
    tooltip: str,
    x: float,
    y: float,
    w: float,
    h: float,
    owner: StructNode | None = None,
) -> None:
    """Ask for a form field (collected by the canvas, added as its page finishes) over this rectangle of the current page (in `owner`'s Form)."""
    x0, y0 = canv.absolutePosition(x, y)
    x1, y1 = canv.absolutePosition(x + w, y + h)
    requests: list[FieldRequest] | None = getattr(canv, "handout_fields", None)
    if requests is not None:
        requests.append(FieldRequest(kind, name, tooltip, canv.getPageNumber(), (x0, y0, x1, y1)))
    record_widget(canv, name, owner)


class QuestionItem(Tagged):
    """A checklist question: a box to tick, the question, and write-in lines; fillable when asked."""

    handout_marking = "parts"
    forms: tuple[StructNode | None, StructNode | None] = (None, None)

    def __init__(
        self,
        name: str,
        question: str,
        text: Paragraph,
        lines: int,
        theme: Theme,
        fillable: bool,
        answer_label: str = "",
    ) -> None:
        super().__init__()
        self.name = name
        self.question = question
        self.answer_tooltip = f"{answer_label}: {question}" if answer_label else question
        self.text = tag(text, "LBody")
        self.lines = lines
        self.theme = theme
        self.fillable = fillable
        self.box = theme.size("checkbox")
        self.gap = theme.size("write_in_line_gap")
        self.indent = self.box + 10
        tag(self, "LI", question=question)

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        _, self.text_height = self.text.wrap(avail_width - self.indent, avail_height)
        self.width = avail_width
        self.height = self.text_height + self.lines * self.gap + 6
        return avail_width, self.height

    def structure(self, parent: StructNode) -> None:
        """LI with Lbl (the checkbox field) and LBody (the question and its answer field)."""
        self.handout_struct = item = parent.child("LI")
        label, body = item.child("Lbl"), item.child("LBody")
        self.text.handout_struct = body
        self.forms = (label.child("Form"), body.child("Form") if self.lines else None)

    def draw(self) -> None:
        canv = self.canv
        top = self.height
        box_y = top - self.box - 1
        with artifact(canv):
            canv.saveState()
            canv.setStrokeColor(self.theme.colour("text"))
            canv.setLineWidth(1.2)
            canv.rect(0, box_y, self.box, self.box, stroke=1, fill=0)
            canv.restoreState()
        if self.fillable:
            record_field(
                canv,
                "checkbox",
                f"{self.name}-asked",
                self.question,
                0,
                box_y,
                self.box,
                self.box,
                self.forms[0],
            )
        self.text.drawOn(canv, self.indent, top - self.text_height)
        lines_top = top - self.text_height
        draw_lines(canv, self.theme, self.indent, lines_top, self.width - self.indent, self.lines, self.gap)
        if self.fillable and self.lines:
            record_field(
                canv,
                "text",
                f"{self.name}-answer",
                self.answer_tooltip,
                self.indent,
                lines_top - self.lines * self.gap - 4,
                self.width - self.indent,
                self.lines * self.gap,
                self.forms[1],
            )


class FieldLines(Tagged):
    """Write-in lines for notes; a multi-line text field over them when fillable."""

    handout_marking = "parts"

    def __init__(self, name: str, tooltip: str, lines: int, theme: Theme, fillable: bool) -> None:
        super().__init__()
        self.name = name
        self.tooltip = tooltip
        self.lines = lines
        self.theme = theme
        self.fillable = fillable
        self.gap = theme.size("write_in_line_gap")
        tag(self, "Form" if fillable else "Artifact")

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self.lines * self.gap + 8
        return avail_width, self.height

    def draw(self) -> None:
        draw_lines(self.canv, self.theme, 0, self.height, self.width, self.lines, self.gap)
        if self.fillable:
            record_field(
                self.canv,
                "text",
                self.name,
                self.tooltip,
                0,
                4,
                self.width,
                self.height - 4,
                self.handout_struct,
            )


def draw_lines(canv: Any, theme: Theme, x: float, top: float, width: float, lines: int, gap: float) -> None:
    """Ruled write-in lines below `top`, so a printed page can be written on (an artifact)."""
    with artifact(canv):
        canv.saveState()
        canv.setStrokeColor(theme.colour("field_line"))
        canv.setLineWidth(0.8)
        for number in range(1, lines + 1):
            y = top - number * gap
            canv.line(x, y, x + width, y)
        canv.restoreState()
