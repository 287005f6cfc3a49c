"""Turn a handout XML tree into ReportLab flowables, styled by the theme, each keeping its semantic role."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from reportlab.platypus import Flowable, PageBreak, Spacer

from handouts.errors import LayoutError
from handouts.escaping import escape_text, quote_attribute
from handouts.i18n import PDF_LANG
from handouts.limits import MAX_PARAGRAPH_CHARS
from handouts.pdf.fields import FieldLines, QuestionItem
from handouts.pdf.flowables import (
    Callout,
    LogoImage,
    QrCode,
    Rule,
    TaggedTable,
    list_items,
    new_list_id,
    tag,
)
from handouts.pdf.paragraphs import parsed_paragraph
from handouts.pdf.rtl import RightToLeftParagraph, starts_right_to_left
from handouts.pdf.scripts import embolden, text_markup, theme_coverage
from handouts.pdf.tagging import LanguageBlock
from handouts.pdf.themes import Theme
from handouts.vocabulary import WEB_SCHEMES, is_link
from handouts.xmltree import Node


@dataclass(frozen=True)
class StoryContext:
    """What builders need besides the node: theme, accent colour, logo, fillable fields, origin."""

    theme: Theme
    accent: str
    logo: Path | None
    fillable: bool
    origin: str


Builder = Callable[[Node, StoryContext], list[Flowable]]


def build_story(root: Node, ctx: StoryContext) -> list[Flowable]:
    """All flowables for a <handout>, in reading order."""
    return build_children(root, ctx)


def build_children(node: Node, ctx: StoryContext) -> list[Flowable]:
    flowables: list[Flowable] = []
    for child in node.elements():
        builder = BUILDERS.get(child.tag)
        if builder is None:
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <{node.tag}>")
        flowables.extend(builder(child, ctx))
    return flowables


def inline_markup(node: Node, ctx: StoryContext) -> str:
    """ReportLab paragraph markup for a node's mixed content. Text is escaped here, exactly once."""
    parts: list[str] = []
    children = node.children
    for index, child in enumerate(children):
        if isinstance(child, str):
            if index and _is_link(children[index - 1]):
                child = child[len(_closing_punctuation(child)) :]  # drawn inside the link before it
            parts.append(_text_markup(child, theme_coverage(ctx.theme.font_paths.values())))
        elif child.tag == "b":
            parts.append(f"<b>{embolden(inline_markup(child, ctx))}</b>")
        elif child.tag == "br":
            parts.append("<br/>")
        elif child.tag == "link":
            href = child.attrs.get("href", "")
            if not is_link(href):
                raise LayoutError(f"{ctx.origin}:{child.line}: link {href[:40]!r} must start with https://")
            colour = ctx.theme.colour_hex("link")
            following = children[index + 1] if index + 1 < len(children) else ""
            closing = escape_text(_closing_punctuation(following)) if isinstance(following, str) else ""
            parts.append(
                f"<a href={quote_attribute(href)} color={quote_attribute(colour)}>"
                f"{inline_markup(child, ctx)}{closing}</a>"
            )
        else:
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside text")
    markup = " ".join("".join(parts).split()) if parts else ""
    if len(markup) > MAX_PARAGRAPH_CHARS:  # ReportLab's line breaking slows down sharply beyond this
        raise LayoutError(
            f"{ctx.origin}:{node.line}: <{node.tag}> holds {len(markup):,} characters, the limit is "
            f"{MAX_PARAGRAPH_CHARS:,} (shorten the text it comes from)"
        )
    return markup


_CLOSING_PUNCTUATION = re.compile(r"[.,;:!?)\]]+")


def _closing_punctuation(text: str) -> str:
    """The punctuation that ends a link's sentence or clause with no space before it ("Types of MS.").

    It is drawn inside the link, so the link's marked text and the text after it meet at a space: a
    reader following the tags, which takes each element's text as words of its own, then gets "MS."
    as printed, not "MS" and a stray ".".
    """
    found = _CLOSING_PUNCTUATION.match(text)
    return found.group() if found else ""


def _is_link(child: Node | str) -> bool:
    return not isinstance(child, str) and child.tag == "link"


REMEMBERED_TEXT_CHARS = 1_000
"""Texts up to this long have their markup remembered (4,096 of them: a few MB at most)."""


def _text_markup(text: str, primary: frozenset[int]) -> str:
    """`text_markup` once per text and font coverage: block texts come back with every handout, and
    checking each of their characters against the fonts was about 2% of a warm render."""
    if len(text) > REMEMBERED_TEXT_CHARS:
        return text_markup(text, primary)
    return _remembered_text_markup(text, primary)


@lru_cache(maxsize=4096)
def _remembered_text_markup(text: str, primary: frozenset[int]) -> str:
    return text_markup(text, primary)


def paragraph(node: Node, ctx: StoryContext, style: str, role: str) -> Flowable:
    text = node.children[0] if len(node.children) == 1 and isinstance(node.children[0], str) else ""
    if starts_right_to_left(text):  # a note written in Arabic or Hebrew: lines broken right to left
        primary = theme_coverage(ctx.theme.font_paths.values())
        flowable = tag(RightToLeftParagraph(text, ctx.theme.style(style), primary), role)
    else:
        flowable = tag(parsed_paragraph(inline_markup(node, ctx), ctx.theme.style(style)), role)
    if "lang" in node.attrs:
        flowable.handout_lang = pdf_lang(node.attrs["lang"])
    return flowable


def pdf_lang(lang: str) -> str:
    """The PDF's language tag for a handout language: en -> en-US."""
    return PDF_LANG.get(lang, lang)


def build_paragraph(node: Node, ctx: StoryContext) -> list[Flowable]:
    return [paragraph(node, ctx, node.attrs.get("style", "body"), "P")]


def build_heading(node: Node, ctx: StoryContext) -> list[Flowable]:
    level = node.attrs.get("level", "2")
    if level not in ("2", "3", "4"):
        raise LayoutError(f"{ctx.origin}:{node.line}: heading level must be 2, 3 or 4 (the title is level 1)")
    flowable = paragraph(node, ctx, f"h{level}", f"H{level}")
    flowable.keepWithNext = 1
    return [flowable]


def build_section(node: Node, ctx: StoryContext) -> list[Flowable]:
    flowables = build_children(node, ctx)
    if flowables and node.attrs.get("title"):
        flowables[0].outline_title = node.attrs["title"]
        flowables[0].outline_key = node.attrs.get("id", node.attrs["title"])
    for flowable in flowables:
        flowable.handout_section = node.attrs.get("id") or f"line-{node.line}"
    return flowables


def build_block(node: Node, ctx: StoryContext) -> list[Flowable]:
    """A block printed in another language: its flowables share one Div element with that /Lang."""
    flowables = build_children(node, ctx)
    if node.attrs.get("lang"):
        block = LanguageBlock(pdf_lang(node.attrs["lang"]))
        for flowable in flowables:
            flowable.handout_block = block
    return flowables


def build_title_block(node: Node, ctx: StoryContext) -> list[Flowable]:
    flowables: list[Flowable] = []
    for child in node.elements():
        if child.tag == "title":
            flowables.append(paragraph(child, ctx, "title", "H1"))
        elif child.tag == "subtitle":
            flowables.append(paragraph(child, ctx, "subtitle", "P"))
        elif child.tag == "line":
            flowables.append(paragraph(child, ctx, "line", "P"))
        elif child.tag == "image":
            flowables.extend(build_image(child, ctx))
        else:
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <title-block>")
    flowables.append(Spacer(1, 6))
    flowables.append(Rule(ctx.accent, ctx.theme.size("accent_bar")))
    flowables.append(Spacer(1, 10))
    for flowable in flowables:
        flowable.handout_masthead = True
    return flowables


def build_image(node: Node, ctx: StoryContext) -> list[Flowable]:
    if node.attrs.get("src") != "logo":
        raise LayoutError(
            f'{ctx.origin}:{node.line}: <image src> must be "logo" (images come from the clinic profile)'
        )
    if ctx.logo is None:
        return []
    return [LogoImage(ctx.logo, ctx.theme.size("logo_height"), node.attrs.get("alt", ""))]


def build_list(node: Node, ctx: StoryContext) -> list[Flowable]:
    kind = node.attrs.get("kind", "bullet")
    if kind not in ("bullet", "number"):
        raise LayoutError(f"{ctx.origin}:{node.line}: list kind must be bullet or number")
    items = []
    for child in node.elements():
        if child.tag != "item":
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <list>")
        items.append(paragraph(child, ctx, "item", "LBody"))
    return list_items(items, kind, ctx.theme)


def build_callout(node: Node, ctx: StoryContext) -> list[Flowable]:
    kind = node.attrs.get("kind", "note")
    inner: list[Flowable] = []
    if node.attrs.get("title"):
        title = Node("b", {}, node.line, [node.attrs["title"]])
        inner.append(
            tag(
                parsed_paragraph(
                    inline_markup(Node("p", {}, node.line, [title]), ctx), ctx.theme.style("callout_title")
                ),
                "H3",
            )
        )
    for child in node.elements():
        if child.tag == "paragraph":
            inner.append(paragraph(child, ctx, "callout", "P"))
        else:
            inner.extend(BUILDERS[child.tag](child, ctx) if child.tag in BUILDERS else [])
    return [Callout(inner, ctx.theme, kind)]


def build_checklist(node: Node, ctx: StoryContext) -> list[Flowable]:
    lines = int(node.attrs.get("lines", "1"))
    items: list[Flowable] = []
    for child in node.elements():
        if child.tag != "question":
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <checklist>")
        text = parsed_paragraph(inline_markup(child, ctx), ctx.theme.style("question"))
        items.append(
            QuestionItem(
                child.attrs.get("id", f"q{len(items) + 1}"),
                child.text(),
                text,
                lines,
                ctx.theme,
                ctx.fillable,
                node.attrs.get("answer-label", ""),
            )
        )
    list_id = new_list_id()
    return [tag(item, "LI", list_id=list_id, list_kind="check") for item in items]


def build_write_in(node: Node, ctx: StoryContext) -> list[Flowable]:
    label = node.attrs.get("label", "")
    lines = int(node.attrs.get("lines", "3"))
    name = node.attrs.get("name", "notes")
    flowables: list[Flowable] = []
    if label:
        heading = tag(parsed_paragraph(f"<b>{escape_text(label)}</b>", ctx.theme.style("body")), "P")
        heading.keepWithNext = 1
        flowables.append(heading)
    flowables.append(FieldLines(name, label or name, lines, ctx.theme, ctx.fillable))
    return flowables


def build_qr(node: Node, ctx: StoryContext) -> list[Flowable]:
    url = node.attrs.get("url", "")
    if not url.startswith(WEB_SCHEMES):
        raise LayoutError(f"{ctx.origin}:{node.line}: <qr url> must start with https://")
    alt = node.attrs.get("alt") or f"QR code: {url}"
    return [QrCode(url, node.attrs.get("label", ""), alt, ctx.theme)]


def build_glossary(node: Node, ctx: StoryContext) -> list[Flowable]:
    items = []
    for child in node.elements():
        term = escape_text(child.attrs.get("name", ""))
        items.append(
            tag(
                parsed_paragraph(f"<b>{term}</b>: {inline_markup(child, ctx)}", ctx.theme.style("item")),
                "LBody",
            )
        )
    return list_items(items, "none", ctx.theme)


def build_sources(node: Node, ctx: StoryContext) -> list[Flowable]:
    items = [
        tag(parsed_paragraph(inline_markup(c, ctx), ctx.theme.style("small")), "LBody")
        for c in node.elements()
    ]
    return list_items(items, "number-small", ctx.theme)


def build_table(node: Node, ctx: StoryContext) -> list[Flowable]:
    rows = []
    for row in node.elements():
        cells = []
        for cell in row.elements():
            header = cell.attrs.get("header") == "true"
            cells.append((paragraph(cell, ctx, "h4" if header else "body", "TH" if header else "TD"), header))
        rows.append(cells)
    return [TaggedTable(rows, ctx.theme)] if rows else []


def build_page_break(node: Node, ctx: StoryContext) -> list[Flowable]:
    return [PageBreak()]


BUILDERS: dict[str, Builder] = {
    "title-block": build_title_block,
    "section": build_section,
    "block": build_block,
    "heading": build_heading,
    "paragraph": build_paragraph,
    "list": build_list,
    "callout": build_callout,
    "checklist": build_checklist,
    "write-in": build_write_in,
    "qr": build_qr,
    "image": build_image,
    "glossary": build_glossary,
    "sources": build_sources,
    "table": build_table,
    "page-break": build_page_break,
}


def story_outline(flowables: list[Flowable]) -> list[str]:
    """One line per flowable, `Class[role]`, for tests that check the story without a PDF."""
    return [f"{type(f).__name__}[{getattr(f, 'handout_role', '-')}]" for f in flowables]
