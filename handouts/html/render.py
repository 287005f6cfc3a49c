"""Turn a handout XML tree and a theme into one self-contained HTML page: inline CSS, inlined font and logo."""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path

from handouts.errors import LayoutError, OutputError
from handouts.html.elements import PageContext, attr, children
from handouts.html.fonts import font_data_uri
from handouts.html.style import stylesheet
from handouts.html.words import words_for
from handouts.pdf.themes import FONT_ROLES, Theme
from handouts.xmltree import HandoutMeta, Node, pack_attributes


@dataclass(frozen=True)
class PageLink:
    """A link to another version of the handout, e.g. its PDF."""

    text: str
    href: str
    type: str = ""
    """The linked file's media type, e.g. application/pdf."""


@dataclass(frozen=True)
class HtmlOptions:
    """How to write one page besides its tree and theme."""

    origin: str
    """Names the handout XML in errors, e.g. "layout 'standard' output"."""
    accent: str | None = None
    """The clinic's accent colour; None takes the theme's rule colour."""
    logo: Path | None = None
    embed_font: bool = True
    """Inline a WOFF2 subset of the theme's fonts; False leaves the reader's own sans-serif."""
    versions: tuple[PageLink, ...] = ()
    """Links to the other versions of this handout (the site's PDFs), shown under the masthead."""


def render_html(root: Node, theme: Theme, options: HtmlOptions) -> str:
    """The whole page as text, UTF-8 ready: one file with no external requests and no scripts.

    `root` is a <handout>, or a <pack> of them: the first part's masthead is the page's banner and its
    sections are the page's sections; each later part is an <article> one heading level down.
    """
    parts = root.elements() if root.tag == "pack" else [root]
    if not parts or any(part.tag != "handout" for part in parts):
        raise LayoutError(f"{options.origin}:{root.line}: a <pack> holds only <handout> elements")
    meta = pack_meta(root, parts)
    words = words_for(root.attrs.get("lang") or meta.lang)
    ctx = PageContext(origin=options.origin, logo_uri=logo_data_uri(options.logo))
    ctx.ids.update({"main", "contents-title", "versions-title"})
    first = parts[0]
    header_html = children(Node("handout", {}, first.line, _mastheads(first)), ctx)
    main_parts = [children(Node("main", {}, first.line, _body(first)), ctx)]
    for index, part in enumerate(parts[1:], start=2):
        main_parts.append(part_article(part, index, ctx))
    page = "\n".join(
        p
        for p in (
            header_html,
            versions_nav(options.versions, words),
            contents_nav(ctx.contents, words),
            '<main id="main" tabindex="-1">\n' + "\n".join(main_parts) + "\n</main>",
            footer(meta),
        )
        if p
    )
    fonts = page_fonts(theme, page) if options.embed_font else {}
    css = stylesheet(theme, options.accent or theme.colour_hex("rule"), fonts)
    return document(meta, words, css, page)


def pack_meta(root: Node, parts: list[Node]) -> HandoutMeta:
    """The page's metadata: a pack's is its PDF's (every part's title and subject, one joint content version
    in the footer), so the two twins say the same."""
    if root.tag != "pack":
        return HandoutMeta.from_root(root)
    meta = HandoutMeta.from_root(Node("handout", pack_attributes(parts), root.line, []))
    return replace(meta, title=root.attrs.get("title") or meta.title)


def _mastheads(part: Node) -> list[Node | str]:
    return [c for c in part.elements() if c.tag == "title-block"]


def _body(part: Node) -> list[Node | str]:
    return [c for c in part.elements() if c.tag != "title-block"]


def part_article(part: Node, index: int, ctx: PageContext) -> str:
    """A later part of a pack: an article headed by its own masthead, its headings one level down."""
    ident = ctx.unique_id(f"part-{index}")
    title = next(
        (
            t.text()
            for m in part.elements()
            if m.tag == "title-block"
            for t in m.elements()
            if t.tag == "title"
        ),
        "",
    )
    title_id = ctx.unique_id(f"{ident}-title")
    ctx.shift, ctx.part_title, ctx.part_title_id = 1, title, title_id
    try:
        ctx.contents.append((ident, title or f"{index}", 0))
        masthead = children(Node("handout", {}, part.line, _mastheads(part)), ctx)
        masthead = masthead.replace('<header class="masthead">', '<header class="masthead part">', 1)
        body = children(Node("main", {}, part.line, _body(part)), ctx)
    finally:
        ctx.shift, ctx.part_title, ctx.part_title_id = 0, "", ""
    return f'<article id={attr(ident)} class="part" aria-labelledby={attr(title_id)}>\n{masthead}\n{body}\n</article>'


def document(meta: HandoutMeta, words: dict[str, str], css: str, page: str) -> str:
    title = f"{meta.title}: {meta.subject}" if meta.subject else meta.title
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title, quote=False)}</title>",
        f'<meta name="description" content={attr(meta.subject or meta.title)}>',
        f'<meta name="author" content={attr(meta.author)}>' if meta.author else "",
        f'<meta name="keywords" content={attr(meta.keywords)}>' if meta.keywords else "",
        f'<meta name="generator" content={attr(meta.generator)}>' if meta.generator else "",
        '<meta name="color-scheme" content="light dark">',
        '<meta name="referrer" content="no-referrer">',
        f"<style>\n{css}</style>",
    ]
    return (
        f"<!doctype html>\n<html lang={attr(meta.lang)}>\n<head>\n"
        + "\n".join(h for h in head if h)
        + "\n</head>\n<body>\n"
        + f'<a class="skip" href="#main">{escape(words["skip"])}</a>\n'
        + f'<div class="page">\n{page}\n</div>\n</body>\n</html>\n'
    )


def contents_nav(contents: list[tuple[str, str, int]], words: dict[str, str]) -> str:
    """The table of contents: every top-level section; a pack's later parts with their sections nested."""
    if len(contents) < 2:
        return ""
    lines: list[str] = []
    for number, (ident, title, depth) in enumerate(contents):
        link = f"<a href={attr('#' + ident)}>{escape(title)}</a>"
        follows = contents[number + 1][2] if number + 1 < len(contents) else 0
        if depth == 0 and follows == 1:
            lines.append(f"<li>{link}\n<ol>")
        elif depth == 1 and follows == 0:
            lines.append(f"<li>{link}</li>\n</ol></li>")
        else:
            lines.append(f"<li>{link}</li>")
    items = "\n".join(lines)
    return (
        '<nav class="contents" aria-labelledby="contents-title">\n'
        f'<h2 id="contents-title">{escape(words["contents"])}</h2>\n<ol>\n{items}\n</ol>\n</nav>'
    )


def versions_nav(links: tuple[PageLink, ...], words: dict[str, str]) -> str:
    if not links:
        return ""
    items = "\n".join(
        f"<li><a href={attr(link.href)}"
        + (f" type={attr(link.type)}" if link.type else "")
        + f">{escape(link.text)}</a></li>"
        for link in links
    )
    return (
        '<nav class="versions" aria-labelledby="versions-title">\n'
        f'<h2 id="versions-title">{escape(words["versions"])}</h2>\n<ul>\n{items}\n</ul>\n</nav>'
    )


def footer(meta: HandoutMeta) -> str:
    """The footer and provenance, as the PDF prints them on every page (a pack's name its joint version)."""
    lines = [f"<p>{escape(text)}</p>" for text in (meta.footer, meta.footer_detail) if text]
    return "<footer>\n" + "\n".join(lines) + "\n</footer>" if lines else ""


def page_fonts(theme: Theme, page: str) -> dict[str, str]:
    """The theme's regular and bold fonts as WOFF2 subsets holding every character of the page."""
    return {role: font_data_uri(theme.font_paths[role], page) for role in FONT_ROLES}


def logo_data_uri(path: Path | None) -> str | None:
    """The clinic logo (a PNG or JPEG the clinic profile already checked) as a data: URI."""
    if path is None:
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise OutputError(
            f"{path}: the logo cannot be read: {exc.strerror} (check the clinic profile)"
        ) from exc
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
