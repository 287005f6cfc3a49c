"""The content library's values: blocks, questions, terms, topics and sources, each frozen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from handouts.vocabulary import GENERAL

ANY = "any"
BLOCK_KEYS = (
    "id", "title", "topic", "order", "types", "stages", "audiences", "key_point", "sources",
    "facts", "reviewed", "review_due",
)  # fmt: skip
REQUIRED_BLOCK_KEYS = (
    "id",
    "title",
    "topic",
    "types",
    "stages",
    "audiences",
    "sources",
    "reviewed",
    "review_due",
)


@dataclass(frozen=True)
class Tags:
    """Which handouts a block or question fits: each set holds values or `any`."""

    types: frozenset[str]
    stages: frozenset[str]
    audiences: frozenset[str]

    def fit(self, type_: str | None, stage: str, audience: str) -> bool:
        """True when this content belongs in a handout for that type, stage and audience."""
        wanted_type = type_ or GENERAL
        return (
            bool({ANY, wanted_type} & self.types)
            and bool({ANY, stage} & self.stages)
            and bool({ANY, audience} & self.audiences)
        )


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    country: str = ""
    """An ISO 3166 code when the source backs a fact for one country only (printed only there)."""


@dataclass(frozen=True)
class Topic:
    id: str
    title: str


@dataclass(frozen=True)
class Term:
    term: str
    definition: str
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    tags: Tags
    path: Path
    line: int


@dataclass(frozen=True)
class Block:
    """One short, sourced piece of content: Markdown body (may hold Jinja2) plus front matter."""

    id: str
    title: str
    topic: str
    order: int
    tags: Tags
    key_point: str | None
    sources: tuple[str, ...]
    facts: tuple[str, ...]
    reviewed: dt.date
    review_due: dt.date
    body: str
    path: Path
    body_line: int
    language: str
    note: str = ""
    """A line printed above the body in the handout's language when the block is not in it
    ("(Only available in English)"); empty for a block in the handout's language."""


@dataclass(frozen=True)
class Sheet:
    """One topic sheet in one language: its title, the facts it relies on, its blocks (in order) and questions."""

    id: str
    title: str
    subtitle: str
    facts: tuple[str, ...]
    blocks: tuple[Block, ...]
    questions: tuple[Question, ...]
    path: Path
    """Its sheet.yaml."""
    language: str
    time_sensitive: tuple[str, ...] = ()

    @property
    def when_to_call_id(self) -> str:
        """The block printed last, under "when to call": `<sheet-id>-when-to-call`."""
        return f"{self.id}-when-to-call"


@dataclass(frozen=True)
class Library:
    """All content for one language, after later directories have overridden earlier ones."""

    language: str
    topics: tuple[Topic, ...]
    blocks: Mapping[str, Block]
    questions: tuple[Question, ...]
    glossary: tuple[Term, ...]
    sources: Mapping[str, Source]
    files: tuple[Path, ...]
    sheets: Mapping[str, Sheet] = field(default_factory=dict)
    """Topic sheets by id (content/<language>/sheets/<id>/), in id order."""

    def topic_ids(self) -> list[str]:
        return [topic.id for topic in self.topics]
