"""Turn plain text into XML character data and quoted attribute values (without xml.sax's heavy imports)."""

from __future__ import annotations

_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
)


def escape_text(text: str) -> str:
    """`text` as XML character data: &, < and > become entities.

    Most text has none of them: three C-level `in` scans are about twenty times faster than
    `str.translate`, which looks up every character in the table.
    """
    if "&" in text or "<" in text or ">" in text:
        return text.translate(_TEXT)
    return text


def quote_attribute(text: str) -> str:
    """`text` as a double-quoted XML attribute value, quotes and line breaks included."""
    return '"' + text.translate(_ATTRIBUTE) + '"'
