"""Turn handout XML into plain prose, health-literacy scores (textstat) and plain-language flags."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from textstat.textstat import textstatistics

from handouts.xmltree import Node, parse_handout_xml

PROSE_TAGS = frozenset({"paragraph", "item", "question", "term", "cell"})
"""Elements whose text a reader reads as prose."""

SKIPPED_TAGS = frozenset({"heading", "title-block", "sources", "qr", "write-in", "image", "page-break"})
"""Headings, the title block, source lists and form parts are left out of the scores."""

TEXTSTAT_LANGUAGES = {"en": "en_US", "es": "es"}
METRICS = ("grade", "smog", "szigriszt_pazos", "fernandez_huerta", "words_per_sentence")

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”\u2019»)]*\s+(?=[¿¡\"“«(]*[A-ZÁÉÍÓÚÑÜ0-9])")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
ACRONYM = re.compile(r"\b[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ0-9]+(?:s)?\b")


@dataclass(frozen=True)
class Unit:
    """One piece of printed prose. `label` is a list item's bold lead-in, left out of the scores."""

    kind: str
    text: str
    label: str = ""

    @property
    def full(self) -> str:
        """Label and text together, as the reader sees them."""
        return f"{self.label} {self.text}".strip()


@dataclass(frozen=True)
class Prose:
    """The prose of a block or a handout, and the items of each of its lists."""

    units: tuple[Unit, ...]
    lists: tuple[tuple[Unit, ...], ...]


@dataclass(frozen=True)
class Scores:
    """textstat's numbers for one text; formulas that do not apply to its language are None."""

    words: int
    sentences: int
    words_per_sentence: float
    grade: float | None = None
    smog: float | None = None
    szigriszt_pazos: float | None = None
    fernandez_huerta: float | None = None

    def metric(self, name: str) -> float | None:
        """A score by its config name (see METRICS)."""
        value: float | None = getattr(self, name)
        return value


@dataclass(frozen=True)
class Flag:
    """A plain-language problem in some text: `snippet` is the text to point the reader at."""

    rule: str
    snippet: str
    message: str
    fix: str


# --- prose out of handout XML ---------------------------------------------------------------


def block_prose(xml: str) -> Prose:
    """The prose of one block's handout XML (a fragment)."""
    return node_prose(parse_handout_xml(f"<handout>{xml}</handout>", "block"))


def node_prose(root: Node) -> Prose:
    """The prose under an element, in reading order, without headings, labels or source lists."""
    units: list[Unit] = []
    lists: list[tuple[Unit, ...]] = []
    _collect(root, units, lists)
    return Prose(tuple(units), tuple(lists))


def _collect(node: Node, units: list[Unit], lists: list[tuple[Unit, ...]]) -> None:
    for child in node.elements():
        if child.tag in SKIPPED_TAGS:
            continue
        if child.tag in PROSE_TAGS:
            unit = _unit(child)
            if unit.full:
                units.append(unit)
            continue
        before = len(units)
        _collect(child, units, lists)
        if child.tag == "list":
            lists.append(tuple(units[before:]))


def _unit(node: Node) -> Unit:
    if node.tag == "term":
        return Unit("term", _text(node.children), label=node.attrs.get("name", ""))
    children = [c for c in node.children if not (isinstance(c, str) and not c.strip())]
    first = children[0] if children else None
    if node.tag == "item" and isinstance(first, Node) and first.tag == "b" and len(children) > 1:
        return Unit("item", _text(children[1:]), label=_text([first]))
    return Unit(node.tag, _text(node.children))


def _text(children: Sequence[Node | str]) -> str:
    parts = [c if isinstance(c, str) else (" " if c.tag == "br" else _text(c.children)) for c in children]
    return " ".join("".join(parts).split())


def scoring_text(units: Iterable[Unit]) -> str:
    """The units' text (labels left out), each ended like a sentence, so list items count as sentences."""
    return " ".join(_ended(u.text) for u in units if u.text)


def _ended(text: str) -> str:
    return text if text.endswith((".", "!", "?", "…")) else text + "."


def split_sentences(text: str) -> list[str]:
    """Sentences of plain text: split after . ! ? before a capital letter or digit."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def count_words(text: str) -> int:
    return len(_WORD.findall(text))


# --- scores ----------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _textstat(language: str) -> Any:
    """A textstat instance set to the language (each instance keeps its own language)."""
    stats = textstatistics()
    stats.set_lang(TEXTSTAT_LANGUAGES[language])
    return stats


def score_text(text: str, language: str, smog_min_sentences: int = 30) -> Scores:
    """Flesch-Kincaid grade and SMOG for English; Szigriszt-Pazos and Fernández-Huerta for Spanish."""
    if language not in TEXTSTAT_LANGUAGES or not text.strip():
        return Scores(words=count_words(text), sentences=len(split_sentences(text)), words_per_sentence=0.0)
    stats = _textstat(language)
    sentences = int(stats.sentence_count(text))
    common: dict[str, Any] = {
        "words": int(stats.lexicon_count(text)),
        "sentences": sentences,
        "words_per_sentence": round(float(stats.words_per_sentence(text)), 1),
    }
    if language == "es":
        return Scores(
            **common,
            szigriszt_pazos=round(float(stats.szigriszt_pazos(text)), 1),
            fernandez_huerta=round(float(stats.fernandez_huerta(text)), 1),
        )
    smog = round(float(stats.smog_index(text)), 1) if sentences >= smog_min_sentences else None
    return Scores(**common, grade=round(float(stats.flesch_kincaid_grade(text)), 1), smog=smog)


# --- flags on sentences and lists --------------------------------------------------------------


def long_sentences(units: Iterable[Unit], max_words: int) -> list[Flag]:
    """Sentences of more than `max_words` words."""
    flags = []
    for unit in units:
        for sentence in split_sentences(unit.text):
            words = count_words(sentence)
            if words > max_words:
                flags.append(
                    Flag(
                        "long_sentence",
                        sentence,
                        f"sentence has {words} words: {quote(sentence)}",
                        f"split it; keep sentences to {max_words} words or fewer",
                    )
                )
    return flags


def long_lists(lists: Iterable[Sequence[Unit]], max_items: int) -> list[Flag]:
    """Lists of more than `max_items` items."""
    return [
        Flag(
            "long_list",
            items[0].full,
            f"list has {len(items)} items",
            f"split it, or keep the {max_items} that matter most",
        )
        for items in lists
        if len(items) > max_items
    ]


_PERCENT = {
    "en": re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b)", re.IGNORECASE),
    "es": re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:%|por ciento\b)", re.IGNORECASE),
}
_FREQUENCY = {
    "en": re.compile(r"\b\d+ (?:out of|in) (?:every )?\d+\b", re.IGNORECASE),
    "es": re.compile(r"\b\d+ de cada \d+\b", re.IGNORECASE),
}
_PERCENT_FIX = {
    "en": "write it as a natural frequency, e.g. 'about 85 out of 100 people'",
    "es": "escríbalo como frecuencia, p. ej. 'unas 85 de cada 100 personas'",
}


def bare_percentages(units: Iterable[Unit], language: str) -> list[Flag]:
    """Percentages in a sentence that does not also give them as 'N out of M'."""
    percent, frequency = _PERCENT.get(language), _FREQUENCY.get(language)
    if percent is None or frequency is None:
        return []
    flags = []
    for unit in units:
        for sentence in split_sentences(unit.full):
            match = percent.search(sentence)
            if match and not frequency.search(sentence):
                flags.append(
                    Flag(
                        "percentage",
                        sentence,
                        f"bare percentage '{match.group(0)}'",
                        _PERCENT_FIX[language],
                    )
                )
    return flags


_EN_PARTICIPLES = (
    r"\w+ed|shown|known|given|made|done|seen|taken|written|found|kept|held|told|brought|thought|"
    r"felt|sold|sent|built|put|set|hurt|worn|chosen|broken|spoken|hidden|driven|grown|drawn|thrown|"
    r"understood|led|paid|said|lost|sought|taught|caught|fed|meant|left|begun"
)
_PASSIVE = {
    "en": re.compile(
        r"\b(?:am|is|are|was|were|be|been|being|isn't|aren't|wasn't|weren't)\s+"
        r"(?:(?:not|also|often|still|usually|now|only|sometimes|rarely|never|already|just|\w+ly)\s+)?"
        rf"(?P<participle>{_EN_PARTICIPLES})\b",
        re.IGNORECASE,
    ),
    "es": re.compile(
        r"\b(?:es|son|fue|fueron|era|eran|será|serán|sea|sean|ser|sido|siendo)\s+"
        r"(?:(?:\w+mente|no|también|ya|muy)\s+)?"
        r"(?P<participle>\w+(?:ado|ada|ados|adas|ido|ida|idos|idas)|escrit[oa]s?|vist[oa]s?|puest[oa]s?|"
        r"hech[oa]s?|dich[oa]s?|abiert[oa]s?|cubiert[oa]s?|descubiert[oa]s?|rot[oa]s?|vuelt[oa]s?)\b",
        re.IGNORECASE,
    ),
}
_NOT_PASSIVE = frozenset(
    # Naming a thing ("is called myelin") is how a block explains a word; the rest describe feelings.
    [
        "called", "named", "known", "tired", "worried", "scared", "pleased", "interested", "concerned",
        "married", "supposed", "used", "llamado", "llamada", "llamados", "llamadas", "conocido", "conocida",
        "conocidos", "conocidas",
    ]
)  # fmt: skip
_PASSIVE_FIX = {
    "en": "say who does what where you can, e.g. 'Your team checks...' rather than 'You are checked...'",
    "es": "diga quién hace qué cuando pueda, p. ej. 'El equipo revisa...' en vez de 'Es revisado...'",
}


def passive_sentences(units: Iterable[Unit], language: str) -> list[tuple[str, str]]:
    """(sentence, the words that look passive) for each sentence with a form of 'to be' (ser) and a past participle."""
    pattern = _PASSIVE.get(language)
    if pattern is None:
        return []
    found = []
    for unit in units:
        for sentence in split_sentences(unit.text):
            match = next(
                (m for m in pattern.finditer(sentence) if m.group("participle").lower() not in _NOT_PASSIVE),
                None,
            )
            if match:
                found.append((sentence, match.group(0)))
    return found


def passive_voice(units: Sequence[Unit], language: str, max_share: float) -> list[Flag]:
    """One flag when more than `max_share` of the sentences look passive: a little passive voice is fine."""
    passive = passive_sentences(units, language)
    total = sum(len(split_sentences(u.text)) for u in units)
    if not passive or len(passive) <= max_share * total:
        return []
    examples = ", ".join(f"'{words}'" for _, words in passive[:3])
    message = f"{len(passive)} of {total} sentences look passive ({examples})"
    return [Flag("passive_voice", passive[0][0], message, _PASSIVE_FIX[language])]


def banned_words(units: Iterable[Unit], words: Sequence[str], allowed: Sequence[str] = ()) -> list[Flag]:
    """Words the style guide rules out (cure, attack, ...), matched whole, in any case.

    A banned word inside one of the `allowed` phrases (a safe wording such as "heart attack") is not
    flagged there; the same word elsewhere in the sentence still is.
    """
    if not words:
        return []
    pattern = _banned_pattern(tuple(words))
    allowed_pattern = _banned_pattern(tuple(allowed)) if allowed else None
    flags = []
    for unit in units:
        for sentence in split_sentences(unit.full):
            spans = [m.span() for m in allowed_pattern.finditer(sentence)] if allowed_pattern else []
            for match in pattern.finditer(sentence):
                if any(start <= match.start() and match.end() <= end for start, end in spans):
                    continue
                flags.append(
                    Flag(
                        "banned_word",
                        sentence,
                        f"'{match.group(0)}' is on the list of words to avoid",
                        "say what is true in calm, plain words (see docs/content.md)",
                    )
                )
    return flags


@lru_cache(maxsize=8)
def _banned_pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(
        r"\s+".join(re.escape(part) for part in w.split()) for w in sorted(words, key=len, reverse=True)
    )
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def quote(text: str, limit: int = 60) -> str:
    """Text in quotes, shortened so a message stays on one line."""
    text = " ".join(text.split())
    return f'"{text if len(text) <= limit else text[: limit - 3].rstrip() + "..."}"'
