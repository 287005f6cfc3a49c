"""Turn handout XML into plain prose, health-literacy scores (textstat) and plain-language flags."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any, Generic, TypeVar

from textstat.textstat import textstatistics

from handouts.xmltree import Node, parse_handout_xml

T = TypeVar("T")

PROSE_TAGS = frozenset({"paragraph", "item", "question", "term", "cell"})
"""Elements whose text a reader reads as prose."""

SKIPPED_TAGS = frozenset({"heading", "title-block", "sources", "qr", "write-in", "image", "page-break"})
"""Headings, the title block, source lists and form parts are left out of the scores."""

TEXTSTAT_LANGUAGES = {"en": "en_US", "es": "es"}
METRICS = ("grade", "smog", "szigriszt_pazos", "fernandez_huerta", "words_per_sentence")

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”\u2019»)]*\s+(?=[¿¡\"“«(]*[A-ZÁÉÍÓÚÑÜ0-9])")
_WORD = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*")
_ACRONYM = re.compile(r"\b[A-ZÁÉÍÓÚÑ][A-ZÁÉÍÓÚÑ0-9]+(?:s)?\b")


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


def banned_words(units: Iterable[Unit], words: Sequence[str]) -> list[Flag]:
    """Words the style guide rules out (cure, attack, ...), matched whole, in any case."""
    if not words:
        return []
    pattern = _banned_pattern(tuple(words))
    flags = []
    for unit in units:
        for sentence in split_sentences(unit.full):
            for match in pattern.finditer(sentence):
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
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)


def quote(text: str, limit: int = 60) -> str:
    """Text in quotes, shortened so a message stays on one line."""
    text = " ".join(text.split())
    return f'"{text if len(text) <= limit else text[: limit - 3].rstrip() + "..."}"'


# --- medical terms and acronyms, in reading order ---------------------------------------------


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
_ACRONYM_CUES = (r"\w[\w'-]*\s+\({t}\)", r"{t}\s+\((?=[^)]*[a-záéíóúñ])[^)]+\)")


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
        hits += [("acronym", _acronym_key(m.group(0)), m.start()) for m in _ACRONYM.finditer(masked)]
        return sorted(hits, key=lambda hit: hit[2])


def _term_forms(vocabulary: Vocabulary) -> list[str]:
    forms = {f for f in vocabulary.glossary if not _is_acronym(f)}
    forms |= {t.lower() for t in vocabulary.medical_terms if not _is_acronym(t)}
    return sorted(forms, key=lambda f: (-len(f), f))


def _is_acronym(word: str) -> bool:
    return bool(_ACRONYM.fullmatch(word.strip())) or word.strip().isupper()


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
        return [re.compile(cue.replace("{t}", word)) for cue in _ACRONYM_CUES]
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
