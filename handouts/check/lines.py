"""Turn a file and a piece of printed text into the line number where that text starts."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=512)
def read_lines(path: Path) -> tuple[str, ...]:
    try:
        return tuple(path.read_text(encoding="utf-8", errors="replace").splitlines())
    except OSError:
        return ()


def line_of(path: Path, needle: str, default: int = 1) -> int:
    """The first line containing `needle`, or `default`."""
    return next((n for n, text in enumerate(read_lines(path), 1) if needle in text), default)


_MARKUP = re.compile(r"\*\*|__|\[|\]\([^)]*\)|^\s*(?:[-*+>]|\d+[.)])\s+|\{[%{#].*?[%}#]\}")


def locate(path: Path, snippet: str, default: int) -> int:
    """The line of a file where a piece of printed text starts, found by its first words."""
    words = snippet.split()
    lines = [" ".join(_MARKUP.sub("", text).split()).lower() for text in read_lines(path)]
    for size in (6, 4, 2):
        if len(words) < size and size != 2:
            continue
        phrase = " ".join(words[:size]).lower()
        found = _find_line(lines, phrase, default)
        if found:
            return found
    return default


def _find_line(lines: Sequence[str], phrase: str, start: int) -> int:
    for number in _from(start, len(lines)):
        if phrase and phrase in lines[number - 1]:
            return number
    return 0


def _from(start: int, count: int) -> Iterator[int]:
    """Line numbers from `start` to the end, then the ones before it."""
    yield from range(max(start, 1), count + 1)
    yield from range(1, min(max(start, 1), count + 1))
