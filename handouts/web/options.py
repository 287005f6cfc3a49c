"""Turn an Engine into the choices a form or site can offer: languages whose content loads, layouts, sections."""

from __future__ import annotations

from dataclasses import dataclass

from handouts.content.model import Topic
from handouts.engine import Engine
from handouts.errors import HandoutsError
from handouts.layout.environment import layout_names
from handouts.vocabulary import LANGUAGES

SOURCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Offer:
    """What this server or site offers, fixed when it starts."""

    languages: tuple[str, ...]
    layouts: tuple[str, ...]
    sections: tuple[Topic, ...]
    sheets: tuple[Topic, ...] = ()
    """Topic sheets (id and English title), offered as checkboxes."""


def make_offer(engine: Engine) -> Offer:
    """Load every library once; English must load (its ContentError stops the server with a clear message)."""
    source = engine.library(SOURCE_LANGUAGE)
    return Offer(
        languages=offered_languages(engine),
        layouts=tuple(layout_names(engine.templates_dirs)),
        sections=source.topics,
        sheets=tuple(Topic(s.id, s.title) for s in source.sheets.values()),
    )


def offered_languages(engine: Engine) -> tuple[str, ...]:
    """English, then every other language whose content loads without problems and has blocks."""
    found = [SOURCE_LANGUAGE]
    for language in LANGUAGES:
        if language != SOURCE_LANGUAGE and _loads(engine, language):
            found.append(language)
    return tuple(found)


def _loads(engine: Engine, language: str) -> bool:
    try:
        return bool(engine.library(language).blocks)
    except HandoutsError:
        return False


def untranslated(engine: Engine, language: str) -> int:
    """How many English blocks and questions the language has no translation of (0: complete)."""
    source, library = engine.library(SOURCE_LANGUAGE), engine.library(language)
    blocks = set(source.blocks) - set(library.blocks)
    questions = {q.id for q in source.questions} - {q.id for q in library.questions}
    return len(blocks) + len(questions)
