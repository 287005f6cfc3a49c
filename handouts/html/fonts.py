"""Turn a theme's TrueType fonts into WOFF2 subsets, as data: URIs, holding only the characters a page uses."""

from __future__ import annotations

import base64
import io
from functools import lru_cache
from pathlib import Path

from handouts.errors import ThemeError

ALWAYS = "".join(chr(c) for c in range(0x20, 0x7F))
"""Printable ASCII is always kept, so a page's subset also covers what a reader types into find-in-page."""


def font_data_uri(path: Path, text: str) -> str:
    """A data: URI of a WOFF2 subset of `path` with every character of `text` (and printable ASCII)."""
    characters = "".join(sorted(set(text) | set(ALWAYS)))
    return _subset(str(path), characters)


@lru_cache(maxsize=64)
def _subset(path: str, characters: str) -> str:
    # Imported here: fontTools' subsetter (and the lxml it loads) costs about 60 ms that a PDF build,
    # which imports this stage with the renderer, does not need.
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["kern", "liga", "calt"]
    options.name_IDs = [1, 2]
    options.notdef_outline = True
    try:
        font = TTFont(path)
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=characters)
        subsetter.subset(font)
        buffer = io.BytesIO()
        font.flavor = "woff2"
        font.save(buffer)
    except Exception as exc:
        raise ThemeError(f"{path}: cannot be made into a web font ({type(exc).__name__}: {exc})") from exc
    return "data:font/woff2;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")
