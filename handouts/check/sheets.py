"""Turn a library's topic sheets into check problems: shape, review dates, Jinja2 and layout for every tailoring, translations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import fields, replace
from typing import Any

from handouts.check.handouts import (
    COMBINATIONS,
    LanguageCheck,
    Origin,
    report_flags,
    selection_pieces,
    tailoring_name,
    text_flags,
)
from handouts.check.lines import line_of, locate
from handouts.check.model import Problems, display
from handouts.check.readability import Prose, Unit
from handouts.check.terms import Piece, unexplained_words
from handouts.content.model import Block, Library, Sheet
from handouts.content.selection import Selection
from handouts.content.sheets import select_sheet
from handouts.content.translation import language_name
from handouts.errors import HandoutsError
from handouts.layout.environment import render_block, render_layout
from handouts.layout.sheets import SHEET_LAYOUT, SheetView
from handouts.spec import HandoutSpec
from handouts.vocabulary import PRINT_SIZES
from handouts.xmltree import Node, parse_handout_xml

SHEET_QUESTIONS = (2, 4)
"""Every tailoring of a sheet prints 2 to 4 of its own questions."""
SHEET_SECTIONS = (3, 6)
"""Every tailoring of a sheet prints 3 to 6 sections besides "when to call"."""
SHEET_KEY_POINTS = (2, 4)
COUNTRIES = ("US", "GB", "AU")


def sheet_blocks(library: Library) -> dict[str, Block]:
    """Every block of every sheet, by id (ids are unique across the library)."""
    return {block.id: block for sheet in library.sheets.values() for block in sheet.blocks}


def check_sheets(check: LanguageCheck) -> None:
    """Each sheet's shape; its blocks and layout rendered for every tailoring (review dates: check.rules)."""
    for sheet in check.library.sheets.values():
        check_shape(sheet, check.problems)
        check.more_blocks.update((block.id, block) for block in sheet.blocks)
        for combination in COMBINATIONS:
            check_sheet_tailoring(check, sheet, combination)
        check_sheet_front_matter(check, sheet)


def check_shape(sheet: Sheet, problems: Problems) -> None:
    """A when-to-call block, and 2 to 4 key points."""
    if not any(b.id == sheet.when_to_call_id for b in sheet.blocks):
        problems.add(
            sheet.path, 1, "sheet_shape", f"sheet '{sheet.id}' has no block '{sheet.when_to_call_id}'",
            "add the short when-to-call section with that id and the highest order",
        )  # fmt: skip
    elif sheet.blocks[-1].id != sheet.when_to_call_id:
        block = next(b for b in sheet.blocks if b.id == sheet.when_to_call_id)
        problems.add(
            block.path, line_of(block.path, "order:"), "sheet_shape",
            f"'{block.id}' is not the sheet's last section", "give it the highest order",
        )  # fmt: skip
    points = sum(1 for b in sheet.blocks if b.key_point)
    low, high = SHEET_KEY_POINTS
    if not low <= points <= high:
        problems.add(
            sheet.path, 1, "sheet_shape", f"sheet '{sheet.id}' has {points} key points",
            f"give {low} to {high} of its blocks a key_point",
        )  # fmt: skip


def countries() -> tuple[str | None, ...]:
    """The countries block text can be tailored to, once the spec has a country; else only the default."""
    return COUNTRIES if "country" in {f.name for f in fields(HandoutSpec)} else (None,)


def check_sheet_tailoring(
    check: LanguageCheck, sheet: Sheet, combination: tuple[str | None, str, str]
) -> None:
    type_, stage, audience = combination
    spec = HandoutSpec(
        type=type_, stage=stage, audience=audience, language=check.library.language, date=check.request.today
    )
    selection = select_sheet(sheet, spec)
    check_counts(check, sheet, spec, selection)
    for country in countries():
        given: dict[str, Any] = {"country": country} if country else {}
        tailored = replace(spec, **given)
        for block in selection.blocks:
            try:
                check.variants[block.id].add(str(render_block(block, tailored)))
            except HandoutsError as exc:
                check.problems.error(exc, "jinja")
    roots = [render_sheet(check, sheet, replace(spec, print_size=size)) for size in PRINT_SIZES]
    if roots[0] is not None:
        check_sheet_terms(check, sheet, spec, selection, roots[0])


def check_counts(check: LanguageCheck, sheet: Sheet, spec: HandoutSpec, selection: Selection) -> None:
    questions = len(selection.questions)
    low, high = SHEET_QUESTIONS
    if not low <= questions <= high:
        path = next((q.path for q in sheet.questions), sheet.path.with_name("questions.yaml"))
        check.problems.add(
            path, 1, "question_count", f"sheet '{sheet.id}' {tailoring_name(spec)} prints {questions} questions",
            f"tag {low} to {high} of the sheet's questions for this type, stage and audience",
        )  # fmt: skip
    sections = sum(1 for b in selection.blocks if b.id != sheet.when_to_call_id)
    low, high = SHEET_SECTIONS
    if not low <= sections <= high:
        check.problems.add(
            sheet.path, 1, "sheet_shape", f"sheet '{sheet.id}' {tailoring_name(spec)} prints {sections} sections",
            f"tag {low} to {high} of its blocks (besides when to call) for this type, stage and audience",
        )  # fmt: skip


def render_sheet(check: LanguageCheck, sheet: Sheet, spec: HandoutSpec) -> Node | None:
    """The sheet layout's XML tree for a spec, or None after recording why it does not render."""
    view = SheetView(sheet.id, sheet.title, sheet.subtitle, sheet.when_to_call_id, f"{sheet.id}-help")
    try:
        xml = render_layout(
            spec, check.library, select_sheet(sheet, spec), check.request.templates_dirs,
            layout=SHEET_LAYOUT, extra={"sheet": view},
        )  # fmt: skip
        return parse_handout_xml(xml, f"sheet '{sheet.id}' output for {tailoring_name(spec)}")
    except HandoutsError as exc:
        check.problems.error(exc, "layout")
    except OSError as exc:
        check.problems.add(
            "", 0, "layout", f"layout '{SHEET_LAYOUT}' cannot load its {spec.language} strings: {exc}",
            "compile the translation catalog (pybabel compile)",
        )  # fmt: skip
    return None


def check_sheet_terms(
    check: LanguageCheck, sheet: Sheet, spec: HandoutSpec, selection: Selection, root: Node
) -> None:
    """Medical terms and acronyms explained at first use, in the order a reader meets them on the sheet."""
    pieces = [Piece(Origin(sheet.path, 1), sheet.title), Piece(Origin(sheet.path, 1), sheet.subtitle)]
    pieces += selection_pieces(selection, spec)
    printed = (
        [t.term for t in check.library.glossary] if check.request.config.glossary_defines == "all" else []
    )
    name = f"sheet {sheet.id} {tailoring_name(spec)}"
    for found in unexplained_words(pieces, check.vocabulary, printed):
        line = locate(found.origin.path, found.snippet, found.origin.line)
        key = (found.origin.path, line, found.kind, found.word, found.explained_later)
        check.unexplained[key].append(name)


def check_sheet_front_matter(check: LanguageCheck, sheet: Sheet) -> None:
    """The sentence checks for the sheet's title, key points and questions."""
    items = [(Origin(sheet.path, line_of(sheet.path, "title:")), sheet.title)]
    items += [
        (Origin(b.path, line_of(b.path, "key_point:")), b.key_point) for b in sheet.blocks if b.key_point
    ]
    items += [(Origin(q.path, q.line), q.text) for q in sheet.questions]
    for origin, text in items:
        prose = Prose((Unit("paragraph", text),), ())
        report_flags(check, text_flags(check, prose, passive=False), origin)


def check_sheet_translation(
    source: Library, target: Library, problems: Problems, compare: Callable[[Block, Block, Problems], None]
) -> None:
    """Sheets, blocks and questions the translation lacks; `compare` checks each translated block."""
    name = language_name(target.language)
    for sheet in source.sheets.values():
        other = target.sheets.get(sheet.id)
        folder = sheet.path.parents[3] / target.language / "sheets" / sheet.id
        if other is None:
            problems.add(
                sheet.path, 1, "missing_translation", f"sheet '{sheet.id}' has no {name} translation",
                f"add {display(folder)}",
            )  # fmt: skip
            continue
        theirs = {b.id: b for b in other.blocks}
        for block in sheet.blocks:
            if block.id in theirs:
                compare(block, theirs[block.id], problems)
            else:
                problems.add(
                    block.path, 1, "missing_translation", f"block '{block.id}' has no {name} translation",
                    f"add {display(folder / block.path.name)}",
                )  # fmt: skip
        translated = {q.id for q in other.questions}
        for question in sheet.questions:
            if question.id not in translated:
                problems.add(
                    question.path, question.line, "missing_translation",
                    f"question '{question.id}' has no {name} translation",
                    f"add it to {display(folder / 'questions.yaml')}",
                )  # fmt: skip
    for sheet in target.sheets.values():
        if sheet.id not in source.sheets:
            problems.add(
                sheet.path, 1, "missing_translation", f"sheet '{sheet.id}' has no English source sheet",
                "use the folder name of an English sheet, or remove it",
            )  # fmt: skip


def sheet_sources(library: Library) -> set[str]:
    """Every source id a sheet block cites."""
    return {s for block in sheet_blocks(library).values() for s in block.sources}
