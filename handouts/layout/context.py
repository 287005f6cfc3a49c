"""Turn a HandoutSpec into the variables a block body's Jinja2 sees; choose the sources a handout prints."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from handouts.content.model import Block, Library, Source
from handouts.spec import HandoutSpec

_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")

MAX_PRINTED_SOURCES = 8
"""A handout prints at most this many sources; `handouts list --sources` lists them all."""


def block_context(spec: HandoutSpec) -> dict[str, Any]:
    """type, stage, audience, language, country (ISO code) and layout, for `{% if country == "GB" %}`;
    clinic_name and clinic_phone (empty without a clinic profile), escaped for Markdown."""
    clinic = spec.clinic
    return {
        "type": spec.type,
        "stage": spec.stage,
        "audience": spec.audience,
        "language": spec.language,
        "country": spec.help_country,
        "layout": spec.layout,
        "clinic_name": markdown_literal(clinic.name) if clinic and clinic.name else "",
        "clinic_phone": markdown_literal(clinic.phone) if clinic and clinic.phone else "",
    }


def markdown_literal(text: str) -> str:
    """User text that a block body prints: every ASCII punctuation mark backslash-escaped, so Markdown
    shows it as typed (the Markdown renderer then escapes it for XML)."""
    return _PUNCTUATION.sub(r"\\\g<0>", text)


@dataclass(frozen=True)
class PrintFloor:
    """How many questions and key points a page-limited layout must print at least: what the
    standard-print twin of a large-print handout printed (render.print_floor measures it)."""

    questions: int = 0
    key_points: int = 0


NO_FLOOR = PrintFloor()


@dataclass(frozen=True)
class PrintedSources:
    """The sources a handout prints, and how many its blocks cite in all."""

    shown: tuple[Source, ...]
    total: int

    @property
    def cut(self) -> bool:
        return self.total > len(self.shown)


def printed_sources(
    library: Library, blocks: Sequence[Block], country: str, limit: int = MAX_PRINTED_SOURCES
) -> PrintedSources:
    """The sources of the printed blocks, each once, most-cited first (ties: the first cited first), at most
    `limit`; a source marked for another country is left out."""
    order: dict[str, int] = {}
    counts: Counter[str] = Counter()
    for block in blocks:
        for source_id in dict.fromkeys(block.sources):
            source = library.sources.get(source_id)
            if source is not None and source.country in ("", country):
                order.setdefault(source_id, len(order))
                counts[source_id] += 1
    ranked = sorted(order, key=lambda s: (-counts[s], order[s]))
    return PrintedSources(tuple(library.sources[s] for s in ranked[:limit]), len(ranked))
