"""Turn prose and a vocabulary of medical terms into the terms and acronyms a reader meets before they are explained."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Generic, TypeVar

from handouts.check.readability import ACRONYM, split_sentences

T = TypeVar("T")


@dataclass(frozen=True)
class Vocabulary:
    """What counts as a medical term or an acronym in one language, and what needs no explaining."""

    language: str
    glossary: Mapping[str, str]
    """Every glossary form (term and `also`), lowercased -> the glossary term it belongs to."""
    medical_terms: tuple[str, ...] = ()
    jargon: tuple[str, ...] = ()
    """Regular expressions for one word that looks medical (e.g. `\\w+itis`)."""
    plain_words: frozenset[str] = frozenset()
    known_acronyms: tuple[str, ...] = ()

    @cached_property
    def _matcher(self) -> _Matcher:
        return _Matcher(self)

    def words_in(self, text: str) -> list[tuple[str, str, int]]:
        """(kind, key, offset) of every medical term ('term') and acronym ('acronym') in a text."""
        return self._matcher.words_in(text)


@dataclass(frozen=True)
class Piece(Generic[T]):
    """One printed unit of text and where it came from."""

    origin: T
    text: str


@dataclass(frozen=True)
class Unexplained(Generic[T]):
    """A term or acronym whose first use in a handout has no explanation at or before it."""

    origin: T
    kind: str
    word: str
    snippet: str
    explained_later: bool


_CUES = {
    "en": (
        r"\b(?:called|known as|named)\s+(?:an?\s+|the\s+)?{t}",
        r"{t},?\s+(?:which\s+|that\s+)?means\b",
        r"{t},\s+meaning\b",
        r"{t}(?:\s+\([^)]*\))?\s+(?:is|are)\s+",
        r"\w[\w'-]*\s+\({t}\)",
        r"{t},\s+(?:an?|the)\s+",
        r"{t}:",
    ),
    "es": (
        r"\b(?:llamad[oa]s?|se\s+llaman?|conocid[oa]s?\s+como)\s+(?:el\s+|la\s+|los\s+|las\s+|una?\s+)?{t}",
        r"{t},?\s+(?:que\s+)?(?:significa|quiere\s+decir)\b",
        r"{t}(?:\s+\([^)]*\))?\s+(?:es|son)\s+",
        r"\w[\w'-]*\s+\({t}\)",
        r"{t},\s+(?:una?|el|la|los|las)\s+",
        r"{t}:",
    ),
}


ACRONYM_CUES = (r"\w[\w'-]*\s+\({t}\)", r"{t}\s+\((?=[^)]*[a-záéíóúñ])[^)]+\)")


def unexplained_words(
    pieces: Sequence[Piece[T]], vocabulary: Vocabulary, printed: Iterable[str]
) -> list[Unexplained[T]]:
    """Terms and acronyms first used without an explanation, in a handout's reading order.

    A glossary term is explained when the handout prints it under "Words to know" (`printed`).
    Any term is explained when the text explains it at or before its first use (`called X`,
    `X means`, `X is/are ...`, `plain words (X)`, `X, a ...`, `X:`). An acronym is explained by
    `Words (ACR)` or `ACR (words)` at or before its first use.
    """
    printed_terms = {p.lower() for p in printed}
    uses = _first_uses(pieces, vocabulary)
    found: list[Unexplained[T]] = []
    for (kind, key), (index, start) in uses.items():
        if kind == "term" and (vocabulary.glossary.get(key, "") in printed_terms or key in printed_terms):
            continue
        explained = _first_explanation(pieces, kind, key, vocabulary)
        if explained is not None and explained <= (index, start):
            continue
        piece = pieces[index]
        snippet = _sentence_at(piece.text, start)
        found.append(Unexplained(piece.origin, kind, key, snippet, explained is not None))
    return found


def _first_uses(pieces: Sequence[Piece[T]], vocabulary: Vocabulary) -> dict[tuple[str, str], tuple[int, int]]:
    uses: dict[tuple[str, str], tuple[int, int]] = {}
    for index, piece in enumerate(pieces):
        for kind, key, start in vocabulary.words_in(piece.text):
            uses.setdefault((kind, key), (index, start))
    return uses


class _Matcher:
    """One language's term, jargon and acronym patterns, compiled once; results cached per text."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.vocabulary = vocabulary
        forms = _term_forms(vocabulary)
        plural = "(?:es|s)?" if vocabulary.language == "es" else "(?:e?s)?"
        alternatives = "|".join(re.escape(f) for f in forms) or "(?!x)x"
        self.terms = re.compile(rf"(?<!\w)(?P<form>{alternatives}){plural}(?!\w)", re.IGNORECASE)
        self.jargon = [re.compile(rf"\b(?:{p})\b", re.IGNORECASE) for p in vocabulary.jargon]
        known = [*vocabulary.plain_words, *vocabulary.known_acronyms]
        self.known = re.compile(
            "|".join(rf"(?<!\w){re.escape(w)}s?(?!\w)" for w in sorted(known, key=len, reverse=True))
            or "(?!x)x",
            re.IGNORECASE,
        )
        self.cache: dict[str, list[tuple[str, str, int]]] = {}

    def words_in(self, text: str) -> list[tuple[str, str, int]]:
        if text not in self.cache:
            self.cache[text] = self._find(text)
        return self.cache[text]

    def _find(self, text: str) -> list[tuple[str, str, int]]:
        """(kind, key, offset) of every term and acronym, longest terms first, no overlaps."""
        glossary = self.vocabulary.glossary
        hits = [
            ("term", glossary.get(m["form"].lower(), m["form"].lower()), m.start())
            for m in self.terms.finditer(text)
        ]
        taken = [(m.start(), m.end()) for m in self.terms.finditer(text)]
        masked = self.known.sub(lambda m: " " * len(m.group(0)), text)
        for pattern in self.jargon:
            for match in pattern.finditer(masked):
                if not any(match.start() < end and start < match.end() for start, end in taken):
                    hits.append(("term", match.group(0).lower(), match.start()))
        hits += [("acronym", _acronym_key(m.group(0)), m.start()) for m in ACRONYM.finditer(masked)]
        return sorted(hits, key=lambda hit: hit[2])


def _term_forms(vocabulary: Vocabulary) -> list[str]:
    forms = {f for f in vocabulary.glossary if not _is_acronym(f)}
    forms |= {t.lower() for t in vocabulary.medical_terms if not _is_acronym(t)}
    return sorted(forms, key=lambda f: (-len(f), f))


def _is_acronym(word: str) -> bool:
    return bool(ACRONYM.fullmatch(word.strip())) or word.strip().isupper()


def _acronym_key(word: str) -> str:
    return word[:-1] if word.endswith("s") and len(word) > 2 else word


def _first_explanation(
    pieces: Sequence[Piece[T]], kind: str, key: str, vocabulary: Vocabulary
) -> tuple[int, int] | None:
    if kind == "acronym":
        patterns = _explanation_patterns(kind, (key,), vocabulary.language)
    else:
        forms = tuple(f for f, term in vocabulary.glossary.items() if term == key and not _is_acronym(f))
        patterns = _explanation_patterns(kind, forms or (key,), vocabulary.language)
    for index, piece in enumerate(pieces):
        starts = [m.start("t") for p in patterns for m in p.finditer(piece.text)]
        if starts:
            return index, min(starts)
    return None


@lru_cache(maxsize=4096)
def _explanation_patterns(kind: str, forms: tuple[str, ...], language: str) -> list[re.Pattern[str]]:
    if kind == "acronym":
        word = rf"(?P<t>{re.escape(forms[0])}s?)"
        return [re.compile(cue.replace("{t}", word)) for cue in ACRONYM_CUES]
    plural = "(?:es|s)?" if language == "es" else "(?:e?s)?"
    word = "(?P<t>(?<!\\w)(?:" + "|".join(re.escape(f) for f in forms) + f"){plural}(?!\\w))"
    return [re.compile(cue.replace("{t}", word), re.IGNORECASE) for cue in _CUES.get(language, _CUES["en"])]


def _sentence_at(text: str, offset: int) -> str:
    position = 0
    for sentence in split_sentences(text):
        position = text.find(sentence, position)
        if position <= offset < position + len(sentence):
            return sentence
        position += len(sentence)
    return text
