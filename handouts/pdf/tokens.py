"""Turn plain Python values into PDF object syntax quickly: the structure tree's many small dictionaries.

ReportLab's PDFDictionary formats every key and value through a generic, name-escaping walk, which
costs as much as drawing when a tagged handout has hundreds of structure elements. A `PdfDict` holds
values that are already PDF tokens: ints, names (`"/P"`, as `pdfdoc.PDFName` returns them),
references, lists, other `PdfDict`s, and ReportLab PDFStrings (which keep ReportLab's text encoding).
"""

from __future__ import annotations

from typing import Any

from reportlab.pdfbase.pdfdoc import PDFObject, PDFObjectReference, PDFString


class PdfDict(PDFObject):  # type: ignore[misc]
    """A PDF dictionary of ready tokens, formatted in one pass when ReportLab saves."""

    def __init__(self, entries: dict[str, Any]) -> None:
        self.entries = entries

    def __setitem__(self, key: str, value: Any) -> None:
        self.entries[key] = value

    def __getitem__(self, key: str) -> Any:
        return self.entries[key]

    def format(self, document: Any) -> bytes:
        numbers = document.idToObjectNumberAndVersion
        return b"<<" + b"".join(b"/" + key.encode() + b" " + _token(value, numbers, document) for key, value in self.entries.items()) + b">>"  # fmt: skip


def _token(value: Any, numbers: dict[str, tuple[int, int]], document: Any) -> bytes:
    if isinstance(value, PDFObjectReference):
        return b"%d %d R" % numbers[value.name]
    if isinstance(value, int):
        return b"%d" % value
    if isinstance(value, str):  # a name, already escaped by PDFName
        return value.encode()
    if isinstance(value, list):
        return b"[" + b" ".join(_token(item, numbers, document) for item in value) + b"]"
    if isinstance(value, PdfDict | PDFString):
        formatted: bytes = value.format(document)
        return formatted
    raise TypeError(f"not a PDF token: {type(value).__name__}")
