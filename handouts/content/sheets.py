"""Turn content/<language>/sheets/<id>/ folders into validated topic Sheets, and a Sheet and a spec into a Selection."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from handouts.content.model import Block, Library, Question, Sheet, Source, Topic
from handouts.content.selection import MAX_KEY_POINTS, Section, Selection
from handouts.content.translation import Missing, fallback_note, language_name, mark_fallback
from handouts.errors import ContentError, Problem, SpecError
from handouts.spec import HandoutSpec

SHEET_KEYS = ("id", "title", "subtitle", "facts", "time_sensitive")


@dataclass
class SheetParts:
    """What the stacked content directories hold for one sheet so far (later directories win by id)."""

    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    folder: Path | None = None
    blocks: dict[str, Block] = field(default_factory=dict)
    questions: dict[str, Question] = field(default_factory=dict)


class SheetReader(Protocol):
    """What the content loader lends the sheet reader: its parsers, its problems and what it has so far."""

    language: str
    problems: list[Problem]
    blocks: dict[str, Block]
    questions: dict[str, Question]
    sources: dict[str, Source]
    sheet_parts: dict[str, SheetParts]

    def usable(self, path: Path) -> bool: ...
    def read_yaml(self, path: Path) -> Any: ...
    def read_block(self, path: Path) -> Block | None: ...
    def read_questions(self, path: Path) -> list[Question]: ...


def gather_sheets(loader: SheetReader, sheets_dir: Path) -> None:
    """Read every sheet folder of one content directory into the loader, overriding earlier layers by id."""
    if not sheets_dir.is_dir():
        return
    for folder in sorted(p for p in sheets_dir.iterdir() if p.is_dir()):
        parts = loader.sheet_parts.setdefault(folder.name, SheetParts())
        parts.folder = folder
        meta_path = folder / "sheet.yaml"
        data = loader.read_yaml(meta_path)
        if data is not None:
            if isinstance(data, Mapping):
                parts.meta.update({str(k): v for k, v in data.items()})
                parts.path = meta_path
            else:
                loader.problems.append(at(meta_path, 1, "must be a mapping", "give id, title and subtitle"))
        for path in sorted(folder.glob("*.md")):
            block = loader.read_block(path) if loader.usable(path) else None
            if block:
                parts.blocks[block.id] = block
        for question in loader.read_questions(folder / "questions.yaml"):
            parts.questions[question.id] = question


def finish_sheets(loader: SheetReader) -> dict[str, Sheet]:
    """Check every gathered sheet (keys, ids, prefixes, sources) and return the valid ones by id."""
    sheets: dict[str, Sheet] = {}
    block_owner: dict[str, str] = {block_id: "the core library" for block_id in loader.blocks}
    question_ids = {q.id for q in loader.questions.values()}
    for sheet_id, parts in sorted(loader.sheet_parts.items()):
        sheet = _sheet_from(sheet_id, parts, loader)
        if sheet is None:
            continue
        for block in sheet.blocks:
            owner = block_owner.setdefault(block.id, f"sheet '{sheet_id}'")
            if owner != f"sheet '{sheet_id}'":
                loader.problems.append(
                    at(
                        block.path,
                        1,
                        f"block id '{block.id}' is already used by {owner}",
                        "block ids are unique",
                    )
                )
        for question in sheet.questions:
            if question.id in question_ids:
                loader.problems.append(
                    at(
                        question.path,
                        question.line,
                        f"question id '{question.id}' is used twice",
                        "make it unique",
                    )
                )
            question_ids.add(question.id)
        sheets[sheet_id] = sheet
    return sheets


def _sheet_from(sheet_id: str, parts: SheetParts, loader: SheetReader) -> Sheet | None:
    folder = parts.folder or Path(sheet_id)
    if parts.path is None:
        loader.problems.append(
            at(
                folder,
                1,
                f"sheet folder '{sheet_id}' has no sheet.yaml",
                "add one with id, title and subtitle",
            )
        )
        return None
    before = len(loader.problems)
    path, meta = parts.path, parts.meta
    loader.problems.extend(meta_problems(meta, sheet_id, path))
    loader.problems.extend(part_problems(sheet_id, parts, loader.sources))
    if len(loader.problems) > before:
        return None
    return Sheet(
        id=sheet_id,
        title=str(meta["title"]).strip(),
        subtitle=str(meta.get("subtitle") or "").strip(),
        facts=_strings(meta.get("facts")),
        time_sensitive=_strings(meta.get("time_sensitive")),
        blocks=tuple(sorted(parts.blocks.values(), key=lambda b: (b.order, b.id))),
        questions=tuple(parts.questions.values()),
        path=path,
        language=loader.language,
    )


def part_problems(sheet_id: str, parts: SheetParts, sources: Mapping[str, Source]) -> list[Problem]:
    """Block and question ids without the sheet's prefix, and sources that are not listed."""
    problems: list[Problem] = []
    for block in parts.blocks.values():
        if not block.id.startswith(f"{sheet_id}-"):
            problems.append(
                at(block.path, 2, f"block id '{block.id}' must start with the sheet id '{sheet_id}-'")
            )
        for source in block.sources:
            if source not in sources:
                problems.append(
                    at(
                        block.path,
                        2,
                        f"source '{source}' is not in sources.yaml",
                        "add it there or fix the id",
                    )
                )
    for question in parts.questions.values():
        if not question.id.startswith(f"q-{sheet_id}-"):
            problems.append(
                at(
                    question.path,
                    question.line,
                    f"question id '{question.id}' must start with 'q-{sheet_id}-'",
                )
            )
    return problems


def meta_problems(meta: Mapping[str, Any], sheet_id: str, path: Path) -> list[Problem]:
    """What is wrong with a sheet.yaml: unknown keys, an id that is not the folder's name, no title."""
    name = f"sheet '{sheet_id}'"
    valid = "valid: " + ", ".join(SHEET_KEYS)
    problems = [at(path, 1, f"{name}: unknown key '{key}'", valid) for key in meta if key not in SHEET_KEYS]
    if str(meta.get("id", "")) != sheet_id:
        problems.append(at(path, 1, f"{name}: id {meta.get('id')!r} must equal the folder name '{sheet_id}'"))
    if not isinstance(meta.get("title"), str) or not meta["title"].strip():
        problems.append(at(path, 1, f"{name}: needs a title (the printed heading)"))
    return problems


def at(path: Path, line: int, what: str, how: str = "") -> Problem:
    """A problem found in a sheet's file."""
    return Problem(what, how, file=str(path), line=line)


def _strings(value: Any) -> tuple[str, ...]:
    items = [value] if isinstance(value, str) else (value or [])
    return tuple(str(item) for item in items) if isinstance(items, list) else ()


def sheet_ids(library: Library, source: Library | None = None) -> list[str]:
    """Every sheet id of the library and of its source language, sorted."""
    return sorted({*library.sheets, *(source.sheets if source else {})})


def find_sheet(library: Library, source: Library | None, sheet_id: str) -> Sheet:
    """The sheet by id: the library's own, else the source's (translation is checked on selection)."""
    sheet = library.sheets.get(sheet_id) or (source.sheets.get(sheet_id) if source else None)
    if sheet is None:
        known = ", ".join(sheet_ids(library, source)) or "none"
        problem = Problem(f"unknown sheet {sheet_id!r}", f"available sheets: {known}", field="sheets")
        raise SpecError(problem.detail, [problem])
    return sheet


def check_sheet_ids(ids: Sequence[str], library: Library, source: Library | None) -> None:
    """Refuse the first unknown sheet id in one line that lists the valid ones."""
    for sheet_id in ids:
        find_sheet(library, source, sheet_id)


def select_sheet(sheet: Sheet, spec: HandoutSpec) -> Selection:
    """The sheet's blocks and questions that fit the spec's type, stage and audience, one section per block."""
    fit = [b for b in sheet.blocks if b.tags.fit(spec.type, spec.stage, spec.audience)]
    return Selection(
        sections=tuple(Section(topic=Topic(id=b.id, title=b.title), blocks=(b,)) for b in fit),
        questions=tuple(q for q in sheet.questions if q.tags.fit(spec.type, spec.stage, spec.audience)),
        key_points=tuple(b.key_point for b in fit if b.key_point)[:MAX_KEY_POINTS],
    )


def select_sheet_translated(
    library: Library, source: Library | None, sheet_id: str, spec: HandoutSpec
) -> tuple[Sheet, Selection]:
    """The sheet in the spec's language; where a translation lacks a part, fail or fall back to English, marked."""
    own = library.sheets.get(sheet_id)
    original = source.sheets.get(sheet_id) if source else None
    if original is None or source is None or source.language == library.language:
        sheet = find_sheet(library, source, sheet_id)
        return sheet, select_sheet(sheet, spec)
    merged = merge_translation(own, original)
    selection = select_sheet(merged, spec)
    own_blocks = {b.id for b in own.blocks} if own else set()
    own_questions = {q.id for q in own.questions} if own else set()
    missing = Missing(
        blocks=tuple(b for b in selection.blocks if b.id not in own_blocks),
        questions=tuple(q for q in selection.questions if q.id not in own_questions),
        topics=(),
    )
    if not missing and own is not None:
        return merged, selection
    if not spec.allow_fallback:
        name = language_name(library.language)
        where = original.path.parents[3] / library.language / "sheets" / sheet_id
        what = [f"block '{b.id}'" for b in missing.blocks] + [f"question '{q.id}'" for q in missing.questions]
        if own is None:
            what = [f"sheet '{sheet_id}'"]
        fix = "add it there, or pass --allow-fallback"
        problems = [Problem(f"{item} has no {name} translation", fix, str(where)) for item in what]
        raise ContentError.listing(problems, f"the {name} sheet '{sheet_id}'")
    return merged, mark_fallback(selection, missing, fallback_note(library.language))


def merge_translation(own: Sheet | None, original: Sheet) -> Sheet:
    """The translated sheet, with the original's blocks and questions where it has none of its own."""
    if own is None:
        return original
    blocks = {b.id: b for b in original.blocks} | {b.id: b for b in own.blocks}
    own_questions = {q.id for q in own.questions}
    return replace(
        own,
        blocks=tuple(sorted(blocks.values(), key=lambda b: (b.order, b.id))),
        questions=own.questions + tuple(q for q in original.questions if q.id not in own_questions),
    )
