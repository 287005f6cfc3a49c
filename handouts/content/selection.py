"""Turn a Library and a HandoutSpec into the ordered sections, questions and key points to print."""

from __future__ import annotations

from dataclasses import dataclass

from handouts.content.model import Block, Library, Question, Topic
from handouts.errors import SpecError
from handouts.spec import HandoutSpec

MAX_KEY_POINTS = 4


@dataclass(frozen=True)
class Section:
    """One topic of the handout with the blocks chosen for it, in order."""

    topic: Topic
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Selection:
    """Everything the layout needs from the library for one spec."""

    sections: tuple[Section, ...]
    questions: tuple[Question, ...]
    key_points: tuple[str, ...]

    @property
    def blocks(self) -> list[Block]:
        return [block for section in self.sections for block in section.blocks]


def select_topics(library: Library, spec: HandoutSpec) -> list[Topic]:
    """The topics the spec asks for, in library order; unknown section ids are an error."""
    known = library.topic_ids()
    unknown = [s for s in (*(spec.sections or ()), *spec.skip_sections) if s not in known]
    if unknown:
        raise SpecError.at(
            "", 0, f"unknown section {unknown[0]!r}", f"available sections: {', '.join(known)}"
        )
    wanted = set(spec.sections) if spec.sections else set(known)
    return [t for t in library.topics if t.id in wanted and t.id not in spec.skip_sections]


def select_blocks(library: Library, spec: HandoutSpec) -> Selection:
    """Pick the blocks and questions that fit the spec's type, stage and audience."""
    topics = select_topics(library, spec)
    fitting = [b for b in library.blocks.values() if b.tags.fit(spec.type, spec.stage, spec.audience)]
    sections = []
    for topic in topics:
        blocks = sorted((b for b in fitting if b.topic == topic.id), key=lambda b: (b.order, b.id))
        if blocks or topic.id == "questions":
            sections.append(Section(topic=topic, blocks=tuple(blocks)))
    chosen_topics = {s.topic.id for s in sections}
    questions = tuple(
        q
        for q in library.questions
        if "questions" in chosen_topics and q.tags.fit(spec.type, spec.stage, spec.audience)
    )
    key_points = tuple(b.key_point for s in sections for b in s.blocks if b.key_point)[:MAX_KEY_POINTS]
    return Selection(sections=tuple(sections), questions=questions, key_points=key_points)
