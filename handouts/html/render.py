"""Turn a handout XML tree and a theme into one self-contained HTML page: inline CSS, inlined font and logo."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from html import escape
from pathlib import Path

from handouts.errors import OutputError
from handouts.html.elements import PageContext, attr, children
from handouts.html.fonts import font_data_uri
from handouts.html.style import stylesheet
from handouts.html.words import words_for
from handouts.pdf.themes import FONT_ROLES, Theme
from handouts.xmltree import HandoutMeta, Node


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
    """The whole page as text, UTF-8 ready: one file with no external requests and no scripts."""
    meta = HandoutMeta.from_root(root)
    words = words_for(meta.lang)
    ctx = PageContext(origin=options.origin, logo_uri=logo_data_uri(options.logo))
    ctx.ids.update({"main", "contents-title", "versions-title"})
    masthead = [c for c in root.elements() if c.tag == "title-block"]
    body = Node("main", {}, root.line, [c for c in root.elements() if c.tag != "title-block"])
    header_html = children(Node("handout", {}, root.line, list(masthead)), ctx)
    main_html = children(body, ctx)
    page = "\n".join(
        part
        for part in (
            header_html,
            versions_nav(options.versions, words),
            contents_nav(ctx.contents, words),
            f'<main id="main" tabindex="-1">\n{main_html}\n</main>',
            footer(meta),
        )
        if part
    )
    fonts = page_fonts(theme, page) if options.embed_font else {}
    css = stylesheet(theme, options.accent or theme.colour_hex("rule"), fonts)
    return document(meta, words, css, page)


def document(meta: HandoutMeta, words: dict[str, str], css: str, page: str) -> str:
    title = f"{meta.title}: {meta.subject}" if meta.subject else meta.title
    head = [
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(title, quote=False)}</title>",
        f"<meta name=\"description\" content={attr(meta.subject or meta.title)}>",
        f"<meta name=\"author\" content={attr(meta.author)}>" if meta.author else "",
        f"<meta name=\"keywords\" content={attr(meta.keywords)}>" if meta.keywords else "",
        f"<meta name=\"generator\" content={attr(meta.generator)}>" if meta.generator else "",
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


def contents_nav(contents: list[tuple[str, str]], words: dict[str, str]) -> str:
    if len(contents) < 2:
        return ""
    items = "\n".join(f"<li><a href={attr('#' + ident)}>{escape(title)}</a></li>" for ident, title in contents)
    return (
        '<nav class="contents" aria-labelledby="contents-title">\n'
        f'<h2 id="contents-title">{escape(words["contents"])}</h2>\n<ol>\n{items}\n</ol>\n</nav>'
    )


def versions_nav(links: tuple[PageLink, ...], words: dict[str, str]) -> str:
    if not links:
        return ""
    items = "\n".join(
        f"<li><a href={attr(link.href)}" + (f" type={attr(link.type)}" if link.type else "") + f">{escape(link.text)}</a></li>"
        for link in links
    )
    return (
        '<nav class="versions" aria-labelledby="versions-title">\n'
        f'<h2 id="versions-title">{escape(words["versions"])}</h2>\n<ul>\n{items}\n</ul>\n</nav>'
    )


def footer(meta: HandoutMeta) -> str:
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
        raise OutputError(f"{path}: the logo cannot be read: {exc.strerror} (check the clinic profile)") from exc
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
