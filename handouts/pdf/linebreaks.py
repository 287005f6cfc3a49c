"""Remember ReportLab's line breaks (a paragraph's `blPara`) per process, so the same paragraph in the same column is broken once.

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
only read: a later break of a split part builds new words from them).

Bound: at most `LineBreakMemo.limit` entries (least recently used dropped first); an entry is one
paragraph's lines and word list, a few kilobytes, so the memo stays under about 10 MB per process
whatever the number of handouts (`tests/pdf/test_linebreaks.py` checks the count).
ReportLab internals relied on: `Paragraph.breakLines`, `blPara.kind`, the attributes named above.
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
    """A bounded, thread-safe map from a paragraph's break key to what breaking it made."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._entries: OrderedDict[Hashable, RememberedBreak] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> RememberedBreak | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, remembered: RememberedBreak) -> None:
        with self._lock:
            self._entries[key] = remembered
            self._entries.move_to_end(key)
            while len(self._entries) > self.limit:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


LINE_BREAKS = LineBreakMemo(limit=4096)
"""The process's memo; see the module docstring for why 4096 entries."""


BREAK_ATTRIBUTES = ("frags", "height", "_width_max", "_splitLongWordCount", "_hyphenations")
"""The attributes ReportLab's breakLines sets on the paragraph (any other it adds or changes is kept too)."""


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
    if found is None:
        before = dict(paragraph.__dict__)
        lines = compute(widths)
        if paragraph._splitLongWordCount or paragraph._hyphenations:
            return lines  # a split or hyphenated word: ReportLab's split may change its class later
        after = paragraph.__dict__
        names = [n for n in after if n in BREAK_ATTRIBUTES or n not in before or before[n] is not after[n]]
        found = RememberedBreak(lines, tuple((n, _own(after[n])) for n in names), tuple(widths))
        LINE_BREAKS.put(key, found)
    else:
        for name, value in found.attributes:
            setattr(paragraph, name, _own(value))
        widths[:] = found.widths
    if paragraph.frags is not paragraph.__dict__["_break_frags"]:
        describe_fragments(paragraph, key)  # its frags are now the word list this break made
    return found.lines


def _own(value: Any) -> Any:
    """A list gets a copy of its own (the paragraph's word list); anything else is shared."""
    return list(value) if isinstance(value, list) else value
