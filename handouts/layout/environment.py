"""Turn a spec, its selected blocks and the clinic profile into handout XML through a Jinja2 layout."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from handouts import __version__, escaping, vocabulary
from handouts.cache import entry_key, read_entry, source_fingerprint, write_entry
from handouts.content.model import Block, Library, Term
from handouts.content.selection import Selection
from handouts.errors import ContentError, HandoutsError, LayoutError
from handouts.i18n import PDF_LANG, format_date, translations
from handouts.layout import markup
from handouts.layout.compiled import CodeCache, is_plain_text, template_from_string
from handouts.layout.context import NO_FLOOR, PrintFloor, block_context, printed_sources
from handouts.layout.markup import markdown_to_xml
from handouts.layout.sandbox import BoundedSandbox, BudgetError, render_bounded, template_budget
from handouts.paths import regular_file_inside
from handouts.spec import HandoutSpec
from handouts.vocabulary import web_href
from handouts.xmltree import lint_template_source

MAX_GLOSSARY_TERMS = 8
"""'Words to know' lists the first eight glossary terms a handout uses; later ones are explained in the text."""


@dataclass(frozen=True)
class BlockView:
    id: str
    title: str
    xml: Markup
    key_point: str | None
    lang: str = ""
    """The block's language when it is not the handout's (an English fallback in a Spanish handout), else ""."""


@dataclass(frozen=True)
class SectionView:
    id: str
    title: str
    blocks: tuple[BlockView, ...]

    @property
    def lang(self) -> str:
        """The language of its blocks when every one is in the same language other than the handout's,
        else "": a topic sheet's section is one block, titled by it, and takes that block's language."""
        languages = {block.lang for block in self.blocks}
        return languages.pop() if len(languages) == 1 else ""


@dataclass(frozen=True)
class Provenance:
    """Where a handout's words came from, printed in the footer and written to XMP."""

    content_version: str
    oldest_review: str
    generator: str


class _LintingLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that checks every literal tag of a layout against the vocabulary, and refuses
    a template that is a symbolic link to a file outside its templates directory."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        found = Path(filename).resolve()
        if not any(
            found.is_relative_to(Path(d).resolve()) for d in self.searchpath if filename.startswith(d)
        ):
            raise LayoutError.at(
                filename, 0, "links to a file outside the templates directory", "copy the file in"
            )
        lint_template_source(source, filename)
        return source, filename, uptodate


@lru_cache(maxsize=16)
def layout_environment(templates_dirs: tuple[Path, ...], language: str) -> BoundedSandbox:
    """A sandboxed, bounded, strict, autoescaping Jinja2 environment; organisation directories come first."""
    env = BoundedSandbox(
        loader=_LintingLoader([str(d) for d in reversed(templates_dirs)]),
        undefined=jinja2.StrictUndefined,
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["web_href"] = web_href
    env.bytecode_cache = CodeCache(env)  # compiled layouts are kept for later processes
    return env


def layout_names(templates_dirs: Sequence[Path]) -> list[str]:
    """Layouts a handout may choose; `sheet` lays out topic sheets and is asked for with `sheets`."""
    found = {p.name.removesuffix(".xml.j2") for d in templates_dirs for p in (d / "layouts").glob("*.xml.j2")}
    return sorted(found - {"sheet"})


@lru_cache(maxsize=1)
def _block_environment() -> BoundedSandbox:
    # An empty loader: a block body cannot include, import or extend a template.
    return BoundedSandbox(
        loader=jinja2.DictLoader({}),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
    )


@lru_cache(maxsize=4096)
def _compiled_body(body: str, path: Path, line: int) -> jinja2.Template:
    try:
        return template_from_string(_block_environment(), body)
    except jinja2.TemplateSyntaxError as exc:
        raise ContentError.at(
            path, line + exc.lineno - 1, f"Jinja2 error: {exc.message}", "fix the tag"
        ) from exc


@lru_cache(maxsize=8192)
def _body_xml(text: str, path: Path, line: int) -> str:
    """The Markdown as handout XML, from the cache folder when this text was converted before."""
    key = entry_key(
        "markdown", source_fingerprint(markup.__file__, escaping.__file__, vocabulary.__file__), text
    )
    stored = read_entry(key)
    if stored is not None:
        return stored.decode()
    xml = markdown_to_xml(text, path, line)
    write_entry(key, xml.encode())
    return xml


def noted(block: Block, spec: HandoutSpec) -> Markup:
    """The block's note (why it is not in the handout's language) as a bold paragraph in the handout's
    language, or nothing."""
    if not block.note:
        return Markup("")
    return Markup('<paragraph lang="{}"><b>{}</b></paragraph>\n').format(spec.language, block.note)


def render_block(block: Block, spec: HandoutSpec) -> Markup:
    """A block body as handout XML for this spec: its Jinja2 first, then Markdown."""
    if is_plain_text(block.body):  # no Jinja2 in it: the text is the same for every spec
        return Markup(_body_xml(block.body, block.path, block.body_line))
    template = _compiled_body(block.body, block.path, block.body_line)
    context = block_context(spec)
    try:
        text = render_bounded(template, context)
    except Exception as exc:
        line = block.body_line + ((_template_frame(exc) or ("", 1))[1] - 1)
        raise ContentError.at(block.path, line, *_template_problem(exc, "block")) from exc
    return Markup(_body_xml(text, block.path, block.body_line))


def _template_problem(exc: BaseException, what: str) -> tuple[str, str]:
    """What went wrong inside a layout or block body, and how to fix it."""
    if isinstance(exc, jinja2.TemplateNotFound):
        if what == "block":
            return (
                "Jinja2 error: a block cannot include, import or extend templates",
                "write the text in the block",
            )
        return (
            f"includes {exc.name!r}, which is not a template in the templates directories",
            "include partials by name, e.g. partials/notes.xml.j2",
        )
    if isinstance(exc, BudgetError):
        return f"refused: {exc}", f"a handout never needs that much; simplify the {what}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"refused unsafe template code: {exc}", f"{what}s may not reach Python internals"
    if isinstance(exc, RecursionError):
        return "a macro or include calls itself without end", f"fix the {what}"
    if isinstance(exc, MemoryError):
        return "needs more memory than a handout may use", f"simplify the {what}"
    if isinstance(exc, jinja2.TemplateError):
        return f"Jinja2 error: {exc}", "check the tag and variable names"
    return f"Jinja2 error: {type(exc).__name__}: {exc}", f"check the {what}'s expressions"


def content_provenance(
    library: Library, selection: Selection, templates_dirs: tuple[Path, ...]
) -> Provenance:
    """A short hash of the blocks and templates used, and the oldest review date among the blocks."""
    digest = hashlib.sha256(_templates_digest(templates_dirs))
    for block in sorted(selection.blocks, key=lambda b: b.id):
        digest.update(block.id.encode() + block.body.encode() + block.reviewed.isoformat().encode())
    reviewed = min((b.reviewed for b in selection.blocks), default=None)
    return Provenance(
        content_version=digest.hexdigest()[:10],
        oldest_review=reviewed.isoformat() if reviewed else "",
        generator=f"handouts {__version__}",
    )


@lru_cache(maxsize=16)
def _templates_digest(templates_dirs: tuple[Path, ...]) -> bytes:
    """One hash of every layout and partial, read once per process."""
    digest = hashlib.sha256()
    for directory in templates_dirs:
        root = directory.resolve()
        for path in sorted((directory / "layouts").glob("*.j2")) + sorted(
            (directory / "partials").glob("*.j2")
        ):
            if regular_file_inside(path, root):  # never read a link to outside (the loader refuses it too)
                digest.update(path.name.encode() + path.read_bytes())
    return digest.digest()


def used_terms(library: Library, texts: Sequence[str], limit: int = MAX_GLOSSARY_TERMS) -> list[Term]:
    """The first `limit` glossary terms to appear in the handout's text, in alphabetical order."""
    pattern, terms = _glossary_pattern(library.glossary)
    first: dict[str, Term] = {}
    for match in pattern.finditer(" ".join(texts).lower()):
        term = terms[match.group(1)]
        first.setdefault(term.term, term)
        if len(first) == limit:
            break
    return sorted(first.values(), key=lambda t: t.term.lower())


@lru_cache(maxsize=16)
def _glossary_pattern(glossary: tuple[Term, ...]) -> tuple[re.Pattern[str], dict[str, Term]]:
    """One regex for every glossary word (longest first, plural `s` allowed) and the term each word names."""
    terms = {word.lower(): term for term in glossary for word in (term.term, *term.also)}
    words = sorted(terms, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, words)) + r")s?\b"), terms


def render_layout(
    spec: HandoutSpec,
    library: Library,
    selection: Selection,
    templates_dirs: tuple[Path, ...],
    squeeze: int = 0,
    floor: PrintFloor = NO_FLOOR,
    layout: str | None = None,
    extra: Mapping[str, Any] | None = None,
) -> str:
    """Render the spec's layout (or `layout`, with `extra` variables) to handout XML text; `squeeze` > 0
    asks a page-limited layout for less, never below `floor` (what the standard-print twin of a
    large-print handout prints)."""
    with template_budget():  # one budget for the layout and every block body it shows
        return _render_layout(
            spec, library, selection, templates_dirs, squeeze, floor, layout or spec.layout, extra or {}
        )


def _render_layout(
    spec: HandoutSpec,
    library: Library,
    selection: Selection,
    templates_dirs: tuple[Path, ...],
    squeeze: int,
    floor: PrintFloor,
    layout: str,
    extra: Mapping[str, Any],
) -> str:
    env = layout_environment(templates_dirs, spec.language)
    sections = [
        SectionView(
            id=s.topic.id,
            title=s.topic.title,
            blocks=tuple(
                BlockView(
                    id=b.id,
                    title=b.title,
                    xml=noted(b, spec) + render_block(b, spec),
                    key_point=b.key_point,
                    lang="" if b.language == spec.language else b.language,
                )
                for b in s.blocks
            ),
        )
        for s in selection.sections
    ]
    texts = [str(b.xml) for s in sections for b in s.blocks]
    context = {
        "spec": spec,
        "clinic": spec.clinic,
        "sections": sections,
        "questions": selection.questions,
        "key_points": selection.key_points,
        "glossary": used_terms(library, texts),
        "sources": (printed := printed_sources(library, selection.blocks, spec.help_country)).shown,
        "sources_total": printed.total,
        "printed_date": format_date(spec.date, spec.language),
        "provenance": content_provenance(library, selection, templates_dirs),
        "pdf_lang": PDF_LANG.get(spec.language, spec.language),
        "large_print": spec.print_size == "large",
        "url": spec.url or (spec.clinic.url if spec.clinic else None),
        "squeeze": squeeze,
        "floor": floor,
        "country": spec.help_country,
        **extra,
    }
    try:
        template = env.get_template(f"layouts/{layout}.xml.j2")
    except jinja2.TemplateNotFound as exc:
        known = ", ".join(layout_names(templates_dirs))
        raise LayoutError.at("", 0, f"unknown layout '{layout}'", f"available layouts: {known}") from exc
    except jinja2.TemplateSyntaxError as exc:
        raise LayoutError.at(exc.filename, exc.lineno, str(exc.message), "fix the Jinja2 syntax") from exc
    try:
        return render_bounded(template, context)
    except HandoutsError:
        raise
    except jinja2.TemplateSyntaxError as exc:  # an included partial, compiled when it is first used
        raise LayoutError.at(exc.filename, exc.lineno, str(exc.message), "fix the Jinja2 syntax") from exc
    except jinja2.UndefinedError as exc:
        raise _layout_error(exc, layout, None, (str(exc), "check the layout's variable names")) from exc
    except Exception as exc:
        raise _layout_error(exc, layout, template.filename, _template_problem(exc, "layout")) from exc


def _layout_error(
    exc: BaseException, layout: str, filename: str | None, problem: tuple[str, str]
) -> LayoutError:
    """The error at the innermost layout frame, else the layout file, else the layout named in the message."""
    what, how = problem
    found = _template_line(exc)
    if found:
        return LayoutError.at(found[0], found[1], what, how)
    if filename:
        return LayoutError.at(filename, 0, what, how)
    return LayoutError.at("", 0, f"layout '{layout}': {what}", how)


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """(file, line) of the innermost template frame in an error's traceback (Jinja2 maps the lines);
    for endless recursion, the frame that repeats most."""
    frames = []
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith(".j2") or name == "<template>":
            frames.append((name, tb.tb_lineno))
        tb = tb.tb_next
    if isinstance(exc, RecursionError) and frames:
        return max(frames, key=frames.count)
    return frames[-1] if frames else None


def _template_line(exc: BaseException) -> tuple[str, int] | None:
    """(file, line) of the innermost layout frame in an error's traceback."""
    found = _template_frame(exc)
    return found if found and found[0] != "<template>" else None
