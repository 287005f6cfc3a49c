"""Turn block Markdown into handout XML: the one place content text becomes markup."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from handouts import escaping
from handouts.errors import ContentError
from handouts.escaping import quote_attribute
from handouts.vocabulary import is_link

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

SUPPORTED = "paragraphs, bullet and numbered lists, **bold**, [links](https://...), #### headings, > notes"


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    # CommonMark without raw HTML: any tag a writer types is printed as text, never obeyed.
    from markdown_it import MarkdownIt  # imported by the first body not already in the cache folder

    return MarkdownIt("commonmark", {"html": False}).disable(
        ["image", "code", "fence", "html_block", "html_inline"]
    )


def escape_text(text: str) -> str:
    """Escape text for handout XML (and, later, ReportLab markup)."""
    return escaping.escape_text(text).replace('"', "&quot;")


def markdown_to_xml(markdown: str, path: Path, first_line: int = 1) -> str:
    """Convert a block body to handout XML; an unsupported element is a ContentError at its line."""
    tokens = _parser().parse(markdown)
    out: list[str] = []
    depth = 0
    for token in tokens:
        line = first_line + (token.map[0] if token.map else 0)
        if token.type.startswith(("bullet_list_open", "ordered_list_open")):
            depth += 1
            if depth > 1:
                raise ContentError.at(path, line, "lists inside lists are not supported", "use one level")
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            depth -= 1
        out.append(_block_token(token, path, line, depth))
    return "".join(out)


def _block_token(token: Token, path: Path, line: int, depth: int) -> str:
    kind = token.type
    if kind == "paragraph_open":
        return "" if depth else "<paragraph>"
    if kind == "paragraph_close":
        return "" if depth else "</paragraph>\n"
    if kind == "inline":
        return inline_to_xml(token.children or [], path, line)
    simple = {
        "bullet_list_open": '<list kind="bullet">\n',
        "ordered_list_open": '<list kind="number">\n',
        "bullet_list_close": "</list>\n",
        "ordered_list_close": "</list>\n",
        "list_item_open": "<item>",
        "list_item_close": "</item>\n",
        "blockquote_open": '<callout kind="note">\n',
        "blockquote_close": "</callout>\n",
    }
    if kind in simple:
        return simple[kind]
    if kind == "heading_open":
        if token.tag != "h4":
            raise ContentError.at(
                path, line, "only #### headings are allowed in a block", "the title is the heading"
            )
        return '<heading level="4">'
    if kind == "heading_close":
        return "</heading>\n"
    raise ContentError.at(path, line, f"unsupported Markdown element '{kind}'", f"use only {SUPPORTED}")


def inline_to_xml(children: list[Token], path: Path, line: int) -> str:
    """Convert inline tokens: text, bold, links, line breaks."""
    out: list[str] = []
    for child in children:
        kind = child.type
        if kind == "text":
            out.append(escape_text(child.content))
        elif kind == "softbreak":
            out.append(" ")
        elif kind == "hardbreak":
            out.append("<br/>")
        elif kind == "strong_open":
            out.append("<b>")
        elif kind == "strong_close":
            out.append("</b>")
        elif kind == "link_open":
            href = str(child.attrs.get("href", ""))
            if not is_link(href):
                raise ContentError.at(
                    path, line, f"link {href!r} must start with https://", "or mailto:, tel:"
                )
            out.append(f"<link href={quote_attribute(href)}>")
        elif kind == "link_close":
            out.append("</link>")
        elif kind == "em_open":
            raise ContentError.at(path, line, "italics are not allowed", "use **bold** for emphasis")
        else:
            raise ContentError.at(
                path, line, f"unsupported Markdown element '{kind}'", f"use only {SUPPORTED}"
            )
    return "".join(out)
