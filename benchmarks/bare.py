"""Turn a handout's text, fonts and styles into a PDF with bare ReportLab: the baseline of the benchmarks.

`job_for` (which uses handouts) reads the text of a handout out of its handout XML and the fonts, styles
and page geometry out of its theme, as plain JSON-ready data. `bare_pdf` (which uses only ReportLab)
lays that text out with Paragraphs in the same columns. Run as a script it is the cold baseline:
`python benchmarks/bare.py job.json out.pdf`.
"""

from __future__ import annotations

import io
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

Job = dict[str, Any]
TEXT_STYLES = {
    "title": "title",
    "subtitle": "subtitle",
    "line": "line",
    "source": "small",
    "question": "question",
}


def job_for(spec: Any, engine: Any) -> Job:
    """The text of `spec`'s handout with its theme's fonts, styles and page geometry."""
    from handouts.pdf.document import PAPER_SIZES
    from handouts.render import handout_xml
    from handouts.xmltree import parse_handout_xml

    theme = engine.theme(spec.theme)
    blocks: list[list[str]] = []
    _collect(parse_handout_xml(handout_xml(spec, engine), "benchmark"), blocks, theme.colour_hex("link"))
    styles = {}
    for name in {style for style, _, _ in blocks}:
        style = theme.style(name)
        styles[name] = {
            "fontName": style.fontName,
            "fontSize": style.fontSize,
            "leading": style.leading,
            "spaceBefore": style.spaceBefore,
            "spaceAfter": style.spaceAfter,
            "textColor": style.textColor.hexval(),
        }
    page = theme.data.get("page", {})
    width, height = PAPER_SIZES[spec.paper]
    return {
        "fonts": {theme.font(role): str(path) for role, path in theme.font_paths.items()},
        "styles": styles,
        "page": {
            "size": [width, height],
            "side": float(page.get("min_side_margin", 54)),
            "measure": float(page.get("measure", width)),
            "top": float(page.get("margin_top", 50)),
            "bottom": float(page.get("margin_bottom", 62)),
            "columns": int(page.get("columns", 1)),
            "gutter": float(page.get("gutter", 0)),
        },
        "blocks": blocks,
    }


def _collect(node: Any, blocks: list[list[str]], link: str) -> None:
    """Depth-first: every text element of the handout XML becomes [style, markup, bullet]."""
    from xml.sax.saxutils import escape  # here, so the cold baseline below imports only ReportLab

    for child in node.elements():
        tag = child.tag
        if tag in TEXT_STYLES:
            blocks.append([TEXT_STYLES[tag], _inline(child, link), ""])
        elif tag == "heading":
            blocks.append([f"h{child.attrs.get('level', '2')}", _inline(child, link), ""])
        elif tag == "paragraph":
            style = "callout" if node.tag == "callout" else child.attrs.get("style", "body")
            blocks.append([style, _inline(child, link), ""])
        elif tag == "item":
            blocks.append(["item", _inline(child, link), "\u2022"])
        elif tag == "term":
            blocks.append(
                ["item", f"<b>{escape(child.attrs.get('name', ''))}</b>: {_inline(child, link)}", ""]
            )
        elif tag == "cell":
            blocks.append(["h4" if child.attrs.get("header") == "true" else "body", _inline(child, link), ""])
        elif tag == "callout" and child.attrs.get("title"):
            blocks.append(["callout_title", f"<b>{escape(child.attrs['title'])}</b>", ""])
            _collect(child, blocks, link)
        elif tag == "write-in" and child.attrs.get("label"):
            blocks.append(["body", f"<b>{escape(child.attrs['label'])}</b>", ""])
        else:
            _collect(child, blocks, link)


def _inline(node: Any, link: str) -> str:
    from xml.sax.saxutils import escape, quoteattr

    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(escape(child))
        elif child.tag == "b":
            parts.append(f"<b>{_inline(child, link)}</b>")
        elif child.tag == "br":
            parts.append("<br/>")
        elif child.tag == "link":
            parts.append(f"<a href={quoteattr(child.attrs.get('href', ''))} color={quoteattr(link)}>")
            parts.append(f"{_inline(child, link)}</a>")
    return " ".join("".join(parts).split())


# --- bare ReportLab: nothing from handouts below this line ------------------------------------------


@lru_cache(maxsize=8)
def _register_fonts(fonts: tuple[tuple[str, str], ...]) -> None:
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for name, path in fonts:
        pdfmetrics.registerFont(TTFont(name, path))
    names = [name for name, _ in fonts]
    regular = next((n for n in names if "Bold" not in n), names[0])
    bold = next((n for n in names if "Bold" in n), regular)
    for italic in (0, 1):
        addMapping(regular, 0, italic, regular)
        addMapping(regular, 1, italic, bold)


def bare_pdf(job: Job) -> tuple[bytes, int]:
    """Lay out the job's text with ReportLab Paragraphs in the theme's columns; return (PDF, pages)."""
    from reportlab.lib.colors import HexColor
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate, Paragraph

    _register_fonts(tuple(sorted(job["fonts"].items())))
    styles = {
        name: ParagraphStyle(name, **{**values, "textColor": HexColor(values["textColor"])})
        for name, values in job["styles"].items()
    }
    page = job["page"]
    width, height = page["size"]
    text_width = min(width - 2 * page["side"], page["measure"])
    margin = (width - text_width) / 2
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=(width, height),
        leftMargin=margin,
        rightMargin=margin,
        topMargin=page["top"],
        bottomMargin=page["bottom"],
        invariant=1,
        pageCompression=1,
    )
    columns, gutter = page["columns"], page["gutter"]
    column = (doc.width - gutter * (columns - 1)) / columns
    frames = [
        Frame(
            doc.leftMargin + i * (column + gutter),
            doc.bottomMargin,
            column,
            doc.height,
            id=f"c{i}",
            leftPadding=0,
            rightPadding=0,
            topPadding=0,
            bottomPadding=0,
        )
        for i in range(columns)
    ]
    doc.addPageTemplates([PageTemplate(id="page", frames=frames)])
    story = [
        Paragraph(markup, styles[style], bulletText=bullet or None) for style, markup, bullet in job["blocks"]
    ]
    doc.build(story)
    return buffer.getvalue(), doc.page


def main(argv: list[str]) -> int:
    """The cold baseline: read a job, write its PDF."""
    job = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    pdf, _ = bare_pdf(job)
    Path(argv[2]).write_bytes(pdf)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
