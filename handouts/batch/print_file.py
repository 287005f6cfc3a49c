"""Turn finished handout PDFs into one print file written as it is read: memory stays flat whatever the row count.

Each handout is opened from disk (its streams are read one at a time), its pages and every object they
use are written out at once under new numbers, and the handout is closed before the next one opens. All
that is kept between handouts is the file offset of each object written and the number of each page.
References are renumbered by walking the parsed objects, never by editing bytes (strings hold user text).
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, BinaryIO

import pikepdf

HEADER = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
"""Page attributes a page may take from its parents in the source's page tree."""

DROPPED = {"/Parent", "/StructParents", "/B", "/Annots", "/Metadata", "/PieceInfo"}
"""Page keys not copied: the new page tree is the parent; structure, metadata and form fields stay behind."""

KEPT_ANNOTATIONS = {"/Link"}
"""Annotations a printed page keeps: links (harmless); form fields are dropped, the printed boxes remain."""


@dataclass(frozen=True)
class Bookmark:
    """A top-level outline entry: its label and the page (0-based, in the print file) it opens at."""

    label: str
    page: int


class PdfStreamWriter:
    """Writes numbered objects to a stream as they come; the page tree, outline and xref at the end."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._written = 0
        self._digest = hashlib.sha256()
        self._offsets = array("q", [0])  # index: object number; 0 is the free entry
        self._pages = array("q")
        self.pages_root = self.reserve()
        self._emit(HEADER)

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def reserve(self) -> int:
        """A number for an object to be written later."""
        self._offsets.append(-1)
        return len(self._offsets) - 1

    def write(self, number: int, body: bytes, stream_data: bytes | None = None) -> None:
        self._offsets[number] = self._written
        self._emit(b"%d 0 obj\n" % number + body)
        if stream_data is not None:
            self._emit(b"\nstream\n" + stream_data + b"\nendstream")
        self._emit(b"\nendobj\n")

    def add_page(self, number: int) -> None:
        self._pages.append(number)

    def blank_page(self, media_box: list[float]) -> None:
        """An empty page the size of `media_box` (duplex padding)."""
        number = self.reserve()
        box = b" ".join(_number(v) for v in media_box)
        self.write(
            number,
            b"<< /Type /Page /Parent %d 0 R /MediaBox [%s] /Resources << >> >>" % (self.pages_root, box),
        )
        self.add_page(number)

    def finish(self, title: str, bookmarks: list[Bookmark]) -> None:
        """The page tree, the outline, the catalog, the cross-reference table and the trailer."""
        kids = b" ".join(b"%d 0 R" % page for page in self._pages)
        self.write(self.pages_root, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._pages)))
        outlines = self._write_outline(bookmarks)
        catalog = self.reserve()
        outline_keys = b" /Outlines %d 0 R /PageMode /UseOutlines" % outlines if outlines else b""
        self.write(catalog, b"<< /Type /Catalog /Pages %d 0 R%s >>" % (self.pages_root, outline_keys))
        info = self.reserve()
        self.write(info, b"<< /Title %s /Producer (handouts) >>" % _text(title))
        file_id = self._digest.hexdigest()[:32].encode()
        xref_at = self._written
        lines = [b"xref\n0 %d\n0000000000 65535 f \n" % len(self._offsets)]
        lines += [b"%010d 00000 n \n" % offset for offset in self._offsets[1:]]
        self._emit(b"".join(lines))
        self._emit(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(self._offsets), catalog, info, file_id, file_id, xref_at)
        )

    def _write_outline(self, bookmarks: list[Bookmark]) -> int:
        if not bookmarks:
            return 0
        root = self.reserve()
        items = [self.reserve() for _ in bookmarks]
        for index, (number, mark) in enumerate(zip(items, bookmarks, strict=True)):
            links = b""
            if index:
                links += b" /Prev %d 0 R" % items[index - 1]
            if index + 1 < len(items):
                links += b" /Next %d 0 R" % items[index + 1]
            page = self._pages[mark.page]
            self.write(
                number,
                b"<< /Title %s /Parent %d 0 R%s /Dest [%d 0 R /Fit] >>"
                % (_text(mark.label), root, links, page),
            )
        self.write(
            root,
            b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (items[0], items[-1], len(items)),
        )
        return root

    def _emit(self, data: bytes) -> None:
        self._stream.write(data)
        self._digest.update(data)
        self._written += len(data)


class _Copier:
    """Copies the pages of one source PDF, and every object they use, into the writer."""

    def __init__(self, source: pikepdf.Pdf, writer: PdfStreamWriter) -> None:
        self.source = source
        self.writer = writer
        self.numbers: dict[tuple[int, int], int] = {}
        self.pending: list[tuple[int, int]] = []

    def copy_pages(self) -> Iterator[list[float]]:
        """Write every page; yields each page's media box as it goes."""
        pages = list(self.source.pages)
        for page in pages:
            self.numbers[page.obj.objgen] = self.writer.reserve()
        for page in pages:
            number = self.numbers[page.obj.objgen]
            self.writer.write(number, self._page(page.obj))
            self.writer.add_page(number)
            self._drain()
            yield [float(v) for v in page.mediabox]

    def _page(self, page: pikepdf.Dictionary) -> bytes:
        entries = [b"/Parent %d 0 R" % self.writer.pages_root]
        for key, value in page.items():
            if key not in DROPPED:
                entries.append(_name(key) + b" " + self._value(value))
        for key in INHERITED:
            if key not in page:
                inherited = _inherited(page, key)
                if inherited is not None:
                    entries.append(_name(key) + b" " + self._value(inherited))
        annots = [a for a in page.get("/Annots", []) if a.get("/Subtype") in KEPT_ANNOTATIONS]
        if annots:
            entries.append(b"/Annots [" + b" ".join(self._value(a) for a in annots) + b"]")
        return b"<< " + b" ".join(entries) + b" >>"

    def _drain(self) -> None:
        while self.pending:
            objgen = self.pending.pop()
            obj = self.source.get_object(objgen)
            number = self.numbers[objgen]
            if isinstance(obj, pikepdf.Stream):
                data = obj.read_raw_bytes()
                entries = [
                    _name(k) + b" " + self._value(v) for k, v in obj.stream_dict.items() if k != "/Length"
                ]
                body = b"<< " + b" ".join([*entries, b"/Length %d" % len(data)]) + b" >>"
                self.writer.write(number, body, data)
            else:
                self.writer.write(number, self._direct(obj))

    def _value(self, value: Any) -> bytes:
        """A value as it appears inside another object: an indirect object becomes a renumbered reference."""
        if isinstance(value, pikepdf.Object) and value.is_indirect:
            objgen = value.objgen
            if objgen not in self.numbers:
                self.numbers[objgen] = self.writer.reserve()
                self.pending.append(objgen)
            return b"%d 0 R" % self.numbers[objgen]
        return self._direct(value)

    def _direct(self, value: Any) -> bytes:
        if isinstance(value, pikepdf.Dictionary):
            inner = [
                _name(k) + b" " + self._value(v)
                for k, v in value.items()
                if k != "/Parent" or not _is_page_tree(v)
            ]
            return b"<< " + b" ".join(inner) + b" >>"
        if isinstance(value, pikepdf.Array):
            return b"[" + b" ".join(self._value(v) for v in value) + b"]"
        return _scalar(value)


def _is_page_tree(value: Any) -> bool:
    return isinstance(value, pikepdf.Dictionary) and value.get("/Type") == pikepdf.Name.Pages


def _inherited(page: pikepdf.Dictionary, key: str) -> Any:
    node = page.get("/Parent")
    for _ in range(64):  # a page tree deeper than this is broken
        if node is None:
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _scalar(value: Any) -> bytes:
    if value is None:
        return b"null"
    if isinstance(value, bool):
        return b"true" if value else b"false"
    if isinstance(value, int | float | Decimal):
        return _number(value)
    if isinstance(value, pikepdf.Object):
        return bytes(value.unparse())
    raise TypeError(f"cannot write a PDF value of type {type(value).__name__}")


def _number(value: int | float | Decimal) -> bytes:
    if isinstance(value, int):
        return b"%d" % value
    text = format(Decimal(str(value)).normalize(), "f")
    return text.encode("ascii")


def _name(key: str) -> bytes:
    return bytes(pikepdf.Name(key).unparse())


def _text(text: str) -> bytes:
    """A PDF text string, in UTF-16 when it is not plain ASCII."""
    return bytes(pikepdf.String(text).unparse())


def copy_handout(path_source: pikepdf.Pdf, writer: PdfStreamWriter) -> list[float]:
    """Copy every page of one open handout; return its last page's media box (for duplex padding)."""
    last: list[float] = [0.0, 0.0, 612.0, 792.0]
    for box in _Copier(path_source, writer).copy_pages():
        last = box
    return last
