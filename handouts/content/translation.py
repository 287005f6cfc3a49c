"""Turn a translated library and its English source into a Selection: a missing translation is an error, or a marked English fallback."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from handouts.content.model import Block, Library, Question, Topic
from handouts.content.selection import Selection, select_blocks
from handouts.errors import ContentError, Problem
from handouts.i18n import translations
from handouts.spec import HandoutSpec

SOURCE_LANGUAGE = "en"
"""Blocks are written in English first; every other language translates them by id."""


@dataclass(frozen=True)
class Missing:
    """What a translation lacks for one handout: block, question and section ids, as English items."""

    blocks: tuple[Block, ...]
    questions: tuple[Question, ...]
    topics: tuple[Topic, ...]

    def __bool__(self) -> bool:
        return bool(self.blocks or self.questions or self.topics)


def select_translated(library: Library, source: Library | None, spec: HandoutSpec) -> Selection:
    """Select for the spec; where `library` lacks what `source` (English) would print, fail or fall back."""
    if source is None or source.language == library.language:
        return select_blocks(library, spec)
    selection = select_blocks(with_source(library, source), spec)
    missing = missing_in(selection, library)
    if not missing:
        return selection
    if not spec.allow_fallback:
        problems = missing_problems(missing, library.language, source)
        raise ContentError.listing(problems, f"the {language_name(library.language)} content")
    return mark_fallback(selection, missing, fallback_note(library.language))


def with_source(library: Library, source: Library) -> Library:
    """The library plus every block, question and topic of the source that it has no translation for."""
    own_topics = {t.id: t for t in library.topics}
    topics = [own_topics.get(t.id, t) for t in source.topics]
    topics += [t for t in library.topics if t.id not in {t.id for t in topics}]
    own_questions = {q.id for q in library.questions}
    return replace(
        library,
        topics=tuple(topics),
        blocks={**source.blocks, **library.blocks},
        questions=library.questions + tuple(q for q in source.questions if q.id not in own_questions),
    )


def missing_in(selection: Selection, library: Library) -> Missing:
    """The selected items that came from the source because `library` has no translation of them."""
    own_questions = {q.id for q in library.questions}
    own_topics = set(library.topic_ids())
    return Missing(
        blocks=tuple(b for b in selection.blocks if b.id not in library.blocks),
        questions=tuple(q for q in selection.questions if q.id not in own_questions),
        topics=tuple(s.topic for s in selection.sections if s.topic.id not in own_topics),
    )


def missing_problems(missing: Missing, language: str, source: Library) -> list[Problem]:
    """One line per missing item: where, what, and how to fix it."""
    name = language_name(language)
    fix = "or pass --allow-fallback"
    problems = []
    for block in missing.blocks:
        where = translated_dir(block.path, language)
        problems.append(
            Problem(
                f"block '{block.id}' has no {name} translation",
                f"add {where / block.topic / block.path.name}, {fix}",
                str(where),
            )
        )
    for question in missing.questions:
        where = translated_dir(question.path, language, depth=1)
        problems.append(
            Problem(
                f"question '{question.id}' has no {name} translation",
                f"add it to {where / 'questions.yaml'}, {fix}",
                str(where),
            )
        )
    topics_files = [p for p in source.files if p.name == "topics.yaml"]
    for topic in missing.topics:
        where = translated_dir(topics_files[-1], language, depth=1)
        problems.append(
            Problem(
                f"section '{topic.id}' has no {name} title",
                f"add it to {where / 'topics.yaml'}, {fix}",
                str(where),
            )
        )
    return problems


def translated_dir(path: Path, language: str, depth: int = 2) -> Path:
    """content/<language> beside the source file's content/en, shown relative to the working directory."""
    target = path.parents[depth] / language
    try:
        return target.relative_to(Path.cwd())
    except ValueError:
        return target


def fallback_note(language: str) -> str:
    """The visible mark above a block printed in the source language, in the handout's language."""
    _ = translations(language).gettext
    return _("(Only available in English)")


def mark_fallback(selection: Selection, missing: Missing, note: str) -> Selection:
    """Give every fallback block its note, and put the note before every fallback question and key point."""
    fallback_ids = {b.id for b in missing.blocks}
    questions = {q.id for q in missing.questions}
    sections = tuple(
        replace(s, blocks=tuple(marked_block(b, note) if b.id in fallback_ids else b for b in s.blocks))
        for s in selection.sections
    )
    return replace(
        selection,
        sections=sections,
        questions=tuple(
            replace(q, text=f"{note} {q.text}") if q.id in questions else q for q in selection.questions
        ),
        key_points=tuple(
            p if p not in {b.key_point for b in missing.blocks} else f"{note} {p}"
            for p in selection.key_points
        ),
    )


def marked_block(block: Block, note: str) -> Block:
    """The block with a line naming its language, which the layout prints in bold above the body, in the
    handout's language (the block itself keeps its own: see BlockView.lang)."""
    return replace(block, note=note)


def language_name(language: str) -> str:
    """The language's name in English, for messages: es -> Spanish."""
    from babel import Locale, UnknownLocaleError  # only when a message names a language

    try:
        return str(Locale.parse(language).get_display_name("en"))
    except (ValueError, UnknownLocaleError):
        return language
