"""Turn ReportLab's numbered objects into the file's bytes: its own save loop, our ready objects copied in.

`PDFDocument.format` wraps every object in a `PDFIndirectObject`, whose `format` re-checks the object,
formats `"12 0 obj"` through ReportLab's PDFDocEncoding codec and joins the pieces: about 2 µs an
object, which is most of what a tagged handout's two hundred structure elements cost to write.
`FastSaveDocument.format` is that same loop (same order, offsets, cross-reference table and trailer) that
writes objects whose `format` is ours (tokens.py: a fast formatter or bytes written before the save) and
objects registered as plain bytes (`place_bytes`: the structure tree) with one bytes operation each, and
passes every other object to `PDFIndirectObject` as ReportLab does; the cross-reference table's lines are
written as the objects are. Anything it does not reproduce (encryption, PDF comments, digital
signatures) sends the whole save back to ReportLab.

`reserve_number` and `place_bytes` register an object the way `PDFDocument.Reference` does, but let its
bytes arrive after its number is taken.

ReportLab internals relied on (the same from 4.5 to 5.1; tests/pdf/test_finish.py compares our file with
ReportLab's own save and watches the code repeated here): `PDFDocument.format`, `Reference`,
`objectcounter`, `numberToId`, `idToObject`, `idToObjectNumberAndVersion`, `idToOffset`, `_pdfVersion`,
`ID()`, `__accum__`, `_digiSigs`, `PDFFile.add`, `PDFIndirectObject`, `PDFCrossReferenceSubsection.format`
and `PDFTrailer`.
"""

from __future__ import annotations

from typing import Any

from reportlab import rl_config
from reportlab.pdfbase.pdfdoc import (
    NoEncryption,
    PDFDocument,
    PDFFile,
    PDFIndirectObject,
    PDFTrailer,
)

from handouts.pdf.tokens import FastDictionary, FastStream, ReadyObject, ReadyStream

OUR_OBJECTS = (ReadyObject, ReadyStream, FastDictionary, FastStream)
"""Classes whose `format` is ours: written without ReportLab's per-object wrapper."""

READY_NAME = "handouts.%d"
"""How `place_bytes` names the objects it registers (ReportLab's own names are R1, Page1, F1, ...)."""


class FastSaveDocument(PDFDocument):  # type: ignore[misc]
    """ReportLab's document, saved by the same loop but with our objects copied in directly.
    A canvas's document becomes one by `use_fast_save` (its class changes, nothing else)."""

    def format(self) -> bytes:
        plain = type(self.encrypt) is NoEncryption and not getattr(self, "_digiSigs", None)
        if not plain or (rl_config.pdfComments and not rl_config.invariant):
            formatted: bytes = super().format()
            return formatted
        self.Reference(self.Catalog)
        self.Reference(self.info)
        file = self.__accum__ = PDFFile(self._pdfVersion)
        entries = self._write_objects(file)
        del self.__accum__
        count = len(self.numberToId)
        if len(entries) != count:
            raise ValueError(f"wrote {len(entries)} objects of {count}")
        start = file.add(b"xref\n0 %d\n0000000000 65535 f \n%b" % (count + 1, b"".join(entries)))
        trailer = PDFTrailer(
            startxref=start,
            Size=count + 1,
            Root=self.Reference(self.Catalog),
            Info=self.Reference(self.info),
            Encrypt=None,
            ID=self.ID(),
        )
        file.add(trailer.format(self))
        data: bytes = file.format(self)
        return data

    def _write_objects(self, file: Any) -> list[bytes]:
        """Add the numbered objects to the file in number order, noting each one's offset, as ReportLab's
        loop does (objects registered while others are formatted join the end of the queue); the
        cross-reference table's line for each, as PDFCrossReferenceSubsection writes it."""
        number_to_id, objects, offsets = self.numberToId, self.idToObject, self.idToOffset
        numbers = self.idToObjectNumberAndVersion
        add = file.add
        entries = []
        number = 1
        while number in number_to_id:
            name = number_to_id[number]
            obj = objects[name]
            version = numbers[name][1]
            if type(obj) is bytes or type(obj) in OUR_OBJECTS:
                data = obj if type(obj) is bytes else obj.format(self)
                end = b"" if data.endswith(b"\n") else b"\n"
                offset = add(b"%d %d obj\n%b%bendobj\n" % (number, version, data, end))
            else:
                offset = add(PDFIndirectObject(name, obj).format(self))
            offsets[name] = offset
            entries.append(b"%010d %05d n \n" % (offset, version))
            number += 1
        return entries


def use_fast_save(document: Any) -> None:
    """Make ReportLab's `document` save through `FastSaveDocument.format`."""
    if type(document) is PDFDocument:
        document.__class__ = FastSaveDocument


def reserve_number(document: Any) -> int:
    """The next object number, kept for bytes that `place_bytes` registers once they are written (a
    structure element's bytes name its kids, which are numbered after it). Every reserved number must be
    placed before the save. This is `PDFDocument.Reference` without the object, whose number it takes."""
    number: int = document.objectcounter + 1
    document.objectcounter = number
    return number


def place_bytes(document: Any, number: int, data: bytes) -> None:
    """Register finished object bytes under a reserved number, as `Reference` registers an object (any
    ReportLab save writes bytes as they are; ours copies them in without a wrapper)."""
    name = READY_NAME % number
    document.idToObjectNumberAndVersion[name] = (number, 0)
    document.numberToId[number] = name
    document.idToObject[name] = data
