"""Turn the elements of a handout XML tree into HTML: every text and attribute escaped here, exactly once."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from handouts.errors import LayoutError
from handouts.vocabulary import WEB_SCHEMES, is_link
from handouts.xmltree import Node


@dataclass
class PageContext:
    """What builders share while writing one page: where errors point, the logo, and the ids in use."""

    origin: str
    logo_uri: str | None = None
    ids: set[str] = field(default_factory=set)
    section_depth: int = 0
    contents: list[tuple[str, str, int]] = field(default_factory=list)
    """(id, title, depth) of each top-level section, in reading order: the page's table of contents
    (depth 1 for the sections of a pack's later parts, listed under their part)."""
    shift: int = 0
    """Added to every heading level: the later parts of a pack sit one level below the page's title."""
    part_title: str = ""
    part_title_id: str = ""
    """The title (and its heading's id) of the pack part being written, which names its regions apart
    from the same regions of other parts."""

    last_level: int = 0
    """The level of the heading written last: the next may go at most one level deeper."""

    def heading_level(self, wanted: int) -> int:
        """`wanted` (shifted for a pack's later part), never more than one level below the heading before it:
        a block body's level-4 heading under a layout that prints no level-3 block titles becomes <h3>."""
        level = max(1, min(wanted + self.shift, self.last_level + 1, 6))
        self.last_level = level
        return level

    def unique_id(self, wanted: str) -> str:
        """`wanted` made safe for an id and unique in the page (a pack repeats section ids)."""
        base = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in wanted) or "part"
        if not base[0].isalpha():
            base = f"id-{base}"
        found, number = base, 1
        while found in self.ids:
            number += 1
            found = f"{base}-{number}"
        self.ids.add(found)
        return found


Builder = Callable[[Node, PageContext], str]


def attr(value: str) -> str:
    """An attribute value, quoted and escaped."""
    return '"' + escape(value, quote=True) + '"'


def short_url(url: str) -> str:
    """The URL as the PDF prints it: without the scheme or a trailing slash."""
    return url.split("://", 1)[-1].rstrip("/")


def inline(node: Node, ctx: PageContext) -> str:
    """A node's mixed content as HTML: text escaped, <b>, <link> and <br> kept."""
    parts: list[str] = []
    for child in node.children:
        if isinstance(child, str):
            parts.append(escape(child, quote=False))
        elif child.tag == "b":
            parts.append(f"<strong>{inline(child, ctx)}</strong>")
        elif child.tag == "br":
            parts.append("<br>")
        elif child.tag == "link":
            href = child.attrs.get("href", "")
            if not is_link(href):
                raise LayoutError(f"{ctx.origin}:{child.line}: link {href[:40]!r} must start with https://")
            parts.append(f"<a href={attr(href)}>{inline(child, ctx)}</a>")
        else:
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside text")
    return " ".join("".join(parts).split())


def children(node: Node, ctx: PageContext) -> str:
    parts = []
    for child in node.elements():
        builder = BUILDERS.get(child.tag)
        if builder is None:
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <{node.tag}>")
        parts.append(builder(child, ctx))
    return "\n".join(part for part in parts if part)


def build_title_block(node: Node, ctx: PageContext) -> str:
    """The masthead: the page's banner, or the heading of a pack's later part (its title one level down)."""
    parts = []
    for child in node.elements():
        if child.tag == "title":
            level = ctx.heading_level(1)
            ident = f" id={attr(ctx.part_title_id)}" if ctx.part_title_id else ""
            parts.append(f"<h{level}{ident}>{inline(child, ctx)}</h{level}>")
        elif child.tag == "subtitle":
            parts.append(f'<p class="subtitle">{inline(child, ctx)}</p>')
        elif child.tag == "line":
            parts.append(f'<p class="line">{inline(child, ctx)}</p>')
        elif child.tag == "image":
            parts.append(build_image(child, ctx))
        else:
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <title-block>")
    return '<header class="masthead">\n' + "\n".join(p for p in parts if p) + "\n</header>"


def build_image(node: Node, ctx: PageContext) -> str:
    if node.attrs.get("src") != "logo":
        raise LayoutError(
            f'{ctx.origin}:{node.line}: <image src> must be "logo" (images come from the clinic profile)'
        )
    if ctx.logo_uri is None:
        return ""
    return f'<img class="logo" src={attr(ctx.logo_uri)} alt={attr(node.attrs.get("alt", ""))}>'


def build_section(node: Node, ctx: PageContext) -> str:
    ident = ctx.unique_id(node.attrs.get("id") or f"section-{node.line}")
    if ctx.section_depth == 0 and node.attrs.get("title"):
        ctx.contents.append((ident, node.attrs["title"], ctx.shift))
    ctx.section_depth += 1
    try:
        inner = children(node, ctx)
    finally:
        ctx.section_depth -= 1
    label = "" if any(c.tag == "heading" for c in node.elements()) else node.attrs.get("title", "")
    if label and ctx.part_title:
        label = f"{label} ({ctx.part_title})"
    named = f" aria-label={attr(label)}" if label else ""
    return f"<section id={attr(ident)}{named}>\n{inner}\n</section>"


def build_heading(node: Node, ctx: PageContext) -> str:
    level = node.attrs.get("level", "2")
    if level not in ("2", "3", "4"):
        raise LayoutError(f"{ctx.origin}:{node.line}: heading level must be 2, 3 or 4 (the title is level 1)")
    shown = ctx.heading_level(int(level))
    return f"<h{shown}>{inline(node, ctx)}</h{shown}>"


def build_block(node: Node, ctx: PageContext) -> str:
    """A block printed in another language: a <div lang> around it, so a screen reader switches voice."""
    inner = children(node, ctx)
    lang = node.attrs.get("lang")
    return f"<div lang={attr(lang)}>\n{inner}\n</div>" if lang else inner


def build_paragraph(node: Node, ctx: PageContext) -> str:
    style = node.attrs.get("style", "body")
    css = "" if style == "body" else f" class={attr(style)}"
    if "lang" in node.attrs:
        css += f" lang={attr(node.attrs['lang'])}"
    return f"<p{css}>{inline(node, ctx)}</p>"


def build_list(node: Node, ctx: PageContext) -> str:
    kind = node.attrs.get("kind", "bullet")
    if kind not in ("bullet", "number"):
        raise LayoutError(f"{ctx.origin}:{node.line}: list kind must be bullet or number")
    items = []
    for child in node.elements():
        if child.tag != "item":
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <list>")
        items.append(f"<li>{inline(child, ctx)}</li>")
    tag = "ol" if kind == "number" else "ul"
    return f"<{tag}>\n" + "\n".join(items) + f"\n</{tag}>"


def build_callout(node: Node, ctx: PageContext) -> str:
    kind = node.attrs.get("kind", "note")
    title = node.attrs.get("title", "")
    inner = children(node, ctx)
    css = f"callout {escape(kind)}"
    if not title:
        return f'<div class={attr(css)} role="note">\n{inner}\n</div>'
    ident = ctx.unique_id(f"{kind}-title")
    level = ctx.heading_level(3 if ctx.section_depth else 2)
    heading = f"<h{level} id={attr(ident)}>{escape(title, quote=False)}</h{level}>"
    names = f"{ident} {ctx.part_title_id}" if ctx.part_title_id else ident
    return f"<section class={attr(css)} aria-labelledby={attr(names)}>\n{heading}\n{inner}\n</section>"


def lines(count: int) -> str:
    """Ruled lines to write on, shown only on paper."""
    if count <= 0:
        return ""
    return '<div class="lines" aria-hidden="true">' + "<span></span>" * count + "</div>"


def build_checklist(node: Node, ctx: PageContext) -> str:
    count = int(node.attrs.get("lines", "1") or 0)
    items = []
    for child in node.elements():
        if child.tag != "question":
            raise LayoutError(f"{ctx.origin}:{child.line}: <{child.tag}> cannot appear inside <checklist>")
        ident = ctx.unique_id(f"ask-{child.attrs.get('id') or child.line}")
        items.append(
            f'<li><input type="checkbox" id={attr(ident)}>'
            f"<label for={attr(ident)}>{inline(child, ctx)}</label>{lines(count)}</li>"
        )
    return '<ul class="checklist">\n' + "\n".join(items) + "\n</ul>"


def build_write_in(node: Node, ctx: PageContext) -> str:
    label = node.attrs.get("label", "")
    shown = f'<p class="write-in-label">{escape(label, quote=False)}</p>' if label else ""
    return f'<div class="write-in">{shown}{lines(int(node.attrs.get("lines", "3") or 0))}</div>'


def build_qr(node: Node, ctx: PageContext) -> str:
    """On paper a code to scan; on screen the same label and address, as a link."""
    url = node.attrs.get("url", "")
    if not url.startswith(WEB_SCHEMES):
        raise LayoutError(f"{ctx.origin}:{node.line}: <qr url> must start with https://")
    label = escape(node.attrs.get("label", ""), quote=False)
    return (
        f'<p class="online"><strong>{label}</strong><br><a href={attr(url)}>{escape(short_url(url))}</a></p>'
    )


def build_glossary(node: Node, ctx: PageContext) -> str:
    entries = [
        f"<dt>{escape(child.attrs.get('name', ''), quote=False)}</dt>\n<dd>{inline(child, ctx)}</dd>"
        for child in node.elements()
    ]
    return '<dl class="glossary">\n' + "\n".join(entries) + "\n</dl>"


def build_sources(node: Node, ctx: PageContext) -> str:
    items = [f"<li>{inline(child, ctx)}</li>" for child in node.elements()]
    return '<ol class="sources">\n' + "\n".join(items) + "\n</ol>"


def build_table(node: Node, ctx: PageContext) -> str:
    rows = []
    for row in node.elements():
        cells = []
        for cell in row.elements():
            if cell.attrs.get("header") == "true":
                cells.append(f'<th scope="col">{inline(cell, ctx)}</th>')
            else:
                cells.append(f"<td>{inline(cell, ctx)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>" if rows else ""


def build_page_break(node: Node, ctx: PageContext) -> str:
    return ""


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
