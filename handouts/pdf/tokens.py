"""Turn plain Python values and ReportLab's PDF objects into PDF object syntax quickly, for the save.

ReportLab formats every value through `pdfdoc.format`, a generic walk that checks each element's class
and attributes, escapes each dictionary key with `PDFName` character by character and encodes each string
through its PDFDocEncoding codec: a link or widget annotation costs about 40 µs that way, and a tagged
handout has hundreds of such objects. The save spends its time here, so this module writes the same bytes
with less work:

- `token` writes the value types our objects hold exactly as `pdfdoc.format` would (names, numbers, bytes,
  references, PDFString, PDFArray, PDFDictionary, streams by reference), and hands anything else back to
  ReportLab, so it is never wrong, only sometimes not faster;
- `FastDictionary` and `FastStream` are ReportLab's PDFDictionary and PDFStream with `format` (the
  documented place to change how an object is written) done by `token`: same bytes, same key order;
- `pdf_string` encodes a text string once, as PDFString does, with a shortcut for printable ASCII;
- `ReadyObject` and `ReadyStream` are objects whose bytes were written before the save began (a form
  field's appearance, made once per size and reused); the structure tree registers its elements as
  plain bytes (structtree.py, savefile.py).

ReportLab behaviour relied on (tests/pdf/test_tokens.py compares our bytes with ReportLab's own):
`pdfdoc.format` and the `format` methods of PDFDictionary, PDFArray, PDFString and PDFStream,
`rl_config.pdfMultiLine`, `PDFDocument.idToObjectNumberAndVersion`, `encrypt` and `defaultStreamFilters`.
Handouts are never encrypted; an encrypted document falls back to ReportLab's own formatting.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.pdfdoc import (
    DummyDoc,
    NoEncryption,
    PDFArray,
    PDFDictionary,
    PDFName,
    PDFObject,
    PDFObjectReference,
    PDFStream,
    PDFString,
)
from reportlab.pdfbase.pdfdoc import fp_str as _fp_str

_PLAIN_DOCUMENT = DummyDoc()
_EXACT = 2**53
"""Integers this small are written by fp_str exactly as `%d` writes them."""
_NUMBERS: dict[float, bytes] = {}
"""fp_str's text for the numbers seen so far: a handout's coordinates repeat, and fp_str costs ~1 µs."""
_KEYS: dict[str, bytes] = {}
"""Each dictionary key's name token (`/Type`), escaped once per process instead of once per use."""


def pdf_string(text: str) -> bytes:
    """`text` as ReportLab's `PDFString(text)` writes it in an unencrypted file: printable ASCII without
    parentheses or backslashes goes straight in, anything else through PDFString itself."""
    if text.isascii() and text.isprintable() and "(" not in text and ")" not in text and "\\" not in text:
        return b"(" + text.encode() + b")"
    formatted: bytes = PDFString(text).format(_PLAIN_DOCUMENT)
    return formatted


def token(value: Any, document: Any) -> bytes:
    """`value` as `pdfdoc.format(value, document)` writes it inside another object."""
    kind = type(value)
    if kind is str:
        text: str = value
        return text.encode() if text.isascii() and text.isprintable() else text.encode("extpdfdoc")
    if kind is int and -_EXACT < value < _EXACT:
        return b"%d" % value  # what fp_str writes for an int, without its float formatting
    if kind is float or kind is int:
        return _number(value)
    if kind is bytes:
        ready: bytes = value
        return ready
    if kind is PDFObjectReference:
        return b"%d %d R" % document.idToObjectNumberAndVersion[value.name]
    if type(document.encrypt) is NoEncryption:  # else strings and streams are encrypted per object
        if kind is PDFString and value.escape == 1 and value.enc == "auto" and type(value.s) is str:
            return pdf_string(value.s)
        if kind is PDFArray or kind is pdfdoc.PDFArrayCompact:
            return _array(value, document)
        if kind is PDFDictionary or kind is FastDictionary:
            return dictionary_bytes(value.dict, value.multiline, document)
        if kind is FastStream or kind is PDFStream or kind is ReadyStream:  # never inline: by reference
            return b"%d %d R" % document.idToObjectNumberAndVersion[document.Reference(value).name]
    formatted: bytes = pdfdoc.format(value, document)
    return formatted


def plain_token(value: Any) -> bytes:
    """`value`, which holds no references, as `token` writes it in an unencrypted file."""
    return token(value, _PLAIN_DOCUMENT)


def dictionary_bytes(entries: dict[str, Any], multiline: Any, document: Any) -> bytes:
    """A dictionary laid out as PDFDictionary.format lays it out: keys sorted (unless ordered), then on
    one line broken every six entries, or one entry a line when ReportLab is asked for multi-line output."""
    keys = list(entries) if isinstance(entries, OrderedDict) else sorted(entries)
    items = [_key(key) + b" " + token(entries[key], document) for key in keys]
    if (multiline and rl_config.pdfMultiLine) or multiline == "forced":
        return b"<<\n" + b"\n ".join(items) + b"\n>>"
    for index in reversed(range(6, len(items), 6)):
        items.insert(index, b"\n ")
    return b"<<\n" + b" ".join(items) + b"\n>>"


def _array(array: Any, document: Any) -> bytes:
    """An array laid out as PDFArray.format lays it out: on one line broken every ten items."""
    items = [token(item, document) for item in array.sequence]
    multiline = array.multiline
    if (multiline and rl_config.pdfMultiLine) or multiline == "forced":
        return b"[ " + b"\n ".join(items) + b" ]"
    for index in reversed(range(10, len(items), 10)):
        items.insert(index, b"\n ")
    return b"[ " + b" ".join(items) + b" ]"


def _number(value: float) -> bytes:
    text = _NUMBERS.get(value)
    if text is None:
        if len(_NUMBERS) > 10_000:
            _NUMBERS.clear()
        text = _NUMBERS[value] = _fp_str(value).encode()
    return text


def _key(key: str) -> bytes:
    name = _KEYS.get(key)
    if name is None:
        name = _KEYS[key] = PDFName(key).encode("extpdfdoc")
    return name


class FastDictionary(PDFDictionary):  # type: ignore[misc]
    """A PDFDictionary (same entries, same bytes) that formats itself through `token`."""

    def format(self, document: Any, IND: bytes = b"\n ") -> bytes:
        if type(document.encrypt) is not NoEncryption or IND != b"\n ":
            formatted: bytes = super().format(document, IND)
            return formatted
        return dictionary_bytes(self.dict, self.multiline, document)


class FastStream(PDFStream):  # type: ignore[misc]
    """A PDFStream of bytes that need no filter, written as PDFStream.format writes it (its dictionary
    plus /Length, then the content), through `token`."""

    def format(self, document: Any) -> bytes:
        content = self.content
        filters = self.filters if self.filters is not None else document.defaultStreamFilters
        entries = self.dictionary.dict
        plain = type(document.encrypt) is NoEncryption and type(content) is bytes
        if not plain or (filters is not None and "Filter" not in entries) or isinstance(entries, OrderedDict):
            formatted: bytes = super().format(document)
            return formatted
        head = dictionary_bytes({**entries, "Length": len(content)}, PDFDictionary.multiline, document)
        body: bytes = content
        return head + b"\nstream\n" + body + b"endstream\n"


class ReadyObject(PDFObject):  # type: ignore[misc]
    """An object whose bytes were written before the save: formatting it costs nothing."""

    def __init__(self, data: bytes = b"") -> None:
        self.data = data

    def format(self, document: Any) -> bytes:
        return self.data


class ReadyStream(ReadyObject):
    """A stream written before the save (`stream_bytes`); like any stream, only ever referenced."""

    __RefOnly__ = 1


def stream_bytes(entries: dict[str, Any], content: bytes) -> bytes:
    """A stream of `content` (no filter) with a dictionary holding no references, as FastStream writes it
    in an unencrypted document whose streams have no default filter (ReportLab's never have)."""
    head = dictionary_bytes({**entries, "Length": len(content)}, PDFDictionary.multiline, _PLAIN_DOCUMENT)
    return head + b"\nstream\n" + content + b"endstream\n"
