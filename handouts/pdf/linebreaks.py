"""Turn a paragraph (markup, style, column width) into ReportLab's line breaks, made once per process.

A batch or the web server prints the same content blocks again and again: the paragraph markup, its
style and the column width are the same from one handout to the next, and so are its lines. ReportLab's
`Paragraph.breakLines(widths)` is a function of what the paragraph holds (`frags`, `style`, `bulletText`,
`autoLeading`, `encoding`) and of the widths; besides returning the lines (`blPara`) it sets a few
attributes on the paragraph (`frags` becomes its word list when the lines mix fonts, `_width_max`,
`height`, `_splitLongWordCount`, `_hyphenations`) and may shorten the first width for a bullet. The
memo keeps the lines, those attributes and the widths after the call, keyed by a description of the
paragraph's fragments (`source`: the markup and style it was parsed from, or the break that made its
word list), the widths and the other inputs, and gives them to the next paragraph with the same key.

Why sharing one `blPara` between paragraphs, handouts and threads is safe (ReportLab 4.5 to 5.1):
drawing (`drawPara`, `_putFragLine`, the justified and aligned line drawers, `_do_link_line`,
`_do_post_text`) and our own text objects (`pdf/tagging.py`, `pdf/wordbreaks.py` `soft_breaks`) only
read the lines and their words; `split` builds new paragraphs from new lists (`_split_blParaSimple`
clones, `_split_blParaProcessed` slices, `P1.blPara` is a new `ParaLines` over a slice) and deletes
`blPara` only from the paragraph it splits. ReportLab writes into the lines or words in three places,
and none of them can reach a remembered break:
- `drawPara` reverses each line's words for `wordWrap="RTL"`: such styles are not remembered;
- `_split_blParaSimple` and `_split_blParaProcessed` change the class of a last word that was
  hyphenated, and `_split_blParaHard` appends spaces to line words: breaks that split or hyphenated a
  word (`_splitLongWordCount` or `_hyphenations` non-zero) are not remembered, and `_split_blParaHard`
  runs only for a paragraph whose `frags` were never broken, which a remembered break never leaves.
The word list a paragraph gets is its own copy of the remembered list (the words in it are shared and
only read: a later break of a split part builds new words from them; the one attribute ReportLab
writes on a word, a soft-hyphen word's `_fsww`, is written before it is read in every break).

The soft line ends the tags need (`pdf/wordbreaks.soft_breaks`) are kept by the `blPara` object they
were worked out from, so paragraphs sharing a remembered break share that answer too.

Bound: a break is kept the second time its key is met, so text printed once per handout (the
patient's name) never enters; entries weigh their markup's length plus 64 and at most 400,000 in all
are kept, least recently used dropped first. At the measured 30 bytes per unit (8.5 MB, weight
283,743, for the 1,634 breaks kept after 145 handouts in every language, paper and print size, soft
line ends included) that is about 12 MB at most, and under 2 MB for a batch in one language and
paper, however many rows; the hashes of keys met once are capped at 8,192 (under 1 MB). `tests/pdf/test_linebreaks.py` checks both limits.
ReportLab internals relied on (paragraph.py is the same file in ReportLab 4.5.1 and 5.1.0): that
`Paragraph.breakLines` reads only what the key holds and sets only the attributes named above,
`_splitLongWordCount` and `_hyphenations`; `tests/pdf/test_linebreaks.py` compares a remembered
break with ReportLab's own, attribute by attribute.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

UNSAFE_WORD_WRAPS = frozenset({"RTL"})
"""Word wraps whose drawing changes the lines in place (`drawPara` reverses right-to-left lines)."""


@dataclass(frozen=True)
class RememberedBreak:
    """What one `breakLines` call made: the lines, the attributes it set, the widths after it."""

    lines: Any
    attributes: tuple[tuple[str, Any], ...]
    widths: tuple[float, ...]


class LineBreakMemo:
    """A bounded, thread-safe map from a paragraph's break key to what breaking it made.

    A break is kept the second time its key is met (the first time only the key's hash is noted), so
    a line printed once per handout, such as the patient's name, never takes room from the content
    that repeats. Entries weigh the length of the markup they were parsed from plus `ENTRY_WEIGHT`;
    past `budget` the least recently used go first.
    """

    def __init__(self, budget: int, sightings: int) -> None:
        self.budget = budget
        self.sightings = sightings
        self.weight = 0
        self._entries: OrderedDict[Hashable, tuple[RememberedBreak, int]] = OrderedDict()
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> RememberedBreak | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[0]

    def admit(self, key: Hashable) -> bool:
        """Should a break for this key be kept? Yes the second time the key is met."""
        sighting = hash(key)
        with self._lock:
            if sighting in self._seen:
                del self._seen[sighting]
                return True
            self._seen[sighting] = None
            while len(self._seen) > self.sightings:
                self._seen.popitem(last=False)
            return False

    def put(self, key: Hashable, remembered: RememberedBreak, weight: int) -> None:
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = (remembered, weight)
            self.weight += weight
            while self.weight > self.budget and self._entries:
                self.weight -= self._entries.popitem(last=False)[1][1]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._seen.clear()
            self.weight = 0

    def __len__(self) -> int:
        return len(self._entries)


ENTRY_WEIGHT = 64
"""What an entry weighs besides its markup's characters (its key, lines and word list objects)."""

LINE_BREAKS = LineBreakMemo(budget=400_000, sightings=8192)
"""The process's memo; see the module docstring for the memory this allows."""


BREAK_ATTRIBUTES = ("height", "_width_max", "_splitLongWordCount", "_hyphenations")
"""Attributes ReportLab's breakLines always sets; any other it adds or changes (`frags`) is kept too."""


def break_key(paragraph: Any, widths: list[float]) -> Hashable | None:
    """What decides `paragraph.breakLines(widths)`, or None when the break must not be shared."""
    state = paragraph.__dict__
    source = state.get("_break_source")
    if source is None or paragraph.frags is not state.get("_break_frags"):
        return None  # fragments not described (a split part) or changed since they were described
    bullet = paragraph.bulletText
    if paragraph.style.wordWrap in UNSAFE_WORD_WRAPS or not (bullet is None or isinstance(bullet, str)):
        return None
    return (source, tuple(widths), bullet, state.get("autoLeading"), paragraph.encoding)


def describe_fragments(paragraph: Any, source: Hashable) -> None:
    """Say what the paragraph's current `frags` were made from (markup and style, or a break)."""
    paragraph._break_source = source
    paragraph._break_frags = paragraph.frags


def remembered_break_lines(paragraph: Any, widths: list[float], compute: Callable[[list[float]], Any]) -> Any:
    """`compute(widths)` (ReportLab's breakLines), or what it made for the same key before."""
    key = break_key(paragraph, widths)
    if key is None:
        return compute(widths)
    found = LINE_BREAKS.get(key)
    if found is not None:
        for name, value in found.attributes:
            setattr(paragraph, name, _own(value))
        widths[:] = found.widths
        lines = found.lines
    else:
        before = dict(paragraph.__dict__)
        lines = compute(widths)
        if paragraph._splitLongWordCount or paragraph._hyphenations:
            return lines  # a word split at a line end: ReportLab's split may change its class later
        if LINE_BREAKS.admit(key):
            found = _remembered(lines, before, paragraph.__dict__, widths)
            LINE_BREAKS.put(key, found, _weight(key))
    if paragraph.frags is not paragraph.__dict__["_break_frags"]:
        describe_fragments(paragraph, key)  # its frags are now the word list this break made
    return lines


def _remembered(
    lines: Any, before: dict[str, Any], after: dict[str, Any], widths: list[float]
) -> RememberedBreak:
    """The lines, the attributes breakLines set (a copy of any list) and the widths it left."""
    names = [n for n in after if n in BREAK_ATTRIBUTES or n not in before or before[n] is not after[n]]
    return RememberedBreak(lines, tuple((n, _own(after[n])) for n in names), tuple(widths))


def _own(value: Any) -> Any:
    """A list gets a copy of its own (the paragraph's word list); anything else is shared."""
    return list(value) if isinstance(value, list) else value


def _weight(key: Any) -> int:
    """An entry's weight: the length of the markup its fragments were first parsed from, and a bit."""
    while isinstance(key, tuple) and key and not isinstance(key[0], str):
        key = key[0]
    return ENTRY_WEIGHT + (len(key[0]) if isinstance(key, tuple) and key else 0)
